"""Reads for goals and targets: coverage of goals, and the periods there are targets for."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from common.periods import Period

from .models import CompanyGoal, Target


def with_allocated(goals: QuerySet[CompanyGoal]) -> QuerySet[CompanyGoal]:
    """Annotate ``allocated``: the sum of each goal's partner targets (its coverage, in one query)."""
    return goals.annotate(
        allocated=Coalesce(
            Sum("targets__value"), Value(Decimal("0")), output_field=DecimalField(max_digits=18, decimal_places=2)
        )
    ).order_by("-starts_on", "metric", "pk")  # a GROUP BY query ignores Meta.ordering


def target_periods(targets: QuerySet[Target], *, include: Period | None = None) -> list[Period]:
    """The periods the given targets are set for (plus ``include``), latest first, shortest first."""
    texts = targets.order_by().values_list("period", flat=True).distinct()
    periods = {Period.parse(text, within_limits=False) for text in texts}  # as stored, whatever the year
    if include is not None:
        periods.add(include)
    return sorted(periods, key=lambda period: (period.start, -period.days), reverse=True)
