"""API shapes of leads. The vendor sees the partner and the assignment trail; a partner sees its own offer only.

``PartnerLeadSerializer`` carries no partner code, no rule, no candidate and no score: a partner
never learns who else was considered (SPEC §4.8).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import Partner
from qudao_api.fields import MoneyField, TenantCodeField, TextField

from . import words
from .models import COMPANY_MAX_LENGTH, REASON_MAX_LENGTH, Assignment, Lead

LEAD_READ_FIELDS = [
    "id", "company", "region", "industry", "value", "contact", "description", "status", "status_label",
    "offered_at", "due_at", "seconds_left", "accepted_at", "closed_at", "created_at",
]  # fmt: skip


class CandidateSerializer(serializers.Serializer):
    partner = serializers.CharField()
    score = serializers.CharField()
    open_leads = serializers.IntegerField()
    reason = serializers.CharField()
    reason_label = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    """One distribution of a lead: the rule, whom it was offered to, every candidate and why; the answer."""

    partner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    unassigned_reason_label = serializers.SerializerMethodField()
    sentence = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField()
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)
    outcome_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "partner", "rule", "rule_label", "trigger", "trigger_label", "cap", "offered_at", "due_at",
            "outcome", "outcome_label", "outcome_at", "outcome_by", "outcome_reason", "unassigned_reason",
            "unassigned_reason_label", "sentence", "candidates", "actor",
        ]  # fmt: skip

    def get_unassigned_reason_label(self, assignment) -> str:
        return words.unassigned_label(assignment.unassigned_reason) if assignment.unassigned_reason else ""

    def get_sentence(self, assignment) -> str:
        return words.assignment_sentence(assignment)

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, assignment) -> list[dict]:
        return [
            {key: row[key] for key in ("partner", "score", "open_leads", "reason", "reason_label")}
            for row in words.candidate_rows(assignment)
        ]


class _LeadReadMixin(serializers.Serializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    seconds_left = serializers.SerializerMethodField(help_text=_("Seconds left to answer an offer (0 once past)."))

    @extend_schema_field(OpenApiTypes.INT)
    def get_seconds_left(self, lead) -> int | None:
        if lead.status != "offered" or lead.due_at is None:
            return None
        return max(0, int((lead.due_at - timezone.now()).total_seconds()))


class PartnerLeadSerializer(_LeadReadMixin, serializers.ModelSerializer):
    """A lead as the partner it is offered to sees it: the customer and the time left, nothing of the distribution."""

    value = MoneyField(read_only=True)

    class Meta:
        model = Lead
        fields = LEAD_READ_FIELDS
        read_only_fields = LEAD_READ_FIELDS


class LeadSerializer(_LeadReadMixin, serializers.ModelSerializer):
    """A lead as the vendor sees it: its partner, why it waits (when unassigned) and its latest assignment."""

    value = MoneyField(read_only=True)
    partner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unassigned_reason_label = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = [*LEAD_READ_FIELDS, "partner", "unassigned_reason", "unassigned_reason_label"]
        read_only_fields = fields

    def get_unassigned_reason_label(self, lead) -> str:
        return words.unassigned_label(lead.unassigned_reason) if lead.unassigned_reason else ""


class LeadWithAssignmentSerializer(LeadSerializer):
    """The answer to a new lead (and to a vendor's move): the lead and the assignment just made."""

    assignment = serializers.SerializerMethodField()

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "assignment"]
        read_only_fields = fields

    @extend_schema_field(AssignmentSerializer)
    def get_assignment(self, lead) -> dict | None:
        assignment = getattr(lead, "assignment", None)
        if assignment is None:
            assignment = (
                lead.assignments.select_related("partner", "actor", "outcome_by").order_by("-offered_at", "-id").first()
            )
        return AssignmentSerializer(assignment).data if assignment is not None else None


class LeadCreateSerializer(serializers.Serializer):
    company = TextField(max_length=COMPANY_MAX_LENGTH)
    region = TextField(max_length=100)
    industry = TextField(max_length=100)
    value = MoneyField(required=False, min_value=0, help_text=_('What the customer may buy, e.g. "120000.00"'))
    contact = TextField(required=False, allow_blank=True, max_length=200, default="")
    description = TextField(required=False, allow_blank=True, max_length=4000, default="")

    def validate_value(self, value):
        if value is not None and value < 0:
            raise serializers.ValidationError(_("The value cannot be negative."))
        return value


class DeclineSerializer(serializers.Serializer):
    reason = TextField(max_length=REASON_MAX_LENGTH, help_text=_("Why the partner does not take the lead"))


class LostSerializer(serializers.Serializer):
    reason = TextField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    partner = TenantCodeField(
        Partner, required=False, allow_null=True, help_text=_("The partner's code; none: distribute by the rules again")
    )
    note = TextField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")
