"""Settlement run at scale: 10,000 partners, 5 rebate programs and a profit-share agreement, one quarter
of 1,000,000 sales and 250,000 payments (issue 8). Prints the run's time against one plain scan of the
same quarter's rows, in the same run (aim: the run within 3× the scan).

    .venv/bin/python -m bench.settlement [--partners N --sales N --payments N]
"""

from __future__ import annotations

import argparse
import datetime
import random

from django.db import connection, connections

from bench.common import fresh_tenant, make_partners, timed
from common.periods import Period
from incentives.engine import period_lines
from incentives.models import ProfitShareAgreement, ProfitShareVersion, RebateProgram, RebateProgramVersion
from settlements.models import Statement, StatementLine
from settlements.services.runs import write_statements
from tenancy.context import tenant_scope

QUARTER = Period.parse("2026-Q1")
BRACKETS = [
    {"threshold": "0", "rate_percent": "1"},
    {"threshold": "50000", "rate_percent": "2"},
    {"threshold": "200000", "rate_percent": "3"},
]


def load_facts(tenant, partners, sales: int, payments: int) -> None:
    rng = random.Random(8)
    ids = [partner.pk for partner in partners]
    days = (QUARTER.end - QUARTER.start).days + 1
    categories = ["hardware", "software", "services", "cloud"]
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_sale AS SELECT * FROM facts_sale WITH NO DATA")
        with cursor.copy(
            "COPY bench_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, "
            "product_category, amount, cost) FROM STDIN"
        ) as copy:
            for n in range(sales):
                amount = rng.randrange(100, 2_000_000) / 100
                cost = f"{amount * 0.7:.2f}" if n % 3 == 0 else None
                copy.write_row(
                    (tenant.pk, "now", "now", f"S{n}", ids[n % len(ids)],
                     QUARTER.start + datetime.timedelta(days=n % days), f"C{rng.randrange(100000)}",
                     categories[n % 4], f"{amount:.2f}", cost)
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO facts_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, "
            "product_category, amount, cost) SELECT tenant_id, created_at, updated_at, external_id, partner_id, "
            "date, customer, product_category, amount, cost FROM bench_sale"
        )
        cursor.execute("DROP TABLE bench_sale")
        cursor.execute("CREATE TEMP TABLE bench_payment AS SELECT * FROM facts_payment WITH NO DATA")
        with cursor.copy(
            "COPY bench_payment (tenant_id, created_at, updated_at, external_id, partner_id, date, amount) FROM STDIN"
        ) as copy:
            for n in range(payments):
                copy.write_row(
                    (tenant.pk, "now", "now", f"P{n}", ids[n % len(ids)],
                     QUARTER.start + datetime.timedelta(days=n % days), f"{rng.randrange(100, 3_000_000) / 100:.2f}")
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO facts_payment (tenant_id, created_at, updated_at, external_id, partner_id, date, amount) "
            "SELECT tenant_id, created_at, updated_at, external_id, partner_id, date, amount FROM bench_payment"
        )
        cursor.execute("DROP TABLE bench_payment")
        cursor.execute(
            "INSERT INTO facts_writeoff (tenant_id, created_at, updated_at, external_id, partner_id, date, amount, "
            "reason) SELECT %s, now(), now(), 'W' || id, id, %s, 100, 'bench' FROM partners_partner "
            "WHERE tenant_id = %s AND id %% 10 = 0",
            [tenant.pk, QUARTER.start, tenant.pk],
        )
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        cursor.execute("ANALYZE facts_sale; ANALYZE facts_payment; ANALYZE facts_writeoff")


def make_rules(tenant) -> None:
    with tenant_scope(tenant):
        plans = [
            ("ALL-RETRO", {"basis": "sales", "method": "retroactive"}),
            ("ALL-INCR", {"basis": "sales", "method": "incremental"}),
            ("HW", {"basis": "sales", "method": "retroactive", "categories": ["hardware"]}),
            (
                "CLOUD-CAP",
                {"basis": "sales", "method": "incremental", "categories": ["cloud", "software"], "cap": 20000},
            ),
            ("COLLECT", {"basis": "collections", "method": "retroactive"}),
        ]
        for code, rules in plans:
            program = RebateProgram.objects.create(code=code, name=code)
            RebateProgramVersion.objects.create(
                program=program, number=1, period_kind="quarter", brackets=BRACKETS,
                starts_on=datetime.date(2025, 1, 1), **rules,
            )  # fmt: skip
        agreement = ProfitShareAgreement.objects.create(code="PS", name="Profit share")
        ProfitShareVersion.objects.create(
            agreement=agreement, number=1, period_kind="quarter", loss_share_percent=5,
            rates=[{"tier": "ordinary", "rate_percent": "8"}], starts_on=datetime.date(2025, 1, 1),
        )  # fmt: skip


def plain_scan(tenant) -> None:
    """One pass over the quarter's rows the run reads: its sales and its payments."""
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT SUM(amount) FROM facts_sale WHERE tenant_id = %(t)s AND date BETWEEN %(s)s AND %(e)s),"
            "       (SELECT SUM(amount) FROM facts_payment WHERE tenant_id = %(t)s AND date BETWEEN %(s)s AND %(e)s)",
            {"t": tenant.pk, "s": QUARTER.start, "e": QUARTER.end},
        )
        cursor.fetchone()


def settle(tenant) -> int:
    with tenant_scope(tenant):
        lines = period_lines(QUARTER)
        write_statements(period=QUARTER, lines=lines, run=None, actor=None)
        return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=250_000)
    args = parser.parse_args()
    results: dict[str, float] = {}
    tenant = fresh_tenant()
    partners = make_partners(tenant, args.partners)
    with timed("load the quarter's facts (COPY)", results):
        load_facts(tenant, partners, args.sales, args.payments)
    make_rules(tenant)
    plain_scan(tenant)  # warm the cache the same way for both
    with timed("plain scan of the quarter's sales and payments", results):
        plain_scan(tenant)
    with timed("settlement run (first)", results):
        lines = settle(tenant)
    with timed("settlement run (again: every draft recomputed in place)", results):
        settle(tenant)
    with tenant_scope(tenant):
        statements, written = Statement.objects.count(), StatementLine.objects.count()
    scan = results["plain scan of the quarter's sales and payments"]
    first, again = results["settlement run (first)"], results["settlement run (again: every draft recomputed in place)"]
    print()
    print(f"{statements:,} statements, {written:,} lines ({lines:,} computed)")
    print(f"plain scan {scan:.2f} s; run {first:.2f} s (ratio {first / scan:.2f}), again {again:.2f} s "
          f"(ratio {again / scan:.2f}); aim: at most 3")  # fmt: skip


if __name__ == "__main__":
    main()
