"""The FilterSets of communication, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet, MatchFilter, PartnerMatchFilter, PeriodFilter

from . import selectors
from .models import ActionStatus, Announcement, Category, Review, Ticket, TicketStatus

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class AnnouncementFilter(FilterSet):
    q = MatchFilter(field_name="title", label=_("Search"))
    requires_acknowledgement = django_filters.BooleanFilter(label=_("Requires acknowledgement"))

    class Meta:
        model = Announcement
        fields = ["q", "requires_acknowledgement"]


class ReviewFilter(FilterSet):
    partner = PartnerMatchFilter(label=_("Partner"))
    period = PeriodFilter(field_name="period", label=_("Period"))
    overdue = django_filters.ChoiceFilter(label=_("Overdue action items"), choices=YES_NO, method="filter_overdue")

    class Meta:
        model = Review
        fields = ["partner", "period"]

    def filter_overdue(self, queryset, name, value):
        from common.dates import tenant_today

        today = tenant_today(self.request.tenant) if self.request is not None else None
        if today is None or not value:
            return queryset
        has = {"actions__status": ActionStatus.OPEN, "actions__due_on__lt": today}
        return queryset.filter(**has).distinct() if value == "yes" else queryset.exclude(**has)


class TicketFilter(FilterSet):
    partner = PartnerMatchFilter(label=_("Partner"))
    q = MatchFilter(field_name="subject", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    breached = django_filters.ChoiceFilter(label=_("SLA breached"), choices=YES_NO, method="filter_breached")

    class Meta:
        model = Ticket
        fields = ["partner", "q", "status", "category"]

    def filter_breached(self, queryset, name, value):
        if value == "yes":
            return selectors.breached(queryset)
        if value == "no":
            return queryset.exclude(pk__in=selectors.breached(queryset).values("pk"))
        return queryset
