"""FilterSets for targets and goals, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from common.periods import Period

from .models import CompanyGoal, Metric, Target


class PeriodFormField(forms.CharField):
    """A period as text (``2026-03``, ``2026-Q1``, ``2026``), cleaned to its canonical text."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return str(Period.parse(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid_period") from error


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodFormField


class TargetFilter(django_filters.FilterSet):
    partner = django_filters.CharFilter(field_name="partner__code", label=_("Partner code"))
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))
    period = PeriodFilter(field_name="period", label=_("Period"))
    goal = django_filters.NumberFilter(field_name="goal_id", label=_("Company goal"))

    class Meta:
        model = Target
        fields = ["partner", "metric", "period", "goal"]


class GoalFilter(django_filters.FilterSet):
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))
    period = PeriodFilter(field_name="period", label=_("Period"))

    class Meta:
        model = CompanyGoal
        fields = ["metric", "period"]
