"""Writing a validated batch: COPY into a staging table, then one upsert on ``external_id``.

Set-based on purpose: a million rows are a few statements, not a million INSERTs.
"""

from __future__ import annotations

import dataclasses

from common.bulk import upsert_rows
from tenancy.context import require_tenant

from ..models import Invoice, Payment, Sale, WriteOff

MODELS = {"sales": Sale, "invoices": Invoice, "payments": Payment, "writeoffs": WriteOff}

# The columns written from a clean row, in order; each is also the clean row's key.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("external_id", "partner_id", "date", "customer", "product_category", "amount", "cost"),
    "invoices": ("external_id", "partner_id", "number", "issue_date", "due_date", "amount"),
    "payments": ("external_id", "partner_id", "date", "amount", "invoice_id"),
    "writeoffs": ("external_id", "partner_id", "date", "amount", "reason"),
}
TEXT_DEFAULTS = frozenset({"product_category", "reason"})  # blank, never NULL


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
    columns = COLUMNS[kind]
    updated = 0

    def count_updates(cursor, stage: str) -> None:
        nonlocal updated
        cursor.execute(
            f"SELECT count(*) FROM {stage} s JOIN {table} t ON t.tenant_id = %s AND t.external_id = s.external_id",
            [tenant.pk],
        )
        updated = cursor.fetchone()[0]

    upsert_rows(
        table=table,
        columns=columns,
        rows=(
            [row[key] if row[key] is not None or key not in TEXT_DEFAULTS else "" for key in columns] for row in rows
        ),
        conflict=("tenant_id", "external_id"),
        update=[*(column for column in columns if column != "external_id"), "updated_at"],
        constant_columns={"tenant_id": tenant.pk, "created_at": "sql:now()", "updated_at": "sql:now()"},
        before_insert=count_updates,
    )
    return Written(created=len(rows) - updated, updated=updated)
