"""API shapes of deals (SPEC §6): a partner by its code, money as text, conflicts as the member may see them.

The vendor sees a conflict in full (the other deal, its partner, how they match); a partner-side
member only that the customer was registered before, and when (``registered_on``), never by whom.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.dates import tenant_today
from qudao_api.fields import DateField, MoneyField, TextField
from targets.serializers import VisiblePartnerField

from . import selectors
from .models import (
    CUSTOMER_MAX_LENGTH,
    PRODUCT_MAX_LENGTH,
    PRODUCTS_MAX,
    PROTECTION_DAYS_RANGE,
    REASON_MAX_LENGTH,
    Deal,
    DealTransition,
)


def conflict_data(conflict: selectors.Conflict, *, tenant, vendor: bool) -> dict:
    """One conflict as the member may see it: in full for the vendor, the day only for a partner."""
    registered_on = conflict.registered_on(tenant).isoformat()
    if not vendor:
        return {"registered_on": registered_on}
    other = conflict.deal
    return {
        "deal": other.pk,
        "partner": other.partner.code,
        "partner_name": other.partner.name,
        "customer": other.customer,
        "customer_tax_id": other.customer_tax_id,
        "status": other.status,
        "registered_on": registered_on,
        "protected_until": other.protected_until.isoformat() if other.protected_until else None,
        "matched_by": [
            name for name, matched in (("tax_id", conflict.by_tax_id), ("name", conflict.by_name)) if matched
        ],
    }


class ConflictSerializer(serializers.Serializer):
    """Vendor members get every field; a partner-side member ``registered_on`` only."""

    registered_on = serializers.DateField()
    deal = serializers.IntegerField(required=False)
    partner = serializers.CharField(required=False)
    partner_name = serializers.CharField(required=False)
    customer = serializers.CharField(required=False)
    customer_tax_id = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    protected_until = serializers.DateField(required=False, allow_null=True)
    matched_by = serializers.ListField(child=serializers.CharField(), required=False)


class DealTransitionSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = DealTransition
        fields = ["action", "action_label", "from_status", "to_status", "actor", "day", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_actor(self, event: DealTransition) -> str | None:
        """Who made the move; null for the nightly run."""
        return event.actor.email if event.actor_id else None


class DealListSerializer(serializers.ListSerializer):
    """Finds the conflicts of the whole page at once: one query, whatever its length."""

    def to_representation(self, data):
        deals = list(data.all() if hasattr(data, "all") else data)
        tenant = self.context["tenant"]
        self.context["conflicts"] = selectors.conflicts_for(deals, day=tenant_today(tenant))
        return super().to_representation(deals)


class DealSerializer(serializers.ModelSerializer):
    """A deal; ``conflicts`` as the member may see them, ``days_left`` of its protection."""

    partner = serializers.CharField(source="partner.code", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    registered_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    registered_at = serializers.DateTimeField(source="created_at", read_only=True)
    days_left = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        list_serializer_class = DealListSerializer
        fields = [
            "id", "partner", "partner_name", "customer", "customer_tax_id", "value", "expected_close", "products",
            "status", "status_label", "registered_by", "registered_at", "decided_at", "approved_on",
            "protected_until", "days_left", "rejection_reason", "closed_on", "won_amount", "lost_reason", "conflicts",
        ]  # fmt: skip
        read_only_fields = fields

    def _vendor(self) -> bool:
        membership = self.context.get("membership")
        return membership is not None and membership.is_vendor_side

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, deal: Deal) -> int | None:
        return deal.days_left(tenant_today(self.context["tenant"]))

    @extend_schema_field(ConflictSerializer(many=True))
    def get_conflicts(self, deal: Deal) -> list[dict]:
        found = self.context.get("conflicts")
        tenant = self.context["tenant"]
        conflicts = (
            found.get(deal.pk, []) if found is not None else selectors.conflicts_of(deal, day=tenant_today(tenant))
        )
        return [conflict_data(conflict, tenant=tenant, vendor=self._vendor()) for conflict in conflicts]


class DealDetailSerializer(DealSerializer):
    transitions = DealTransitionSerializer(many=True, read_only=True)

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "transitions"]
        read_only_fields = fields


def _products_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=TextField(max_length=PRODUCT_MAX_LENGTH), max_length=PRODUCTS_MAX, help_text=_("Product names"), **kwargs
    )


class DealRegisterSerializer(serializers.Serializer):
    """``{customer, customer_tax_id?, value, expected_close, products?}``; a vendor member also names ``partner``."""

    partner = VisiblePartnerField(required=False, help_text=_("The partner's code (vendor members only)"))
    customer = TextField(max_length=CUSTOMER_MAX_LENGTH)
    customer_tax_id = TextField(required=False, allow_blank=True, default="", max_length=64)
    value = MoneyField()
    expected_close = DateField()
    products = _products_field(required=False, default=list)


class DealChangeSerializer(serializers.Serializer):
    """A submitted deal's changes: any of its fields but the partner."""

    customer = TextField(required=False, max_length=CUSTOMER_MAX_LENGTH)
    customer_tax_id = TextField(required=False, allow_blank=True, max_length=64)
    value = MoneyField(required=False)
    expected_close = DateField(required=False)
    products = _products_field(required=False)


class ApproveSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=REASON_MAX_LENGTH)


class WonSerializer(serializers.Serializer):
    amount = MoneyField(help_text=_('The amount won, e.g. "125000.00"'))


class DealSettingsSerializer(serializers.Serializer):
    protection_days = serializers.IntegerField(min_value=PROTECTION_DAYS_RANGE[0], max_value=PROTECTION_DAYS_RANGE[1])
