"""Every partner's risk figures as of day D, gathered in a fixed handful of statements.

However many partners the tenant has: one statement for the partners and their status in effect
on D, one for receivables and aging with the overdue invoices behind them
(``facts.calculations.receivables_as_of``, the allocation of SPEC §4.1), one for the sales windows,
one for the contracts that end last.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from common.sql import analytic_cursor
from facts.calculations import Receivables, receivables_as_of
from facts.rollups import window_totals
from partners.models import Partner
from partners.selectors import with_tier_and_status_in_effect
from tenancy.context import require_tenant

from .calculations import (
    BASELINE_DAYS,
    CHECKED_STATUSES,
    RECENT_DAYS,
    ZERO,
    ContractEnd,
    PartnerFigures,
    Thresholds,
)

# How many of a partner's overdue invoices an alert lists (the most overdue first); the count says the rest.
INVOICES_IN_EVIDENCE = 10

# The sales windows from the facts themselves: the definition ``sales_windows`` (the partner totals) is held to.
SALES_SQL = """
SELECT partner_id,
       COALESCE(SUM(amount) FILTER (WHERE date > %(day)s::date - %(recent)s), 0) AS recent,
       COALESCE(SUM(amount), 0) AS baseline
FROM facts_sale
WHERE tenant_id = %(tenant)s AND date > %(day)s::date - %(baseline)s AND date <= %(day)s
GROUP BY partner_id
"""

# Of each partner's contracts that end after D, the one that ends last (the latest id among equals).
CONTRACTS_SQL = """
SELECT DISTINCT ON (partner_id) partner_id, id, number, starts_on, ends_on
FROM partners_contract
WHERE tenant_id = %(tenant)s AND ends_on > %(day)s
ORDER BY partner_id, ends_on DESC, id DESC
"""


def _rows(sql: str, params: dict) -> dict[int, tuple]:
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def sales_windows(day: datetime.date) -> dict[int, tuple]:
    """Partner id → (sales of the last RECENT_DAYS days to ``day``, of the last BASELINE_DAYS), from the totals."""
    one = datetime.timedelta(days=1)
    recent = (day - datetime.timedelta(days=RECENT_DAYS) + one, day)
    baseline = (day - datetime.timedelta(days=BASELINE_DAYS) + one, day)
    return window_totals(windows=[recent, baseline], measures=("sales",))


def partner_statuses(day: datetime.date) -> dict[int, tuple]:
    """Partner id → (status in effect on ``day``, credit limit, pilot credit limit, pilot end), every partner."""
    rows = with_tier_and_status_in_effect(Partner.objects.all(), day).values_list(
        "pk", "status_on", "credit_limit", "pilot_credit_limit", "pilot_ends_on"
    )
    return {pk: rest for pk, *rest in rows}


def receivables_for_rules(day: datetime.date, thresholds: Thresholds) -> dict[int, Receivables]:
    """Every partner's receivables as of ``day``, overdue at the tenant's warning and critical days (one query)."""
    return receivables_as_of(
        day=day,
        overdue_at=(thresholds.overdue_warning_days, thresholds.overdue_critical_days),
        late_invoices_at=thresholds.overdue_warning_days,
        late_invoices_listed=INVOICES_IN_EVIDENCE,
    )


def gather_figures(
    day: datetime.date, thresholds: Thresholds, receivables: dict[int, Receivables] | None = None
) -> tuple[dict[int, str], list[PartnerFigures]]:
    """(every partner → its status on ``day``, the figures of the partners the rules look at)."""
    tenant = require_tenant()
    params = {"tenant": tenant.pk, "day": day, "recent": RECENT_DAYS, "baseline": BASELINE_DAYS}
    partners = partner_statuses(day)
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    if receivables is None:
        receivables = receivables_for_rules(day, thresholds)
    sales = sales_windows(day)
    contracts = _rows(CONTRACTS_SQL, params)
    figures = []
    for partner_id, (status, credit_limit, pilot_credit_limit, pilot_ends_on) in partners.items():
        if status not in CHECKED_STATUSES:
            continue
        owed = receivables.get(partner_id)
        recent, baseline = sales.get(partner_id, (ZERO, ZERO))
        contract = contracts.get(partner_id)
        figures.append(
            PartnerFigures(
                partner_id=partner_id,
                status=status,
                credit_limit=credit_limit,
                pilot_credit_limit=pilot_credit_limit,
                pilot_ends_on=pilot_ends_on,
                outstanding=owed.outstanding if owed else ZERO,
                overdue_warning=owed.overdue_by.get(warning_days, ZERO) if owed else ZERO,
                overdue_critical=owed.overdue_by.get(critical_days, ZERO) if owed else ZERO,
                overdue_invoices=owed.late_invoices if owed else (),
                overdue_invoice_count=owed.late_invoice_count if owed else 0,
                sales_recent=Decimal(recent),
                sales_baseline=Decimal(baseline),
                contract=ContractEnd(*contract) if contract else None,
            )
        )
    return {partner_id: row[0] for partner_id, row in partners.items()}, figures
