from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from qudao_api.fields import DateField, MoneyField, TenantCodeField, TextField, code_text
from qudao_api.serializers import ModelSerializer
from tenancy.models import Membership
from tenancy.roles import Capability, role_can

from .models import REASON_MAX_LENGTH, Contract, Partner, PartnerKind, PartnerStatus, Tier


class TierSerializer(ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "code", "name", "rank", "min_score", "benefits"]


class UserEmailField(serializers.SlugRelatedField):
    """A vendor member named by e-mail."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.all())
        super().__init__(slug_field="email", **kwargs)

    def to_internal_value(self, data):
        user = get_user_model().objects.filter(email__iexact=code_text(data)).first()
        if user is None or not Membership.objects.filter(user=user).exists():
            raise serializers.ValidationError(_("No member with e-mail “%(email)s”.") % {"email": data})
        return user


class PartnerSerializer(ModelSerializer):
    tier = TenantCodeField(Tier)
    manager = UserEmailField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    status = serializers.ChoiceField(choices=PartnerStatus.choices, required=False)
    reason = TextField(write_only=True, required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        model = Partner
        fields = [
            "id", "code", "name", "kind", "region", "industries", "tags", "status", "tier",
            "credit_limit", "pilot_credit_limit", "pilot_ends_on", "payment_terms_days", "tax_id", "manager",
            "joined_on", "internal_notes", "reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"code": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not role_can(membership.role, Capability.SEE_INTERNAL):
            data.pop("internal_notes", None)
        return data


class PartnerTierChangeSerializer(serializers.Serializer):
    tier = TenantCodeField(Tier)
    effective_on = DateField()
    reason = TextField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class PartnerStatusChangeSerializer(serializers.Serializer):
    """A move along the partner's workflow; entering the pilot takes its terms (or finds them on the partner)."""

    status = serializers.ChoiceField(choices=PartnerStatus.choices)
    effective_on = DateField(required=False, help_text=_("Today unless given; earlier days are history loads."))
    reason = TextField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
    pilot_credit_limit = MoneyField(required=False, allow_null=True, min_value=0)
    pilot_ends_on = DateField(required=False, allow_null=True)
    loading_history = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("An administrator loading back-dated history: around the workflow's table and the checklist."),
    )


class PartnerHistorySerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    field_from = serializers.CharField(source="from")
    field_to = serializers.CharField(source="to")
    effective_on = serializers.DateField()
    changed_by = serializers.CharField(allow_null=True)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    recorded_at = serializers.DateTimeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["from"] = data.pop("field_from")
        data["to"] = data.pop("field_to")
        return data


class ContractSerializer(ModelSerializer):
    file = serializers.FileField(write_only=True, required=False)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["id", "number", "starts_on", "ends_on", "terms", "file", "file_url", "original_filename"]
        read_only_fields = ["original_filename"]
        extra_kwargs = {"number": {"validators": []}}

    def get_file_url(self, contract) -> str | None:
        if not contract.file:
            return None
        return reverse("partners:contract-file", kwargs={"tenant_slug": self.context["tenant"].slug, "pk": contract.pk})
