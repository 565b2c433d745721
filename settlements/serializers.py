"""API shapes of settlement runs and statements (SPEC §6): money as strings with two places, a partner by code.

Partner-side members see their statements whole, but not which vendor member did what: a
line or event's person shows only to the vendor (a dispute is the partner's own, and shows).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.periods import Period
from targets.serializers import PeriodField

from . import selectors
from .models import SettlementRun, Statement, StatementEvent, StatementLine
from .services.statements import REASON_MAX_LENGTH

MONEY = {"max_digits": 16, "decimal_places": 2}


def _is_partner_side(context) -> bool:
    membership = context.get("membership")
    return membership is None or membership.is_partner_side


class SettlementRunSerializer(serializers.ModelSerializer):
    """A run: where it stands (live progress while it computes), what it wrote, why it failed."""

    period_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    started_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    total = serializers.DecimalField(**MONEY, read_only=True)
    error = serializers.CharField(source="reason", read_only=True)

    class Meta:
        model = SettlementRun
        fields = [
            "id", "period", "period_label", "starts_on", "ends_on", "status", "status_label", "progress",
            "started_by", "started_at", "finished_at", "statements_count", "lines_count", "skipped_count",
            "total", "error", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: SettlementRun):
        return super().to_representation(instance.load_live_progress())

    def get_period_label(self, run: SettlementRun) -> str:
        return Period.parse(run.period).label


class SettlementRunStartSerializer(serializers.Serializer):
    period = PeriodField(max_length=16, help_text=_("2026-03 (month), 2026-Q1 (quarter) or 2026 (year)"))


class StatementSerializer(serializers.ModelSerializer):
    """A statement as listed: partner, period, status, total and who approved and paid it."""

    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    period_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    total = serializers.DecimalField(**MONEY, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id", "partner", "partner_name", "period", "period_label", "starts_on", "ends_on", "status",
            "status_label", "currency", "total", "dispute_reason", "approved_at", "paid_at", "payment_reference",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_period_label(self, statement: Statement) -> str:
        return Period.parse(statement.period).label


class StatementLineSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source = serializers.SerializerMethodField()
    basis = serializers.DecimalField(**MONEY, read_only=True)
    rate_percent = serializers.DecimalField(max_digits=9, decimal_places=4, read_only=True)
    amount = serializers.DecimalField(**MONEY, read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = StatementLine
        fields = [
            "id", "kind", "kind_label", "source_code", "source_version", "source", "basis", "rate_percent",
            "amount", "explanation", "details", "reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_source(self, line: StatementLine) -> str:
        return selectors.source_label(
            line, self.context.get("source_names", {}), show_people=not _is_partner_side(self.context)
        )

    def get_explanation(self, line: StatementLine) -> str:
        statement = self.context["statement"]
        return selectors.line_explanation(line, period=Period.parse(statement.period), currency=statement.currency)


class StatementEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StatementEvent
        fields = ["id", "action", "action_label", "from_status", "to_status", "actor", "note", "details", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_actor(self, event: StatementEvent) -> str | None:
        if event.actor_id is None:
            return None
        if _is_partner_side(self.context) and event.action != StatementEvent.Action.DISPUTED:
            return None  # the vendor's people stay the vendor's
        return event.actor.email


class StatementDetailSerializer(StatementSerializer):
    """A statement with its lines (each explained) and its history."""

    approved_by = serializers.SerializerMethodField()
    paid_by = serializers.SerializerMethodField()
    last_changed_by = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "approved_by", "paid_by", "last_changed_by", "lines", "events"]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_approved_by(self, statement: Statement) -> str | None:
        return statement.approved_by.email if statement.approved_by_id else None  # on the PDF too

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_paid_by(self, statement: Statement) -> str | None:
        if _is_partner_side(self.context) or statement.paid_by_id is None:
            return None
        return statement.paid_by.email

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_last_changed_by(self, statement: Statement) -> str | None:
        if _is_partner_side(self.context) or statement.last_changed_by_id is None:
            return None
        return statement.last_changed_by.email

    @extend_schema_field(StatementLineSerializer(many=True))
    def get_lines(self, statement: Statement) -> list:
        lines = list(statement.lines.all())
        context = {**self.context, "statement": statement, "source_names": selectors.source_names(lines)}
        return StatementLineSerializer(lines, many=True, context=context).data

    @extend_schema_field(StatementEventSerializer(many=True))
    def get_events(self, statement: Statement) -> list:
        return StatementEventSerializer(statement.events.all(), many=True, context=self.context).data


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text=_("Why the statement is wrong"))
    line = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("The id of the line disputed, if one")
    )


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text=_("The answer to the dispute"))


class MarkPaidSerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100, help_text=_("The payment's reference"))


class AdjustmentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, help_text=_("Positive pays more, negative less; not 0"))
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
