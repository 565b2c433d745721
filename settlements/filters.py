"""FilterSets for settlement runs and statements, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from targets.filters import PeriodFilter

from .models import SettlementRun, Statement, StatementStatus


class StatementFilter(django_filters.FilterSet):
    period = PeriodFilter(field_name="period", label=_("Period"))
    partner = django_filters.CharFilter(field_name="partner__code", lookup_expr="iexact", label=_("Partner code"))
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices, label=_("Status"))
    search = django_filters.CharFilter(method="filter_search", label=_("Partner code or name"))

    class Meta:
        model = Statement
        fields = ["period", "partner", "status", "search"]

    def filter_search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(partner__code__icontains=text) | Q(partner__name__icontains=text))


class SettlementRunFilter(django_filters.FilterSet):
    period = PeriodFilter(field_name="period", label=_("Period"))
    status = django_filters.ChoiceFilter(choices=SettlementRun.Status.choices, label=_("Status"))

    class Meta:
        model = SettlementRun
        fields = ["period", "status"]
