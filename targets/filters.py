"""FilterSets for targets and goals, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, PeriodFilter

from .models import CompanyGoal, Metric, Target


class TargetFilter(FilterSet):
    partner = django_filters.CharFilter(field_name="partner__code", label=_("Partner code"))
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))
    period = PeriodFilter(field_name="period", label=_("Period"))
    goal = django_filters.NumberFilter(field_name="goal_id", label=_("Company goal"))

    class Meta:
        model = Target
        fields = ["partner", "metric", "period", "goal"]


class GoalFilter(FilterSet):
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))
    period = PeriodFilter(field_name="period", label=_("Period"))

    class Meta:
        model = CompanyGoal
        fields = ["metric", "period"]
