"""FilterSets for programs and agreements, shared by the pages and the API (on their latest version)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet

from .models import Basis, Method, PeriodChoice, ProfitShareAgreement, RebateProgram


def _search(queryset, name, value):
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProgramFilter(FilterSet):
    """Needs ``selectors.programs_with_latest`` (the latest version's fields are annotations)."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    basis = django_filters.ChoiceFilter(field_name="latest_basis", choices=Basis.choices, label=_("Basis"))
    method = django_filters.ChoiceFilter(field_name="latest_method", choices=Method.choices, label=_("Method"))
    period_kind = django_filters.ChoiceFilter(
        field_name="latest_period_kind", choices=PeriodChoice.choices, label=_("Period")
    )
    tier = django_filters.CharFilter(method="filter_tier", label=_("Tier"))

    class Meta:
        model = RebateProgram
        fields = ["q", "basis", "method", "period_kind", "tier"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, name, value)

    def filter_tier(self, queryset, name, value):
        """Programs that apply to the tier: those naming it, and those for every tier."""
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(latest_tiers=[]) | Q(latest_tiers__contains=[value]))


class AgreementFilter(FilterSet):
    """Needs ``selectors.agreements_with_latest``."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    period_kind = django_filters.ChoiceFilter(
        field_name="latest_period_kind", choices=PeriodChoice.choices, label=_("Period")
    )
    tier = django_filters.CharFilter(method="filter_tier", label=_("Tier"))

    class Meta:
        model = ProfitShareAgreement
        fields = ["q", "period_kind", "tier"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, name, value)

    def filter_tier(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(latest_rates__contains=[{"tier": value}]) if value else queryset
