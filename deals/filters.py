"""The FilterSet of deals, shared by the pages and the API: status, partner, customer, in conflict."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from common.dates import tenant_today
from common.filters import FilterSet, PartnerMatchFilter
from tenancy.context import require_tenant

from .models import Deal, DealStatus
from .selectors import claiming

PROTECTED = "protected"
STATUS_CHOICES = [*DealStatus.choices, (PROTECTED, _("Approved and protected"))]


class DealFilter(FilterSet):
    """``?status=&partner=&customer=&conflict=1``: a partner by code or name; a customer by any part of its name
    or its tax id; ``conflict``: only deals in conflict with another partner's (vendor members)."""

    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("Status"))
    partner = PartnerMatchFilter(label=_("Partner"))
    customer = django_filters.CharFilter(method="filter_customer", label=_("Customer"))
    conflict = django_filters.BooleanFilter(method="filter_conflict", label=_("In conflict"))

    class Meta:
        model = Deal
        fields = ["status", "partner", "customer", "conflict"]

    def filter_status(self, queryset, name, value):
        if value == PROTECTED:
            return queryset.filter(status=DealStatus.APPROVED, protected_until__gte=tenant_today(require_tenant()))
        return queryset.filter(status=value)

    def filter_customer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(customer__icontains=value) | Q(customer_tax_id__iexact=value))

    def filter_conflict(self, queryset, name, value):
        if value is None:
            return queryset
        condition = in_conflict()
        return queryset.filter(condition) if value else queryset.exclude(condition)


def in_conflict() -> Q:
    """Deals that claim their customer and whose customer another partner's deal claims too."""
    day = tenant_today(require_tenant())
    others = (
        Deal.objects.filter(claiming(day))
        .exclude(partner_id=OuterRef("partner_id"))
        .filter(
            Q(customer_key=OuterRef("customer_key"))
            | (Q(customer_tax_id=OuterRef("customer_tax_id")) & ~Q(customer_tax_id=""))
        )
    )
    return claiming(day) & Q(Exists(others))
