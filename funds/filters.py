"""FilterSets of funds, requests and claims: shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, MatchFilter, PartnerMatchFilter, PeriodFilter

from .models import DecisionStatus, Fund, FundClaim, FundRequest


class FundFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    period = PeriodFilter(field_name="period", label=_("Period"))
    tier = django_filters.CharFilter(method="filter_tier", label=_("Tier"))
    is_open = django_filters.BooleanFilter(label=_("Open for requests"))

    class Meta:
        model = Fund
        fields = ["q", "period", "tier", "is_open"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_tier(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(tiers=[]) | Q(tiers__contains=[value])) if value else queryset


class FundRequestFilter(FilterSet):
    q = MatchFilter(field_name="activity", label=_("Activity"))
    fund = MatchFilter(field_name="fund__code", label=_("Fund"))
    partner = PartnerMatchFilter(label=_("Partner"))
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices, label=_("Status"))
    planned_from = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte", label=_("Planned from"))
    planned_to = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte", label=_("Planned until"))

    class Meta:
        model = FundRequest
        fields = ["q", "fund", "partner", "status", "planned_from", "planned_to"]


PAYMENT_CHOICES = [("due", _("Waiting for a settlement run")), ("on_statement", _("On a statement")),
                   ("paid", _("Paid"))]  # fmt: skip


class FundClaimFilter(FilterSet):
    q = MatchFilter(field_name="request__activity", label=_("Activity"))
    fund = MatchFilter(field_name="request__fund__code", label=_("Fund"))
    partner = PartnerMatchFilter(label=_("Partner"))
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices, label=_("Status"))
    payment = django_filters.ChoiceFilter(choices=PAYMENT_CHOICES, method="filter_payment", label=_("Payment"))

    class Meta:
        model = FundClaim
        fields = ["q", "fund", "partner", "status", "payment"]

    def filter_payment(self, queryset, name, value):
        approved = queryset.filter(status=DecisionStatus.APPROVED)
        if value == "due":
            return approved.filter(statement_line__isnull=True)
        if value == "paid":
            return approved.filter(statement_line__statement__status="paid")
        return approved.filter(statement_line__isnull=False).exclude(statement_line__statement__status="paid")
