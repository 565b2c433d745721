"""The FilterSet of leads, shared by the pages and the API: status, region, industry, partner, search."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, MatchFilter, PartnerMatchFilter

from .models import OPEN_STATUSES, Lead, LeadStatus

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Offered or accepted")), *LeadStatus.choices]


class LeadFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    region = MatchFilter(field_name="region", label=_("Region"))
    industry = MatchFilter(field_name="industry", label=_("Industry"))
    partner = PartnerMatchFilter(label=_("Partner code or name"))

    class Meta:
        model = Lead
        fields = ["q", "status", "region", "industry", "partner"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(company__icontains=text) | Q(contact__icontains=text))
