"""Nightly scoring for 10,000 partners over 5,000,000 sales, 500,000 invoices and 500,000 payments, then 20,000,000.

Prints the time of the scoring step and of each of its parts and, in the same run, of one plain scan
summing the tenant's sales for the two years the score reads; then their ratio (aim: within 3×).
Then it adds sales to the same partners over the same two years (``--sales-large`` in all: a denser
history) and measures both again: the scoring's cost should grow with partners, not with history.

Read it on a fresh database (or after a VACUUM): the rows of a benchmark tenant dropped by an earlier run
linger as dead rows until autovacuum comes, and doubled every figure of one run.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from unittest import mock

from django.core.management import call_command
from django.db import connection, connections

from bench.common import fresh_tenant, make_partners, timed
from bench.receivables import load_invoices_and_payments
from facts.calculations import receivables_as_of
from partners.models import Partner
from scoring.inputs import active_partners_on, sales_and_money, sales_and_money_from_scratch
from scoring.models import PartnerScore
from scoring.services import scores_compute
from targets.calculations import mean_attainment_on
from tenancy.context import tenant_scope

DAY = datetime.date(2026, 6, 30)


def load_sales(tenant, partners, count: int, first: int = 0, last_day: datetime.date = DAY) -> None:
    """Two years of sales up to ``last_day``, spread evenly over partners and days (COPY, then INSERT)."""
    rng = random.Random(5)
    ids = [partner.pk for partner in partners]
    start = last_day - datetime.timedelta(days=729)
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_sale AS SELECT * FROM facts_sale WITH NO DATA")
        with cursor.copy(
            "COPY bench_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, "
            "product_category, amount) FROM STDIN"
        ) as copy:
            for n in range(first, first + count):
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
        cursor.execute("ANALYZE facts_sale; ANALYZE facts_partnerdaytotal; ANALYZE facts_partnermonthtotal")


def plain_scan(tenant) -> None:
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(amount) FROM facts_sale WHERE tenant_id = %s AND date > %s::date - 730 AND date <= %s",
            [tenant.pk, DAY, DAY],
        )
        cursor.fetchone()


def plain_scan_of_every_row_read(tenant) -> None:
    """Every row the score reads from the facts: its two years of sales, and every invoice and payment up to
    the day (receivables, SPEC §4.1, settle the whole history)."""
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT SUM(amount) FROM facts_sale WHERE tenant_id = %(tenant)s "
            "        AND date > %(day)s::date - 730 AND date <= %(day)s), "
            "       (SELECT SUM(amount) FROM facts_invoice WHERE tenant_id = %(tenant)s AND issue_date <= %(day)s), "
            "       (SELECT SUM(amount) FROM facts_payment WHERE tenant_id = %(tenant)s AND date <= %(day)s)",
            {"tenant": tenant.pk, "day": DAY},
        )
        cursor.fetchone()


def best_of(times: int, label: str, results: dict, run) -> None:
    seconds = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    results[label] = min(seconds)
    print(f"  {label}: {min(seconds):.2f} s (best of {times}; {', '.join(f'{s:.2f}' for s in seconds)})", flush=True)


def measure(tenant, label: str, partners: int) -> tuple[float, float, float]:
    """(plain scan, plain scan of every row read, scoring) in seconds, with the scoring's parts printed."""
    results: dict[str, float] = {}
    print(f"{label}:")
    plain_scan(tenant)  # warm the cache the same way for both
    plain_scan_of_every_row_read(tenant)
    with timed("scoring (first run of the day)", results):
        summary = scores_compute(day=DAY)
    # Best of three for the figures the ratios compare: one scan of a freshly loaded table varied 0.45-0.80 s.
    best_of(3, "plain scan: SUM of two years of sales", results, lambda: plain_scan(tenant))
    best_of(
        3,
        "plain scan of every row it reads: two years of sales, every invoice and payment",
        results,
        lambda: plain_scan_of_every_row_read(tenant),
    )
    best_of(3, "scoring (same day again, idempotent)", results, lambda: scores_compute(day=DAY))
    with mock.patch("scoring.inputs.sales_and_money", sales_and_money_from_scratch):
        with timed("scoring as it was: its sales and money windows summed from the facts", results):
            scores_compute(day=DAY)
    assert PartnerScore.objects.filter(day=DAY).count() == Partner.objects.count() == partners
    print("  its parts:")
    with timed("  active partners and tiers", results):
        active_partners_on(DAY)
    with timed("  sales windows, money in and out (partner totals)", results):
        sales_and_money(DAY)
    with timed("  receivables and aging", results):
        receivables_as_of(day=DAY)
    with timed("  target attainment", results):
        mean_attainment_on(DAY)
    with timed("  (from scratch, for comparison: sales windows, money in and out over the facts)", results):
        sales_and_money_from_scratch(DAY)
    print(f"  scored {summary['partners']:,} partners; recommendations {summary['recommendations']:,}")
    return (
        results["plain scan: SUM of two years of sales"],
        results["plain scan of every row it reads: two years of sales, every invoice and payment"],
        results["scoring (same day again, idempotent)"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=5_000_000)
    parser.add_argument("--sales-large", type=int, default=20_000_000, help="sales in all for the second size")
    parser.add_argument("--invoices", type=int, default=500_000)
    parser.add_argument("--payments", type=int, default=500_000)
    args = parser.parse_args()
    call_command("migrate", database="owner", verbosity=0)  # a fresh clone has no tables yet
    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    # Each load commits on its own, so that ANALYZE (on the owner's connection) sees the rows: measured
    # inside one open transaction, the planner took the tables for empty.
    with timed("load sales (COPY)", results):
        load_sales(tenant, partners, args.sales)
    with timed("load invoices and payments (COPY)", results):
        load_invoices_and_payments(tenant, partners, args.invoices, args.payments)
    with connections["owner"].cursor() as cursor:
        cursor.execute("ANALYZE facts_partnerdaytotal; ANALYZE facts_partnermonthtotal")
    with tenant_scope(tenant):
        scan, scan_all, score = measure(tenant, f"{args.sales:,} sales", args.partners)
    with timed(f"load sales up to {args.sales_large:,} (COPY)", results):
        load_sales(tenant, partners, args.sales_large - args.sales, first=args.sales)
    with tenant_scope(tenant):
        scan_large, scan_all_large, score_large = measure(tenant, f"{args.sales_large:,} sales", args.partners)
    print()
    print(f"{args.sales:,} sales: plain scan {scan:.2f} s, scoring {score:.2f} s")
    print(f"{args.sales_large:,} sales: plain scan {scan_large:.2f} s, scoring {score_large:.2f} s")
    print(f"ratio scoring / plain scan: {score / scan:.2f} (aim <= 3)")
    print(f"ratio scoring / plain scan at {args.sales_large:,}: {score_large / scan_large:.2f} (aim <= 3)")
    print(f"ratio scoring / plain scan of every row it reads: {score / scan_all:.2f} (aim <= 3)")
    print(
        f"ratio scoring / plain scan of every row it reads at {args.sales_large:,}: "
        f"{score_large / scan_all_large:.2f} (aim <= 3)"
    )
    print(f"ratio scoring time at {args.sales_large:,} / at {args.sales:,}: {score_large / score:.2f} (aim <= 1.5)")


if __name__ == "__main__":
    main()
