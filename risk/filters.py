"""FilterSets of risk: alerts (pages and API) and the partners of the receivables overview."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet
from partners.models import Partner, PartnerStatus

from .models import LIVE_STATUSES, Alert, AlertRule, AlertStatus, Severity

LIVE = "live"
STATUS_CHOICES = [(LIVE, _("Open or acknowledged")), *AlertStatus.choices]


def _partner_search(queryset, prefix: str, value: str):
    text = value.strip()
    if not text:
        return queryset
    return queryset.filter(Q(**{f"{prefix}code__icontains": text}) | Q(**{f"{prefix}name__icontains": text}))


class AlertFilter(FilterSet):
    rule = django_filters.ChoiceFilter(choices=AlertRule.choices, label=_("Rule"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    partner = django_filters.CharFilter(method="filter_partner", label=_("Partner code or name"))
    manager = django_filters.NumberFilter(field_name="partner__manager_id", label=_("Channel manager"))

    class Meta:
        model = Alert
        fields = ["rule", "severity", "status", "partner", "manager"]

    def filter_status(self, queryset, name, value):
        if value == LIVE:
            return queryset.filter(status__in=LIVE_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_partner(self, queryset, name, value):
        return _partner_search(queryset, "partner__", value)


class ReceivablesFilter(FilterSet):
    """The partners of the receivables overview: search, tier, region, manager, status."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    tier = django_filters.CharFilter(field_name="tier__code", lookup_expr="iexact", label=_("Tier"))
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label=_("Region"))
    manager = django_filters.NumberFilter(field_name="manager_id", label=_("Channel manager"))
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices, label=_("Status"))

    class Meta:
        model = Partner
        fields = ["q", "tier", "region", "manager", "status"]

    def filter_search(self, queryset, name, value):
        return _partner_search(queryset, "", value)
