"""API shapes of funds, requests and claims (SPEC §6): partners and funds by code, money as text.

A partner-side member reads the funds open to its tier with its own figures only: never the budget,
what is left of it, nor what other partners asked for or were granted.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qudao_api.fields import DateField, MoneyField, PeriodField, TextField

from . import selectors
from .models import (
    ACTIVITY_MAX_LENGTH,
    PLAN_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ClaimFile,
    Fund,
    FundClaim,
    FundEvent,
    FundRequest,
)

FIGURE_FIELDS = ["approved", "waiting", "claimed", "claims_approved", "on_statements", "paid"]


class FundEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = FundEvent
        fields = ["action", "action_label", "from_status", "to_status", "amount", "actor", "note", "created_at",
                  "request", "claim"]  # fmt: skip
        read_only_fields = fields


class FundSerializer(serializers.ModelSerializer):
    """A fund with its figures: ``approved`` (requests), ``remaining`` (budget − approved), ``claimed``, ``paid``."""

    approved = MoneyField(read_only=True)
    waiting = MoneyField(read_only=True)
    claimed = MoneyField(read_only=True)
    claims_approved = MoneyField(read_only=True)
    on_statements = MoneyField(read_only=True)
    paid = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True)

    class Meta:
        model = Fund
        fields = ["id", "code", "name", "description", "period", "starts_on", "ends_on", "tiers", "is_open",
                  "budget", "remaining", *FIGURE_FIELDS, "created_at"]  # fmt: skip
        read_only_fields = fields


class PartnerFundSerializer(serializers.ModelSerializer):
    """A fund as a partner sees it: what it is for, and the partner's own requests' and claims' figures."""

    approved = MoneyField(read_only=True)
    waiting = MoneyField(read_only=True)
    claimed = MoneyField(read_only=True)
    claims_approved = MoneyField(read_only=True)
    on_statements = MoneyField(read_only=True)
    paid = MoneyField(read_only=True)

    class Meta:
        model = Fund
        fields = ["id", "code", "name", "description", "period", "starts_on", "ends_on", "tiers", "is_open",
                  *FIGURE_FIELDS]  # fmt: skip
        read_only_fields = fields


class FundWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=32)
    name = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True, max_length=5000)
    period = PeriodField()
    budget = MoneyField()
    tiers = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, max_length=20)
    is_open = serializers.BooleanField(required=False, default=True)

    def validate_budget(self, value):
        if value < 0:
            raise serializers.ValidationError(_("A budget cannot be negative."))
        return value


class FundUpdateSerializer(serializers.Serializer):
    name = TextField(max_length=200, required=False)
    description = TextField(required=False, allow_blank=True, max_length=5000)
    budget = MoneyField(required=False)
    tiers = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, max_length=20)
    is_open = serializers.BooleanField(required=False)

    def validate_budget(self, value):
        if value < 0:
            raise serializers.ValidationError(_("A budget cannot be negative."))
        return value


class FundRequestSerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.code", read_only=True)
    fund_name = serializers.CharField(source="fund.name", read_only=True)
    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    claimable = serializers.SerializerMethodField()

    class Meta:
        model = FundRequest
        fields = ["id", "fund", "fund_name", "partner", "partner_name", "activity", "planned_on", "amount", "plan",
                  "status", "status_label", "approved_amount", "claimable", "decision_reason", "requested_by",
                  "decided_by", "decided_at", "created_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_claimable(self, request: FundRequest) -> str:
        """What the partner may still claim on it."""
        return f"{selectors.request_claimable(request):.2f}"


class FundRequestDetailSerializer(FundRequestSerializer):
    history = serializers.SerializerMethodField()

    class Meta(FundRequestSerializer.Meta):
        fields = [*FundRequestSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(FundEventSerializer(many=True))
    def get_history(self, request: FundRequest):
        return FundEventSerializer(selectors.history_of(request=request), many=True).data


class FundRequestCreateSerializer(serializers.Serializer):
    fund = serializers.CharField(max_length=32)
    activity = TextField(max_length=ACTIVITY_MAX_LENGTH)
    planned_on = DateField()
    amount = MoneyField()
    plan = TextField(required=False, allow_blank=True, max_length=PLAN_MAX_LENGTH)

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("Ask for more than 0.00."))
        return value


class FundDecisionSerializer(serializers.Serializer):
    """``approve``: optionally a lower ``amount`` with a ``reason``."""

    amount = MoneyField(required=False, allow_null=True)
    reason = TextField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)


class RejectSerializer(serializers.Serializer):
    reason = TextField(max_length=REASON_MAX_LENGTH)


class ClaimFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_filename", read_only=True)
    size = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimFile
        fields = ["id", "name", "size", "url"]
        read_only_fields = fields

    def get_size(self, proof: ClaimFile) -> int | None:
        try:
            return proof.file.size
        except (OSError, ValueError):
            return None

    def get_url(self, proof: ClaimFile) -> str:
        tenant = self.context.get("tenant")
        return reverse("funds:proof", kwargs={"tenant_slug": tenant.slug, "pk": proof.pk}) if tenant else ""


class FundClaimSerializer(serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    fund = serializers.CharField(source="request.fund.code", read_only=True)
    activity = serializers.CharField(source="request.activity", read_only=True)
    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    claimed_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    files = ClaimFileSerializer(many=True, read_only=True)
    payment = serializers.SerializerMethodField()

    class Meta:
        model = FundClaim
        fields = ["id", "request", "fund", "activity", "partner", "partner_name", "amount", "description", "status",
                  "status_label", "approved_amount", "decision_reason", "claimed_by", "decided_by", "decided_at",
                  "decided_on", "files", "payment", "created_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_payment(self, claim: FundClaim) -> dict:
        """``state``: waiting (undecided), none (rejected), due (approved, not on a statement yet), or the status of
        the statement it is on (draft, disputed, approved, paid), with that statement's id and period."""
        state = selectors.payment_state(claim)
        line = claim.statement_line if claim.statement_line_id else None
        return {
            "state": state,
            "statement": line.statement_id if line else None,
            "period": line.statement.period if line else None,
        }


class FundClaimDetailSerializer(FundClaimSerializer):
    history = serializers.SerializerMethodField()

    class Meta(FundClaimSerializer.Meta):
        fields = [*FundClaimSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(FundEventSerializer(many=True))
    def get_history(self, claim: FundClaim):
        return FundEventSerializer(selectors.history_of(claim=claim), many=True).data


class FundClaimCreateSerializer(serializers.Serializer):
    """Multipart: ``request`` (id), ``amount``, ``description``, and one ``files`` part per proof file."""

    request = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    amount = MoneyField()
    description = TextField(required=False, allow_blank=True, max_length=PLAN_MAX_LENGTH)
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("Claim more than 0.00."))
        return value
