"""Writing a validated batch: COPY into a staging table, then one upsert on ``external_id``.

Set-based on purpose: a million rows are a few statements, not a million INSERTs. The same
statement keeps the old values of every row a re-sent row changes (``FactChange``) and leaves
alone the rows re-sent unchanged.
"""

from __future__ import annotations

import dataclasses

from django.db import connection

from common.bulk import ChangeLog, CopyText, upsert_rows
from tenancy.context import require_tenant

from ..models import FactChange, Invoice, Payment, Sale, WriteOff

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
    unchanged: int = 0


def write_rows(kind: str, rows: list[dict] | CopyText, *, actor=None, import_job=None) -> Written:
    """Upsert clean rows of one kind for the tenant in scope; the caller holds the transaction.

    ``rows`` are the validator's clean rows, or the COPY text of ``COLUMNS[kind]`` its fast path gives.

    A known ``external_id`` whose values differ updates its row and records the old values with
    ``actor`` and ``import_job`` (None for an API batch); one whose values are all the same is
    left as it is and counted as unchanged.
    """
    if not (rows.count if isinstance(rows, CopyText) else rows):
        return Written(0, 0)
    tenant = require_tenant()
    table = MODELS[kind]._meta.db_table
    columns = COLUMNS[kind]
    with connection.cursor() as cursor:
        # One writer per tenant and kind at a time, until the transaction ends: a concurrent import
        # of the same rows would otherwise update rows this statement's snapshot does not show,
        # and those changes would escape the history.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{table}:{tenant.pk}"])
    upserted = upsert_rows(
        table=table,
        columns=columns,
        rows=rows if isinstance(rows, CopyText) else _tuples(rows, columns),
        conflict=("tenant_id", "external_id"),
        update=[*(column for column in columns if column != "external_id"), "updated_at"],
        constant_columns={"tenant_id": tenant.pk, "created_at": "sql:now()", "updated_at": "sql:now()"},
        change_log=ChangeLog(
            table=FactChange._meta.db_table,
            constants={
                "tenant_id": tenant.pk,
                "created_at": "sql:now()",
                "updated_at": "sql:now()",
                "kind": kind,
                "changed_by_id": getattr(actor, "pk", None),
                "import_job_id": getattr(import_job, "pk", None),
            },
        ),
    )
    return Written(created=upserted.inserted, updated=upserted.changed, unchanged=upserted.unchanged)


def _tuples(rows: list[dict], columns: tuple[str, ...]):
    for row in rows:
        yield [row[key] if row[key] is not None or key not in TEXT_DEFAULTS else "" for key in columns]
