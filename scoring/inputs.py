"""Gathering every active partner's score inputs as of day D: a fixed handful of statements."""

from __future__ import annotations

import datetime
from decimal import Decimal

from common.sql import analytic_cursor
from facts.calculations import receivables_as_of
from facts.rollups import window_totals
from partners.models import Partner, PartnerStatus
from partners.selectors import with_tier_and_status_in_effect
from tenancy.context import require_tenant

from .calculations import ZERO, ScoreInputs

# From the facts themselves: the definitions the partner totals are held to (tests/facts/test_rollups.py).
# The nightly reads the totals (``sales_and_money``), whose cost grows with partners, not with history.
SALES_SQL = """
SELECT partner_id,
       COALESCE(SUM(amount) FILTER (WHERE date > %(day)s::date - 365), 0) AS current,
       COALESCE(SUM(amount) FILTER (WHERE date <= %(day)s::date - 365), 0) AS prior
FROM facts_sale
WHERE tenant_id = %(tenant)s AND date > %(day)s::date - 730 AND date <= %(day)s
GROUP BY partner_id
"""

MONEY_IN_OUT_SQL = """
SELECT partner_id, SUM(paid) AS paid, SUM(invoiced) AS invoiced FROM (
    SELECT partner_id, amount AS paid, 0 AS invoiced FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date > %(day)s::date - 365 AND date <= %(day)s
    UNION ALL
    SELECT partner_id, 0, amount FROM facts_invoice
    WHERE tenant_id = %(tenant)s AND issue_date > %(day)s::date - 365 AND issue_date <= %(day)s
) money GROUP BY partner_id
"""


def active_partners_on(day: datetime.date) -> dict[int, int]:
    """Partner id → id of the tier in effect, for partners whose status on ``day`` is active."""
    rows = (
        with_tier_and_status_in_effect(Partner.objects.all(), day)
        .filter(status_on=PartnerStatus.ACTIVE)
        .values_list("pk", "tier_id_on")
    )
    return dict(rows)


def _grouped(sql: str, params: dict) -> dict[int, tuple]:
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def sales_and_money(day: datetime.date) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """(partner → (sales of the 365 days to ``day``, of the 365 before), partner → (paid, invoiced) in the 365 days).

    The figures of ``SALES_SQL`` and ``MONEY_IN_OUT_SQL``, read from the partner totals in one statement.
    """
    year = datetime.timedelta(days=365)
    current = (day - year + datetime.timedelta(days=1), day)
    prior = (day - 2 * year + datetime.timedelta(days=1), day - year)
    totals = window_totals(windows=[current, prior], measures=("sales", "paid", "invoiced"))
    sales, money = {}, {}
    for partner_id, (sales_now, paid, invoiced, sales_before, _paid, _invoiced) in totals.items():
        sales[partner_id] = (sales_now, sales_before)
        money[partner_id] = (paid, invoiced)
    return sales, money


def sales_and_money_from_scratch(day: datetime.date) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """``sales_and_money`` from the facts themselves: the reference, for tests and checks."""
    params = {"tenant": require_tenant().pk, "day": day}
    return _grouped(SALES_SQL, params), _grouped(MONEY_IN_OUT_SQL, params)


def score_inputs(day: datetime.date) -> tuple[dict[int, int], dict[int, ScoreInputs]]:
    """(active partner → tier in effect, active partner → its ScoreInputs) as of ``day``."""
    from targets.calculations import mean_attainment_on

    partners = active_partners_on(day)
    sales, money = sales_and_money(day)
    receivables = receivables_as_of(day=day)
    attainments = mean_attainment_on(day)
    max_sales = max((sales.get(pid, (ZERO, ZERO))[0] for pid in partners), default=ZERO)
    inputs = {}
    for partner_id in partners:
        current, prior = sales.get(partner_id, (ZERO, ZERO))
        paid, invoiced = money.get(partner_id, (ZERO, ZERO))
        owed = receivables.get(partner_id)
        mean, count = attainments.get(partner_id, (None, 0))
        inputs[partner_id] = ScoreInputs(
            sales_365=Decimal(current),
            sales_prior_365=Decimal(prior),
            max_sales_365=Decimal(max_sales),
            attainment_mean=mean,
            target_count=count,
            payments_365=Decimal(paid),
            invoices_365=Decimal(invoiced),
            outstanding=owed.outstanding if owed else ZERO,
            overdue_amount=owed.overdue if owed else ZERO,
        )
    return partners, inputs
