"""Nightly scoring for 10,000 partners over 5,000,000 sales, 500,000 invoices and 500,000 payments.

Prints the time of the scoring step and, in the same run, of one plain scan summing the
tenant's sales for the two years the score reads; then their ratio (aim: within 3×).
"""

from __future__ import annotations

import argparse
import datetime
import random

from django.db import connection, connections

from bench.common import fresh_tenant, make_partners, timed
from bench.receivables import load_invoices_and_payments
from partners.models import Partner
from scoring.models import PartnerScore
from scoring.services import scores_compute
from tenancy.context import tenant_scope

DAY = datetime.date(2026, 6, 30)


def load_sales(tenant, partners, count: int) -> None:
    rng = random.Random(5)
    ids = [partner.pk for partner in partners]
    start = DAY - datetime.timedelta(days=729)
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_sale AS SELECT * FROM facts_sale WITH NO DATA")
        with cursor.copy(
            "COPY bench_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, "
            "product_category, amount) FROM STDIN"
        ) as copy:
            for n in range(count):
                copy.write_row(
                    (tenant.pk, "now", "now", f"S{n}", ids[n % len(ids)], start + datetime.timedelta(days=n % 730),
                     f"C{rng.randrange(100000)}", "hw", f"{rng.randrange(100, 2000000) / 100:.2f}")
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO facts_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, "
            "product_category, amount) SELECT tenant_id, created_at, updated_at, external_id, partner_id, date, "
            "customer, product_category, amount FROM bench_sale"
        )
        cursor.execute("DROP TABLE bench_sale")
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        cursor.execute("ANALYZE facts_sale")


def plain_scan(tenant) -> None:
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(amount) FROM facts_sale WHERE tenant_id = %s AND date > %s::date - 730 AND date <= %s",
            [tenant.pk, DAY, DAY],
        )
        cursor.fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=5_000_000)
    parser.add_argument("--invoices", type=int, default=500_000)
    parser.add_argument("--payments", type=int, default=500_000)
    args = parser.parse_args()
    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    with tenant_scope(tenant):
        with timed("load sales (COPY)", results):
            load_sales(tenant, partners, args.sales)
        with timed("load invoices and payments (COPY)", results):
            load_invoices_and_payments(tenant, partners, args.invoices, args.payments)
        plain_scan(tenant)  # warm the cache the same way for both
        with timed("plain scan: SUM of two years of sales", results):
            plain_scan(tenant)
        with timed("scoring (first run of the day)", results):
            summary = scores_compute(day=DAY)
        with timed("scoring (same day again, idempotent)", results):
            scores_compute(day=DAY)
        assert PartnerScore.objects.filter(day=DAY).count() == Partner.objects.count() == args.partners
    scan = results["plain scan: SUM of two years of sales"]
    score = results["scoring (same day again, idempotent)"]
    print()
    print(f"scored {summary['partners']:,} partners; recommendations {summary['recommendations']:,}")
    print(f"plain scan {scan:.2f} s, scoring {score:.2f} s, ratio {score / scan:.2f} (aim: at most 3)")


if __name__ == "__main__":
    main()
