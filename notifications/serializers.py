"""API shapes of the inbox, the preferences and the webhooks. A webhook's secret is write-only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from qudao_api.fields import TextField
from qudao_api.serializers import ModelSerializer

from . import events
from .models import WEBHOOK_URL_MAX_LENGTH, Delivery, Notification, Webhook, WebhookKind


class NotificationSerializer(ModelSerializer):
    event_label = serializers.CharField(read_only=True)
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "event_label", "subject", "body", "url", "read", "read_at", "created_at"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many unread notifications were marked read."))
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    """One event of the grid: does it reach the member in the app, by e-mail? Left out: unchanged."""

    event = serializers.ChoiceField(choices=[(event.code, event.code) for event in events.choosable()])
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class WebhookSerializer(ModelSerializer):
    """A webhook; ``secret`` may be written (an empty one keeps the saved secret) and is never answered."""

    kind = serializers.ChoiceField(choices=WebhookKind.choices, default=WebhookKind.GENERIC)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = TextField(max_length=WEBHOOK_URL_MAX_LENGTH, help_text=_("https://… (or http://…)"))
    secret = TextField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Generic: signs each body (HMAC-SHA256). DingTalk: the robot's signing secret (SEC…)."),
    )
    has_secret = serializers.SerializerMethodField()
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=events.subscribable_choices()), allow_empty=True, max_length=100
    )
    event_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Webhook
        fields = [
            "id", "kind", "kind_label", "name", "url", "secret", "has_secret", "events", "event_labels", "is_active",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_has_secret(self, webhook: Webhook) -> bool:
        return bool(webhook.secret)


class DeliverySerializer(ModelSerializer):
    delivery_id = serializers.UUIDField(source="uuid", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    event_label = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "delivery_id", "channel", "channel_label", "event", "event_label", "subject", "status",
            "status_label", "attempts", "status_code", "answer", "error", "next_attempt_at", "finished_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields
