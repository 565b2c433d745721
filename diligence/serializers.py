"""API shapes of due diligence: the tenant's checklist items, and a partner's checklist (vendor-only)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from qudao_api.fields import TenantCodeField, TextField
from qudao_api.serializers import ModelSerializer

from .models import NOTE_MAX_LENGTH, AutomaticCheck, ChecklistItem, Gate, PartnerCheckEvent


class ChecklistItemSerializer(ModelSerializer):
    """An item of the checklist; ``code`` is given once, when it is made."""

    gate = serializers.ChoiceField(choices=Gate.choices)
    automatic_check = serializers.ChoiceField(choices=AutomaticCheck.choices, allow_blank=True, required=False)
    gate_label = serializers.CharField(source="get_gate_display", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id", "code", "name", "description", "gate", "gate_label", "is_required", "evidence_required",
            "automatic_check", "position", "is_active",
        ]  # fmt: skip
        extra_kwargs = {"code": {"validators": []}}

    def validate_code(self, value: str) -> str:
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(_("An item's code cannot change: the API and past ticks name it."))
        return value


def evidence_url(event: PartnerCheckEvent | None, tenant) -> str | None:
    if event is None or not event.evidence:
        return None
    return reverse("diligence:evidence", kwargs={"tenant_slug": tenant.slug, "pk": event.pk})


class CheckEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()
    evidence_url = serializers.CharField(allow_null=True)
    evidence_name = serializers.CharField()


class StandingSerializer(serializers.Serializer):
    """One item on a partner's checklist: whether it is met, and how."""

    item = serializers.CharField()
    name = serializers.CharField()
    gate = serializers.CharField()
    is_required = serializers.BooleanField()
    evidence_required = serializers.BooleanField()
    automatic_check = serializers.CharField()
    is_met = serializers.BooleanField()
    is_ticked = serializers.BooleanField()
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    evidence_url = serializers.CharField(allow_null=True)
    history = CheckEventSerializer(many=True)


class MissingItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    gate = serializers.CharField()


class NextStepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    is_ready = serializers.BooleanField()
    missing = MissingItemSerializer(many=True)


class PartnerChecklistSerializer(serializers.Serializer):
    """A partner's checklist: every item in use, and the steps forward with what each still misses."""

    partner = serializers.CharField()
    status = serializers.CharField()
    pilot_credit_limit = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    pilot_ends_on = serializers.DateField(allow_null=True)
    items = StandingSerializer(many=True)
    next_steps = NextStepSerializer(many=True)


def checklist_data(partner, standings, steps, *, tenant) -> dict:
    """The answer of ``partners/{id}/checklist/``."""

    def email(user) -> str | None:
        return user.email if user is not None else None

    def missing(item) -> dict:
        return {"code": item.code, "name": item.name, "gate": item.gate}

    items = []
    for standing in standings:
        check = standing.check
        items.append(
            {
                "item": standing.item.code,
                "name": standing.item.name,
                "gate": standing.item.gate,
                "is_required": standing.item.is_required,
                "evidence_required": standing.item.evidence_required,
                "automatic_check": standing.item.automatic_check,
                "is_met": standing.is_met,
                "is_ticked": bool(check and check.is_ticked),
                "changed_by": email(check.changed_by) if check else None,
                "changed_at": check.changed_at if check else None,
                "note": check.note if check else "",
                "evidence_url": evidence_url(standing.evidence_event, tenant),
                "history": [
                    {
                        "action": event.action,
                        "actor": email(event.actor),
                        "at": event.created_at,
                        "note": event.note,
                        "evidence_url": evidence_url(event, tenant),
                        "evidence_name": event.original_filename,
                    }
                    for event in standing.events
                ],
            }
        )
    return {
        "partner": partner.code,
        "status": partner.status,
        "pilot_credit_limit": partner.pilot_credit_limit,
        "pilot_ends_on": partner.pilot_ends_on,
        "items": items,
        "next_steps": [
            {
                "status": step.status,
                "label": step.label,
                "is_ready": step.is_ready,
                "missing": [missing(item) for item in step.missing],
            }
            for step in steps
        ],
    }


class TickSerializer(serializers.Serializer):
    item = TenantCodeField(ChecklistItem, help_text=_("The item's code, e.g. references"))
    note = TextField(required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH)
    evidence = serializers.FileField(required=False, help_text=_("A file, when the item asks for evidence"))


class UntickSerializer(serializers.Serializer):
    item = TenantCodeField(ChecklistItem, help_text=_("The item's code, e.g. references"))
    reason = TextField(max_length=NOTE_MAX_LENGTH)
