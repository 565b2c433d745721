"""API shapes of risk alerts and thresholds (SPEC §6): a partner by its code, money as text, labels beside codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qudao_api.fields import TextField

from . import words
from .calculations import DAYS_RANGE, DROP_PERCENT_RANGE, PERCENT_RANGE
from .models import NOTE_MAX_LENGTH, Alert, AlertEvent


def _currency(context) -> str:
    tenant = context.get("tenant")
    return tenant.currency if tenant is not None else "CNY"


class AlertEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SerializerMethodField()
    words = serializers.SerializerMethodField()

    class Meta:
        model = AlertEvent
        fields = [
            "id", "action", "action_label", "from_severity", "to_severity", "from_status", "to_status", "actor",
            "day", "note", "words", "details", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_actor(self, event: AlertEvent) -> str | None:
        """Who made the change; null for the nightly run."""
        return event.actor.email if event.actor_id else None

    def get_words(self, event: AlertEvent) -> str:
        return words.event_words(event, _currency(self.context), event.alert.rule)


class AlertSerializer(serializers.ModelSerializer):
    """An alert: the partner, the rule and how bad, what was found (``summary``, ``evidence``), who did what."""

    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    summary = serializers.SerializerMethodField()
    acknowledged_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    resolved_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    resolved_automatically = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "partner", "partner_name", "rule", "rule_label", "severity", "severity_label", "status",
            "status_label", "summary", "evidence", "raised_on", "evaluated_on", "raised_at", "escalated_at",
            "acknowledged_by", "acknowledged_at", "resolved_on", "resolved_by", "resolved_at", "resolution_note",
            "resolved_automatically",
        ]  # fmt: skip
        read_only_fields = fields

    def get_summary(self, alert: Alert) -> str:
        return words.alert_summary(alert, _currency(self.context))


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="")


class AlertResolveSerializer(serializers.Serializer):
    note = TextField(max_length=NOTE_MAX_LENGTH, help_text=_("How the alert was dealt with."))


def _whole(low_high: tuple[int, int], help_text) -> serializers.IntegerField:
    low, high = low_high
    return serializers.IntegerField(min_value=low, max_value=high, help_text=help_text)


class RiskRuleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    text = serializers.CharField()


class RiskSettingsSerializer(serializers.Serializer):
    """The tenant's risk thresholds; ``rules`` says in words what they mean (read-only)."""

    credit_warning_percent = _whole(PERCENT_RANGE, _("Utilisation (percent of the credit limit) from which a warning."))
    credit_critical_percent = _whole(PERCENT_RANGE, _("Utilisation (percent of the credit limit) from which critical."))
    overdue_warning_days = _whole(DAYS_RANGE, _("Days overdue from which a warning."))
    overdue_critical_days = _whole(DAYS_RANGE, _("Days overdue from which critical."))
    performance_drop_percent = _whole(
        DROP_PERCENT_RANGE, _("Last 30 days' sales below this percentage of the 180-day monthly average: a warning.")
    )
    contract_expiry_days = _whole(DAYS_RANGE, _("A last contract ending within these days: info."))
    rules = RiskRuleSerializer(many=True, read_only=True)
