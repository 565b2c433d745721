"""Risk in the demo: a case for every risk rule, and the risk rules' history over the last twelve weeks.

The demo's channel already owes money: many partners overdue, many over their credit limit, a few
contracts about to run out. This step makes sure each of the five rules has at least one case as of
yesterday — planting one where the data has none: a large return that drops a partner's sales, a
last contract that ends within the month (the pilot that ended undecided is due diligence's) — and then
runs the risk rules as the nightly job would, every two weeks from twelve weeks ago, so the alerts
carry a history (raised, escalated, resolved) and the dashboard's trend has a shape. The nightly runs
of the last week (the scores step, after this one) carry them on, night by night, to yesterday.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from facts.services import facts_import
from partners.models import Contract, Partner, PartnerStatus
from risk.calculations import Thresholds, findings
from risk.inputs import gather_figures
from risk.models import AlertRule
from risk.services import alerts_evaluate

if TYPE_CHECKING:
    from risk.calculations import PartnerFigures

    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")
# The nights the demo's risk step runs, in days before today, oldest first (the last week's nightly runs follow).
HISTORY_NIGHTS = (85, 71, 57, 43, 29, 15, 8)

WORDS = {
    "zh-hans": {"customer": "退货：华东区域项目取消", "category": "服务器"},
    "en": {"customer": "Return: regional project cancelled", "category": "Servers"},
}


def add_risk_cases_and_alerts(context: DemoTenant) -> None:
    yesterday = context.today - DAY
    thresholds = Thresholds.of(context.tenant.risk_thresholds)
    _statuses, figures = gather_figures(yesterday, thresholds)
    tripped = {finding.rule for finding in findings(figures, thresholds, yesterday)}
    if AlertRule.PERFORMANCE_DROP not in tripped:
        _plant_sales_drop(context, figures, yesterday)
    if AlertRule.CONTRACT_EXPIRY not in tripped:
        _plant_contract_expiry(context, figures, yesterday, thresholds)
    for days_back in HISTORY_NIGHTS:
        alerts_evaluate(day=context.today - days_back * DAY)


def _active(figures: list[PartnerFigures]) -> list[PartnerFigures]:
    return [partner for partner in figures if partner.status == PartnerStatus.ACTIVE]


def _plant_sales_drop(context: DemoTenant, figures: list[PartnerFigures], day: datetime.date) -> None:
    """A large return in the last month: net sales fall to a third of the partner's monthly average.

    With a return of x, the last 30 days hold r − x and the 180 days b − x; the alert needs
    r − x < ½ (b − x) / 6, so x > (12 r − b) / 11; making r − x a sixth of the new average leaves room.
    """
    selling = sorted((p for p in _active(figures) if p.sales_recent > 0 and p.sales_baseline > 0),
                     key=lambda p: p.partner_id)  # fmt: skip
    if not selling:
        return
    chosen = selling[len(selling) // 3]
    recent, baseline = chosen.sales_recent, chosen.sales_baseline
    # r − x = (b − x) / 36  ⇔  x = (36 r − b) / 35: a sixth of the new average
    amount = ((36 * recent - baseline) / 35).quantize(CENT)
    if amount <= 0:
        return
    code = Partner.objects.values_list("code", flat=True).get(pk=chosen.partner_id)
    words = WORDS[context.language]
    facts_import(
        kind="sales",
        rows=enumerate(
            [
                {
                    "external_id": f"{context.spec.code_prefix}-S-{code}-RETURN",
                    "partner": code,
                    "date": (day - 3 * DAY).isoformat(),
                    "customer": words["customer"],
                    "product_category": words["category"],
                    "amount": str(-amount),
                    "cost": "",
                }
            ],
            start=1,
        ),
    )


def _plant_contract_expiry(
    context: DemoTenant, figures: list[PartnerFigures], day: datetime.date, thresholds: Thresholds
) -> None:
    """An active partner's last contract, cut to end within the alert's window (its renewal not yet signed)."""
    with_contract = sorted((p for p in _active(figures) if p.contract is not None), key=lambda p: p.partner_id)
    if not with_contract:
        return
    chosen = with_contract[len(with_contract) // 2]
    ends_on = day + datetime.timedelta(days=min(12, thresholds.contract_expiry_days))
    Contract.objects.filter(pk=chosen.contract.id).update(ends_on=max(chosen.contract.starts_on, ends_on))
