"""Due diligence (尽职调查): the checklist a tenant keeps, and where each partner stands on it.

A tenant lists what it checks before a partner moves along the pipeline (prospect → onboarding →
pilot → active): each ``ChecklistItem`` gates one of those steps. A person ticks an item for a
partner (``PartnerCheck``), with a note and, where the item asks for it, a file as evidence;
every tick and untick is kept in ``PartnerCheckEvent`` with who, when and why. Some items are
checked automatically from the partner's own data (its unified social credit code, a contract,
a credit limit): those are never ticked by hand, they are met or not, as the data stands today.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerStatus
from partners.validators import validate_contract_file
from tenancy.models import TenantOwned

NOTE_MAX_LENGTH = 1000  # a tick's note or an untick's reason: a few sentences


class Gate(models.TextChoices):
    """The step of the pipeline an item gates: the partner enters that status only once the item is met."""

    ONBOARDING = PartnerStatus.ONBOARDING.value, _("Before onboarding")
    PILOT = PartnerStatus.PILOT.value, _("Before the pilot")
    ACTIVE = PartnerStatus.ACTIVE.value, _("Before activation")


class AutomaticCheck(models.TextChoices):
    """What the partner's own data must show for an item to be met without anyone ticking it."""

    TAX_ID = "tax_id", _("The unified social credit code is on file and valid")
    CONTRACT = "contract", _("A contract that has not ended is on file")
    CREDIT_LIMIT = "credit_limit", _("A credit limit is set")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChecklistItem(TenantOwned):
    """One thing the vendor checks before a partner takes a step (tax id verified, references checked…)."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    gate = models.CharField(_("gates"), max_length=16, choices=Gate.choices)
    is_required = models.BooleanField(
        _("required"), default=True, help_text=_("A required item must be met before the step it gates.")
    )
    evidence_required = models.BooleanField(
        _("evidence required"), default=False, help_text=_("Ticking the item needs a file as evidence.")
    )
    automatic_check = models.CharField(
        _("checked automatically"),
        max_length=16,
        choices=AutomaticCheck.choices,
        blank=True,
        help_text=_("Met from the partner's own data, without anyone ticking it."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("An item no longer in use gates nothing and leaves the checklists.")
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="checklist_item_code_unique_in_tenant"),
            models.CheckConstraint(
                condition=models.Q(automatic_check="") | models.Q(evidence_required=False),
                name="checklist_item_automatic_needs_no_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_automatic(self) -> bool:
        return bool(self.automatic_check)

    def clean(self) -> None:
        if self.automatic_check and self.evidence_required:
            message = _("An item checked automatically is met by the partner's data: it takes no file.")
            raise ValidationError({"evidence_required": message})


class PartnerCheck(TenantOwned):
    """Where one partner stands on one checklist item: ticked or not, by whom, when, and the last note."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="diligence_checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="partner_checks")
    is_ticked = models.BooleanField(_("ticked"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("partner check")
        verbose_name_plural = _("partner checks")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "item"], name="partner_check_one_per_item"),
        ]
        indexes = [models.Index(fields=["tenant", "partner"])]


def evidence_upload_path(instance: PartnerCheckEvent, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    partner_id = instance.partner_check.partner_id
    return f"diligence/{instance.tenant_id}/{partner_id}/{uuid.uuid4().hex}.{extension}"


class PartnerCheckEvent(TenantOwned):
    """A tick or an untick of one partner's item: who, when, the note (or the reason) and the evidence."""

    class Action(models.TextChoices):
        TICKED = "ticked", _("Ticked")
        UNTICKED = "unticked", _("Unticked")

    partner_check = models.ForeignKey(PartnerCheck, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_upload_path, blank=True, validators=[validate_contract_file]
    )
    original_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("check event")
        verbose_name_plural = _("check events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "partner_check"])]
