"""FilterSets of due diligence: the pipeline (pages) and the checklist items (API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.dates import tenant_today
from common.filters import FilterSet
from partners.models import Partner, PartnerStatus
from tenancy.context import require_tenant

from .models import ChecklistItem, Gate

PIPELINE_STATUSES = [
    (value, label)
    for value, label in PartnerStatus.choices
    if value in (PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING, PartnerStatus.PILOT)
]


class PipelineFilter(FilterSet):
    """Partners on the way in: prospects, onboarding and pilot partners."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=PIPELINE_STATUSES, label=_("Status"))
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label=_("Region"))
    pilot = django_filters.ChoiceFilter(
        method="filter_pilot",
        choices=[("running", _("Pilot running")), ("ended", _("Pilot ended, undecided"))],
        label=_("Pilot"),
    )

    class Meta:
        model = Partner
        fields = ["q", "status", "region", "pilot"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(tax_id__iexact=value))

    def filter_pilot(self, queryset, name, value):
        today = tenant_today(require_tenant())
        pilots = queryset.filter(status=PartnerStatus.PILOT)
        if value == "ended":
            return pilots.filter(pilot_ends_on__lt=today)
        return pilots.filter(pilot_ends_on__gte=today)


class ChecklistItemFilter(FilterSet):
    gate = django_filters.ChoiceFilter(choices=Gate.choices, label=_("Gates"))
    is_active = django_filters.BooleanFilter(label=_("In use"))

    class Meta:
        model = ChecklistItem
        fields = ["gate", "is_active"]
