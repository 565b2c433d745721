"""FilterSets for settlement runs and statements, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, PartnerMatchFilter, PeriodFilter

from .models import SettlementRun, Statement, StatementStatus


class StatementFilter(FilterSet):
    period = PeriodFilter(field_name="period", label=_("Period"))
    partner = django_filters.CharFilter(field_name="partner__code", lookup_expr="iexact", label=_("Partner code"))
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices, label=_("Status"))
    search = PartnerMatchFilter(label=_("Partner code or name"))

    class Meta:
        model = Statement
        fields = ["period", "partner", "status", "search"]


class SettlementRunFilter(FilterSet):
    period = PeriodFilter(field_name="period", label=_("Period"))
    status = django_filters.ChoiceFilter(choices=SettlementRun.Status.choices, label=_("Status"))

    class Meta:
        model = SettlementRun
        fields = ["period", "status"]
