"""Receivables and aging for 10,000 partners with 500,000 invoices and 500,000 payments.

Prints the time of one ``receivables_as_of`` (one statement for every partner at once).
"""

from __future__ import annotations

import argparse
import datetime
import random

from django.db import connection, connections

from bench.common import fresh_tenant, make_partners, timed
from facts.calculations import receivables_as_of
from tenancy.context import tenant_scope


def load_invoices_and_payments(tenant, partners, invoices: int, payments: int) -> None:
    """COPY into staging tables, then INSERT (COPY cannot write a table under row-level security)."""
    rng = random.Random(11)
    start = datetime.date(2025, 1, 1)
    ids = [partner.pk for partner in partners]
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_invoice AS SELECT * FROM facts_invoice WITH NO DATA")
        cursor.execute("CREATE TEMP TABLE bench_payment AS SELECT * FROM facts_payment WITH NO DATA")
        with cursor.copy(
            "COPY bench_invoice (tenant_id, created_at, updated_at, external_id, partner_id, number, issue_date, "
            "due_date, amount) FROM STDIN"
        ) as copy:
            for n in range(invoices):
                issued = start + datetime.timedelta(days=rng.randrange(540))
                copy.write_row(
                    (tenant.pk, "now", "now", f"I{n}", ids[n % len(ids)], f"INV{n:08d}", issued,
                     issued + datetime.timedelta(days=30), f"{rng.randrange(1000, 2000000) / 100:.2f}")
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO facts_invoice (tenant_id, created_at, updated_at, external_id, partner_id, number, "
            "issue_date, due_date, amount) SELECT tenant_id, created_at, updated_at, external_id, partner_id, "
            "number, issue_date, due_date, amount FROM bench_invoice"
        )
        cursor.execute("SELECT id, partner_id FROM facts_invoice WHERE tenant_id = %s", [tenant.pk])
        invoice_rows = cursor.fetchall()
        with cursor.copy(
            "COPY bench_payment (tenant_id, created_at, updated_at, external_id, partner_id, date, amount, invoice_id) "
            "FROM STDIN"
        ) as copy:
            for n in range(payments):
                invoice_id, partner_id = invoice_rows[rng.randrange(len(invoice_rows))]
                named = invoice_id if n % 2 == 0 else None
                copy.write_row(
                    (tenant.pk, "now", "now", f"P{n}", partner_id, start + datetime.timedelta(days=rng.randrange(560)),
                     f"{rng.randrange(1000, 1500000) / 100:.2f}", named)
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO facts_payment (tenant_id, created_at, updated_at, external_id, partner_id, date, amount, "
            "invoice_id) SELECT tenant_id, created_at, updated_at, external_id, partner_id, date, amount, invoice_id "
            "FROM bench_payment"
        )
        cursor.execute("DROP TABLE bench_invoice; DROP TABLE bench_payment")
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        cursor.execute("ANALYZE facts_invoice; ANALYZE facts_payment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=500_000)
    parser.add_argument("--payments", type=int, default=500_000)
    args = parser.parse_args()
    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    with tenant_scope(tenant):
        with timed("load (COPY)", results):
            load_invoices_and_payments(tenant, partners, args.invoices, args.payments)
        day = datetime.date(2026, 6, 30)
        with timed("receivables and aging, every partner, one statement", results):
            figures = receivables_as_of(day=day)
        with timed("again (warm cache)", results):
            receivables_as_of(day=day)
    overdue = sum(1 for figure in figures.values() if figure.overdue > 0)
    print()
    print(f"partners with figures: {len(figures):,}; overdue: {overdue:,}")
    print(f"receivables for {args.partners:,} partners / {args.invoices:,} invoices / {args.payments:,} payments: "
          f"{results['again (warm cache)']:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
