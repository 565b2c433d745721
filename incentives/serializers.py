"""API shapes of rebate programs and profit-share agreements (SPEC §6).

A program (or agreement) is shown with its latest version's rules and that version's number;
``versions/`` lists every version. Payloads name tiers by code. The serializers check types
(a number is a number); the services check the rules, field by field.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.dates import tenant_today
from targets.models import Metric
from targets.serializers import PeriodField
from tenancy.roles import Capability, role_can

from .models import Basis, Method, PeriodChoice, ProfitShareVersion, RebateProgramVersion
from .selectors import latest_version

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}
RATIO = {"max_digits": 8, "decimal_places": 4}


class BracketSerializer(serializers.Serializer):
    threshold = serializers.DecimalField(**MONEY, help_text="The basis from which the rate applies; the first is 0.")
    rate_percent = serializers.DecimalField(**RATE)


class AcceleratorSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    min_attainment = serializers.DecimalField(**RATIO, help_text="A ratio: 1.0 is 100% of the target.")
    multiplier = serializers.DecimalField(**RATIO)


class TierRateSerializer(serializers.Serializer):
    tier = serializers.CharField(max_length=32, help_text="A tier code.")
    rate_percent = serializers.DecimalField(**RATE)


class _VersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number", read_only=True)
    created_by = serializers.SerializerMethodField()
    changed_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_created_by(self, version) -> str | None:
        return version.created_by.email if version.created_by_id else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_changed_by(self, version) -> str | None:
        return version.changed_by.email if version.changed_by_id else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not role_can(membership.role, Capability.SEE_INTERNAL):
            data.pop("created_by", None)  # who at the vendor wrote the rules is vendor-internal
            data.pop("changed_by", None)
        return data


class ProgramVersionSerializer(_VersionSerializer):
    brackets = BracketSerializer(many=True)
    accelerator = AcceleratorSerializer(allow_null=True)

    class Meta:
        model = RebateProgramVersion
        fields = [
            "version", "basis", "method", "period_kind", "brackets", "tiers", "categories", "cap", "accelerator",
            "starts_on", "ends_on", "created_by", "changed_by", "created_at", "updated_at",
        ]  # fmt: skip


class AgreementVersionSerializer(_VersionSerializer):
    rates = TierRateSerializer(many=True)

    class Meta:
        model = ProfitShareVersion
        fields = [
            "version", "period_kind", "rates", "loss_share_percent", "starts_on", "ends_on",
            "created_by", "changed_by", "created_at", "updated_at",
        ]  # fmt: skip


class _WithLatestVersion(serializers.Serializer):
    """A program or agreement: its own fields, then its latest version's."""

    version_serializer: type[serializers.Serializer]
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(read_only=True, help_text="The number of the latest version, the one in use.")
    in_force = serializers.BooleanField(read_only=True, help_text="The latest version is in force today.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        version = latest_version(instance)
        rules = self.version_serializer(version, context=self.context).data
        tenant = self.context.get("tenant")
        today = tenant_today(tenant) if tenant is not None else None
        return {
            "id": instance.pk,
            "code": instance.code,
            "name": instance.name,
            "description": instance.description,
            **rules,
            "in_force": bool(today and version.in_force_on(today)),
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }


class ProgramSerializer(_WithLatestVersion):
    version_serializer = ProgramVersionSerializer
    basis = serializers.ChoiceField(choices=Basis.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    period_kind = serializers.ChoiceField(choices=PeriodChoice.choices, help_text="How often the program pays.")
    brackets = BracketSerializer(many=True)
    tiers = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True, trim_whitespace=False),
        required=False,
        default=list,
        help_text="Product categories (sales basis only); none: every category.",
    )
    cap = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    accelerator = AcceleratorSerializer(required=False, allow_null=True, default=None)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class AgreementSerializer(_WithLatestVersion):
    version_serializer = AgreementVersionSerializer
    period_kind = serializers.ChoiceField(choices=PeriodChoice.choices, help_text="How often the agreement settles.")
    rates = TierRateSerializer(many=True)
    loss_share_percent = serializers.DecimalField(**RATE)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class WhatIfRequestSerializer(ProgramSerializer):
    """A program's body (every field optional: a saved program's code fills in the rest) and a period."""

    period = PeriodField(max_length=16, required=False, help_text="Default: the last complete period of its kind.")


class WhatIfRowSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner_code")
    partner_name = serializers.CharField()
    basis = serializers.DecimalField(**MONEY)
    rate_percent = serializers.DecimalField(**RATE, help_text="The rate of the bracket reached.")
    would_pay = serializers.DecimalField(**MONEY)
    was_paid = serializers.DecimalField(**MONEY, help_text="What the program's code paid, on statements of any status.")
    difference = serializers.DecimalField(**MONEY)
    explanation = serializers.SerializerMethodField()

    def get_explanation(self, row) -> str:
        return self.context["explain"](row)


class WhatIfTotalsSerializer(serializers.Serializer):
    would_pay = serializers.DecimalField(**MONEY)
    was_paid = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY)


class WhatIfSerializer(serializers.Serializer):
    period = serializers.CharField()
    program = serializers.CharField(source="terms.code", allow_blank=True)
    version = serializers.IntegerField(source="terms.version", allow_null=True, help_text="null: unsaved terms.")
    rows = WhatIfRowSerializer(many=True)
    totals = serializers.SerializerMethodField()

    @extend_schema_field(WhatIfTotalsSerializer)
    def get_totals(self, result) -> dict:
        return WhatIfTotalsSerializer(result).data
