"""Writing a validated batch: COPY into a staging table, then one upsert on ``external_id``.

Set-based on purpose: a million rows are two statements, not a million INSERTs.
"""

from __future__ import annotations

import dataclasses

from django.db import connection, transaction

from tenancy.context import require_tenant

from ..models import Invoice, Payment, Sale, WriteOff

MODELS = {"sales": Sale, "invoices": Invoice, "payments": Payment, "writeoffs": WriteOff}

# The columns written from a clean row, in order (row key, database column).
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "sales": (
        ("external_id", "external_id"),
        ("partner_id", "partner_id"),
        ("date", "date"),
        ("customer", "customer"),
        ("product_category", "product_category"),
        ("amount", "amount"),
        ("cost", "cost"),
    ),
    "invoices": (
        ("external_id", "external_id"),
        ("partner_id", "partner_id"),
        ("number", "number"),
        ("issue_date", "issue_date"),
        ("due_date", "due_date"),
        ("amount", "amount"),
    ),
    "payments": (
        ("external_id", "external_id"),
        ("partner_id", "partner_id"),
        ("date", "date"),
        ("amount", "amount"),
        ("invoice_id", "invoice_id"),
    ),
    "writeoffs": (
        ("external_id", "external_id"),
        ("partner_id", "partner_id"),
        ("date", "date"),
        ("amount", "amount"),
        ("reason", "reason"),
    ),
}
TEXT_DEFAULTS = {"product_category", "reason"}


@dataclasses.dataclass(frozen=True)
class Written:
    created: int
    updated: int


def write_rows(kind: str, rows: list[dict]) -> Written:
    """Upsert clean rows of one kind for the tenant in scope; the caller holds the transaction."""
    if not rows:
        return Written(0, 0)
    tenant = require_tenant()
    table = MODELS[kind]._meta.db_table
    fields = FIELDS[kind]
    columns = [column for _key, column in fields]
    stage = f"stage_{table}"
    column_list = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        (row.get(key) if row.get(key) is not None or key not in TEXT_DEFAULTS else "")
                        for key, _column in fields
                    ]
                )
        cursor.execute(
            f"SELECT count(*) FROM {stage} s JOIN {table} t ON t.tenant_id = %s AND t.external_id = s.external_id",
            [tenant.pk],
        )
        updated = cursor.fetchone()[0]
        updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns if column != "external_id")
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, created_at, updated_at, {column_list}) "
            f"SELECT %s, now(), now(), {column_list} FROM {stage} "
            f"ON CONFLICT (tenant_id, external_id) DO UPDATE SET {updates}, updated_at = now()",
            [tenant.pk],
        )
        cursor.execute(f"DROP TABLE {stage}")
    return Written(created=len(rows) - updated, updated=updated)
