"""FilterSets shared by the partner pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet

from .models import Partner, PartnerKind, PartnerStatus


class PartnerFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices, label=_("Status"))
    tier = django_filters.CharFilter(field_name="tier__code", label=_("Tier"))
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("Kind"))
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label=_("Region"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))

    class Meta:
        model = Partner
        fields = ["q", "status", "tier", "kind", "region", "tag"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(tax_id__iexact=value))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value]) if value else queryset
