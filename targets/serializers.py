"""API shapes of targets and goals (SPEC §6): a partner by its code, a period as ``2026-Q1``."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.dates import tenant_today
from partners.models import Partner
from qudao_api.fields import MoneyField, PeriodField, TenantCodeField
from qudao_api.serializers import ModelSerializer
from tenancy.access import visible_partners
from tenancy.roles import Capability, role_can

from . import calculations, services
from .models import CompanyGoal, Metric, Target

MONEY = {"max_digits": 16, "decimal_places": 2}
RATIO = {"max_digits": 12, "decimal_places": 4}


class VisiblePartnerField(TenantCodeField):
    """A partner named by code, among those the member may see (a channel manager's portfolio)."""

    def __init__(self, **kwargs):
        super().__init__(Partner, **kwargs)

    def get_queryset(self):
        membership = self.context.get("membership")
        return visible_partners(membership) if membership is not None else Partner.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class GoalField(serializers.RelatedField):
    """A company goal of the tenant in scope, by id."""

    default_error_messages = {"does_not_exist": _("No company goal with id “{value}”."), "invalid": _("Invalid value.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return CompanyGoal.objects.all()

    def to_internal_value(self, data):
        # An id: a JSON integer or its ASCII digits (int() of a number like 1e999999999 would never end).
        text = str(data) if isinstance(data, int | str) and not isinstance(data, bool) else ""
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            self.fail("invalid")
        try:
            return self.get_queryset().get(pk=int(data))
        except CompanyGoal.DoesNotExist:
            self.fail("does_not_exist", value=data)

    def to_representation(self, value) -> int:
        return value.pk


class TargetListSerializer(serializers.ListSerializer):
    """Measures the whole page of targets at once: a constant number of queries, whatever its length."""

    def to_representation(self, data):
        targets = list(data.all() if hasattr(data, "all") else data)
        self.context["figures"] = calculations.figures(targets, self.child.today())
        return super().to_representation(targets)


class TargetSerializer(ModelSerializer):
    partner = VisiblePartnerField()
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    metric = serializers.ChoiceField(choices=Metric.choices)
    period = PeriodField()
    goal = GoalField(required=False, allow_null=True)
    actual = serializers.SerializerMethodField()
    attainment = serializers.SerializerMethodField()
    pace = serializers.SerializerMethodField()

    class Meta:
        model = Target
        list_serializer_class = TargetListSerializer
        fields = [
            "id", "partner", "partner_name", "metric", "period", "starts_on", "ends_on", "value", "goal",
            "actual", "attainment", "pace", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["starts_on", "ends_on", "created_at", "updated_at"]
        # the services check value > 0 and uniqueness, field by field
        extra_kwargs = {"value": {"validators": []}}
        validators = []

    def today(self):
        return tenant_today(self.context["tenant"])

    def _figures(self, target: Target) -> calculations.Figures:
        figures = self.context.get("figures")
        if figures is None or target.pk not in figures:
            figures = calculations.figures([target], self.today())
            self.context["figures"] = figures
        return figures[target.pk]

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_actual(self, target: Target) -> str:
        return f"{self._figures(target).actual:.2f}"

    @extend_schema_field(serializers.DecimalField(**RATIO))
    def get_attainment(self, target: Target) -> str:
        return str(self._figures(target).attainment)

    @extend_schema_field(serializers.DecimalField(allow_null=True, **RATIO))
    def get_pace(self, target: Target) -> str | None:
        """The projected attainment at the period's end at today's rate (null before the period)."""
        pace = self._figures(target).pace
        return None if pace is None else str(pace.projected_attainment)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not role_can(membership.role, Capability.SEE_INTERNAL):
            data.pop("goal", None)  # company goals are vendor-internal
        return data


class TargetWrittenSerializer(TargetSerializer):
    """The answer to a write: the target, and its SMART check (SPEC §4.2) — advice, never a refusal."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = [*TargetSerializer.Meta.fields, "warnings", "notes"]


class GoalSerializer(ModelSerializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    period = PeriodField()
    allocated = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()

    class Meta:
        model = CompanyGoal
        fields = [
            "id", "name", "metric", "period", "starts_on", "ends_on", "value", "notes",
            "allocated", "coverage", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["starts_on", "ends_on", "created_at", "updated_at"]
        extra_kwargs = {"value": {"validators": []}}
        validators = []

    def _allocated(self, goal: CompanyGoal) -> Decimal:
        allocated = getattr(goal, "allocated", None)
        if allocated is None:
            allocated = services.goal_allocated(goal)
        return allocated

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_allocated(self, goal: CompanyGoal) -> str:
        """The sum of the goal's partner targets."""
        return f"{self._allocated(goal):.2f}"

    @extend_schema_field(serializers.DecimalField(**RATIO))
    def get_coverage(self, goal: CompanyGoal) -> str:
        """How much of the goal its partner targets cover (1.0000 = all of it)."""
        return str(services.coverage(self._allocated(goal), goal.value))


class ProposeSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[(m, m) for m in services.SplitMethod.ALL])
    tier_weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=4, min_value=Decimal("0")),
        required=False,
        allow_null=True,
        help_text=_('Weight per tier code, e.g. {"core": 3, "strategic": 2, "ordinary": 1}.'),
    )


class ProposalSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code")
    partner_name = serializers.CharField(source="partner.name")
    value = serializers.DecimalField(**MONEY)
    basis = serializers.DecimalField(max_digits=20, decimal_places=4)


class AllocationSerializer(serializers.Serializer):
    partner = VisiblePartnerField()
    value = MoneyField(min_value=Decimal("0"))


class ApplySerializer(serializers.Serializer):
    allocations = AllocationSerializer(many=True, allow_empty=False)

    def validate_allocations(self, allocations: list[dict]) -> list[dict]:
        codes = [item["partner"].code for item in allocations]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise serializers.ValidationError(
                _("Each partner once: %(codes)s repeated.") % {"codes": ", ".join(repeated)}
            )
        return allocations
