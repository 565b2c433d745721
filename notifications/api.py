"""``notifications/`` and ``webhooks/`` (SPEC §6).

Notifications: every member reads and marks their own (another member's is a 404, like another
tenant's); the list answers with the member's ``unread`` count beside ``count``; the member's
choices of channel per event are at ``notifications/preferences/``. Webhooks: the tenant's
administrators only; a secret is written, never answered; ``{id}/test/`` sends a test message now
and answers with what the receiver said; ``{id}/deliveries/`` is the webhook's log.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from qudao_api.pagination import PageNumberPagination
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability, Role

from . import selectors, services
from .filters import DeliveryFilter, NotificationFilter
from .models import DeliveryStatus, Notification, Webhook
from .serializers import (
    DeliverySerializer,
    NotificationSerializer,
    PreferenceSerializer,
    ReadAllSerializer,
    WebhookSerializer,
)


class InboxPagination(PageNumberPagination):
    """A page of the inbox, with how many of the member's notifications are unread."""

    unread = 0

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"count": response.data["count"], "unread": self.unread,
                         **{key: value for key, value in response.data.items() if key != "count"}}  # fmt: skip
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"] = {
            "count": described["properties"]["count"],
            "unread": {"type": "integer", "example": 3},
            **{key: value for key, value in described["properties"].items() if key != "count"},
        }
        described["required"] = [*described.get("required", []), "unread"]
        return described


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The signed-in member's own notifications, newest first (``?unread=true``, ``?event=``)."""

    model = Notification
    partner_field = None  # a notification is its recipient's, whatever the partner: narrowed to them below
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    pagination_class = InboxPagination
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "head", "options"]

    def required_capability(self):
        return None  # every member reads, marks and chooses for their own inbox, and only their own

    def narrow_queryset(self, queryset):
        return queryset.filter(recipient=self.membership).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        self.paginator.unread = selectors.unread_count(self.membership)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def read(self, request, *args, **kwargs):
        """Mark one notification read."""
        notification = services.notification_read(membership=self.membership, notification_id=self.get_object().pk)
        return Response(NotificationSerializer(notification, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None, pagination_class=None)
    def read_all(self, request, *args, **kwargs):
        """Mark every unread notification read."""
        marked = services.notifications_read_all(membership=self.membership)
        return Response({"marked": marked, "unread": 0})

    @extend_schema(methods=["GET"], request=None, responses=PreferenceSerializer(many=True))
    @extend_schema(methods=["PUT"], request=PreferenceSerializer(many=True), responses=PreferenceSerializer(many=True))
    @action(detail=False, methods=["get", "put"], filterset_class=None, pagination_class=None)
    def preferences(self, request, *args, **kwargs):
        """Which events reach the member in the app and by e-mail; PUT a list of ``{event, in_app?, email?}``."""
        if request.method == "PUT":
            serializer = PreferenceSerializer(data=request.data, many=True, max_length=100)
            serializer.is_valid(raise_exception=True)
            grid = selectors.preferences_of(self.membership)
            current = {choice.code: (choice.in_app, choice.email) for choice in grid}
            choices = {}
            for item in serializer.validated_data:
                in_app, email = choices.get(item["event"], current[item["event"]])
                choices[item["event"]] = (item.get("in_app", in_app), item.get("email", email))
            grid = services.preferences_set(membership=self.membership, choices=choices)
        else:
            grid = selectors.preferences_of(self.membership)
        rows = [{"event": c.code, "label": c.label, "in_app": c.in_app, "email": c.email} for c in grid]
        return Response(PreferenceSerializer(rows, many=True).data)


class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, mixins.DestroyModelMixin, TenantViewSet):  # fmt: skip
    """The tenant's webhooks (administrators only)."""

    model = Webhook
    partner_field = None
    read_roles = frozenset({Role.ADMIN})
    write_capability = Capability.MANAGE_SETTINGS
    serializer_class = WebhookSerializer
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.webhook_create(actor=self.membership, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.webhook_update(
            actor=self.membership, webhook=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.webhook_delete(actor=self.membership, webhook=instance)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], pagination_class=None)
    def test(self, request, *args, **kwargs):
        """Send a test message now (even to a switched-off webhook) and answer with how it went."""
        delivery = services.webhook_send_test(webhook=self.get_object(), actor=self.membership)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses=DeliverySerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=DeliveryStatus.values, description=_("sent, failed or pending")),
            OpenApiParameter("event", str, description=_("An event code")),
        ],
    )
    @action(detail=True, methods=["get"], serializer_class=DeliverySerializer)
    def deliveries(self, request, *args, **kwargs):
        """The webhook's delivery log, newest first (``?status=``, ``?event=``)."""
        filterset = DeliveryFilter(request.query_params, queryset=selectors.deliveries_of(self.get_object()))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
