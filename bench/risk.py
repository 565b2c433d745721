"""The nightly risk rules for 10,000 partners over 500,000 invoices, 500,000 payments and 5,000,000 sales.

Prints the time of the risk evaluation (``risk.services.alerts_evaluate``: gathering every partner's
figures, deciding, writing the alerts and their events) — the first night (every alert raised), the
same night again (nothing changes) and the next night (every alert's figures refreshed) — and, in the
same run, of one plain scan of the rows it reads (the invoices and payments up to the day, the 180
days of sales, the partners and their contracts); then their ratio (aim: within 3×).
"""

from __future__ import annotations

import argparse
import datetime
import random

from django.db import connection, connections
from django.db.models import Count

from bench.common import fresh_tenant, make_partners, timed
from bench.receivables import load_invoices_and_payments
from bench.scoring import load_sales
from risk.models import Alert, AlertEvent
from risk.services import alerts_evaluate
from tenancy.context import tenant_scope

DAY = datetime.date(2026, 6, 30)

PLAIN_SCAN_SQL = """
SELECT (SELECT SUM(amount) FROM facts_invoice WHERE tenant_id = %(tenant)s AND issue_date <= %(day)s),
       (SELECT SUM(amount) FROM facts_payment WHERE tenant_id = %(tenant)s AND date <= %(day)s),
       (SELECT SUM(amount) FROM facts_sale
        WHERE tenant_id = %(tenant)s AND date > %(day)s::date - 180 AND date <= %(day)s),
       (SELECT MAX(ends_on) FROM partners_contract WHERE tenant_id = %(tenant)s),
       (SELECT SUM(credit_limit) FROM partners_partner WHERE tenant_id = %(tenant)s)
"""


def shape_partners(tenant, partners) -> None:
    """Credit limits (some partners without), a few pilots whose pilot ended, a contract each (a few ending soon)."""
    rng = random.Random(17)
    limits, pilots, contracts = [], [], []
    for index, partner in enumerate(partners):
        limit = None if index % 10 == 0 else rng.randrange(50, 400) * 10_000
        limits.append((partner.pk, limit))
        if index % 50 == 1:
            ended = DAY - datetime.timedelta(days=rng.randrange(-20, 40))
            pilots.append((partner.pk, rng.randrange(5, 30) * 10_000, ended))
        ends_on = DAY + datetime.timedelta(days=rng.randrange(1, 400))
        contracts.append((partner.pk, f"C-{partner.code}", ends_on - datetime.timedelta(days=365), ends_on))
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE partners_partner p SET credit_limit = v.limit_ FROM unnest(%s::bigint[], %s::numeric[]) "
            "AS v(id, limit_) WHERE p.id = v.id",
            [[pk for pk, _limit in limits], [limit for _pk, limit in limits]],
        )
        cursor.execute(
            "UPDATE partners_partner p SET status = 'pilot', pilot_credit_limit = v.limit_, pilot_ends_on = v.ends "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::date[]) AS v(id, limit_, ends) WHERE p.id = v.id",
            [[row[0] for row in pilots], [row[1] for row in pilots], [row[2] for row in pilots]],
        )
        cursor.execute(
            "INSERT INTO partners_contract (tenant_id, created_at, updated_at, partner_id, number, starts_on, "
            "ends_on, terms, file, original_filename) SELECT %s, now(), now(), v.partner, v.number, v.starts, "
            "v.ends, '', '', '' FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::date[]) "
            "AS v(partner, number, starts, ends)",
            [tenant.pk, *([row[i] for row in contracts] for i in range(4))],
        )
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        cursor.execute("ANALYZE partners_partner; ANALYZE partners_contract")


def plain_scan(tenant) -> None:
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(PLAIN_SCAN_SQL, {"tenant": tenant.pk, "day": DAY})
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
    # Each load commits before its ANALYZE (another connection): the planner sees the rows as they are.
    shape_partners(tenant, partners)
    with timed("load sales (COPY)", results):
        load_sales(tenant, partners, args.sales)
    with timed("load invoices and payments (COPY)", results):
        load_invoices_and_payments(tenant, partners, args.invoices, args.payments)
    with tenant_scope(tenant):
        plain_scan(tenant)  # warm the cache the same way for both
        with timed("plain scan of the rows the rules read", results):
            plain_scan(tenant)
        with timed("risk evaluation, first night (every alert raised)", results):
            first = alerts_evaluate(day=DAY)
        with timed("risk evaluation, the same night again (nothing changes)", results):
            again = alerts_evaluate(day=DAY)
        with timed("risk evaluation, the next night (every alert's figures refreshed)", results):
            after = alerts_evaluate(day=DAY + datetime.timedelta(days=1))
        by_rule = dict(Alert.objects.filter(status="open").order_by().values_list("rule").annotate(Count("pk")))
        events = AlertEvent.objects.count()
    scan = results["plain scan of the rows the rules read"]
    evaluation = results["risk evaluation, the same night again (nothing changes)"]
    print()
    print(f"first night: {first}")
    print(f"same night again: {again}")
    print(f"next night: {after}")
    print(f"open alerts by rule: {by_rule}; events: {events:,}")
    ratio = evaluation / scan
    print(f"plain scan {scan:.2f} s, risk evaluation {evaluation:.2f} s, ratio {ratio:.2f} (aim: at most 3)")


if __name__ == "__main__":
    main()
