"""FilterSets of the inbox and of a webhook's delivery log, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from common.filters import FilterSet

from .models import Delivery, DeliveryStatus, Notification


def _event_choices():
    from . import events

    return [(event.code, event.label) for event in events.EVENTS.values()]


class NotificationFilter(FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread only"))
    event = django_filters.ChoiceFilter(choices=_event_choices, label=_("Event"))

    class Meta:
        model = Notification
        fields = ["unread", "event"]


class DeliveryFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label=_("Status"))
    event = django_filters.ChoiceFilter(choices=_event_choices, label=_("Event"))

    class Meta:
        model = Delivery
        fields = ["status", "event"]
