"""The partner portal's home at a glance: its score, its targets now, its latest statement, what it owes.

Only the partner's own figures, in a fixed number of queries (one partner: no loop over others).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal


@dataclasses.dataclass(frozen=True)
class PortalSummary:
    score: object | None  # the latest PartnerScore
    next_step: dict | None  # "+6.20 points: raise collections" (scoring.explain.path_to_next_tier)
    targets: object | None  # targets.summary.Summary of the targets running today
    statement: object | None  # the latest settlement statement
    outstanding: Decimal
    overdue: Decimal


def portal_summary(partner, *, today: datetime.date, next_tier) -> PortalSummary:
    from facts.calculations import receivables_for
    from scoring.explain import path_to_next_tier
    from scoring.models import PartnerScore
    from settlements.models import Statement
    from targets import calculations
    from targets.models import Target
    from targets.summary import summarise

    score = PartnerScore.objects.filter(partner=partner).order_by("-day").first()
    running = list(Target.objects.filter(partner=partner, starts_on__lte=today, ends_on__gte=today))
    targets = summarise(running, calculations.figures(running, today)) if running else None
    statement = Statement.objects.filter(partner=partner).order_by("-ends_on").first()
    receivables = receivables_for(partner_id=partner.pk, day=today)
    return PortalSummary(
        score=score,
        next_step=path_to_next_tier(score, next_tier) if score is not None else None,
        targets=targets,
        statement=statement,
        outstanding=receivables.outstanding,
        overdue=receivables.overdue,
    )
