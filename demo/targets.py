"""Company goals for this quarter and this year, split into partner targets by last year's share."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from common.periods import Period
from targets.services import SplitMethod, goal_apply_split, goal_create, goal_propose_split

if TYPE_CHECKING:
    from .seed import DemoTenant

GOAL_NAMES = {
    ("sales", "quarter"): ("本季度销售目标", "Quarterly sales goal"),
    ("collections", "quarter"): ("本季度回款目标", "Quarterly collections goal"),
    ("sales", "year"): ("年度销售目标", "Annual sales goal"),
}


def add_goals_and_targets(context: DemoTenant) -> None:
    """Goals a bit above last year's figures, cascaded to the partners by their share of last year."""
    from targets.calculations import partner_actuals

    partner_ids = [partner.pk for partner in context.partners.values()]
    for (metric, kind), (chinese, english) in GOAL_NAMES.items():
        for period in (Period.containing(context.today, kind), Period.containing(context.today, kind).previous()):
            last_year = partner_actuals(partner_ids=partner_ids, metric=metric, period=period.year_earlier())
            base = sum((value for value in last_year.values() if value > 0), Decimal(0))
            if base <= 0:
                continue
            goal = goal_create(
                name=chinese if context.language == "zh-hans" else english,
                metric=metric,
                period=period,
                value=(base * Decimal(str(1.1 + context.rng.uniform(0, 0.2)))).quantize(Decimal("1")),
            )
            proposals = goal_propose_split(goal, SplitMethod.LAST_YEAR)
            goal_apply_split(goal, {proposal.partner: proposal.value for proposal in proposals})
