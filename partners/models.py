from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from tenancy.models import TenantOwned

from .validators import validate_contract_file, validate_unified_social_credit_code


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Tier(TenantOwned):
    """A partner tier (等级): rank 1 is the best; a partner scoring ``min_score`` or more qualifies."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="tier_code_unique_in_tenant"),
            models.UniqueConstraint(fields=["tenant", "rank"], name="tier_rank_unique_in_tenant"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerKind(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    RESELLER = "reseller", _("Reseller")
    AGENT = "agent", _("Agent")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ONBOARDING = "onboarding", _("Onboarding")
    PILOT = "pilot", _("Pilot")  # 试点合作: trading on trial terms before full activation
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Partner(TenantOwned):
    """A channel partner (渠道伙伴) of the vendor: distributor, reseller, agent or service provider."""

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    industries = ArrayField(models.CharField(max_length=100), default=list, blank=True, verbose_name=_("industries"))
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="partners", verbose_name=_("tier"))
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # The pilot stage (试点合作): its own credit limit and end date, before full activation.
    pilot_credit_limit = models.DecimalField(
        _("pilot credit limit"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The credit limit while the partner is in its pilot stage."),
    )
    pilot_ends_on = models.DateField(_("pilot ends on"), null=True, blank=True)
    payment_terms_days = models.PositiveIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(3650)]
    )
    tax_id = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_unified_social_credit_code]
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_partners",
        verbose_name=_("channel manager"),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["code"]
        permissions = [("manage_partner", "Manage the partner (portfolio)")]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="partner_code_unique_in_tenant")]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "tier"]),
            models.Index(fields=["tenant", "region", "kind"]),
            models.Index(fields=["tenant", "created_at"], name="partner_tenant_created"),  # "recently added"
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def pilot_ended_undecided(self, day) -> bool:
        """Still in its pilot after the pilot's last day: someone has to decide (active, suspended, terminated)."""
        return self.status == PartnerStatus.PILOT and self.pilot_ends_on is not None and self.pilot_ends_on < day

    def clean(self) -> None:
        if self.status == PartnerStatus.PILOT:
            missing = {
                name: _("A partner in its pilot needs this: the pilot's terms are kept until it ends.")
                for name in ("pilot_credit_limit", "pilot_ends_on")
                if getattr(self, name) is None
            }
            if missing:
                raise ValidationError(missing)


class PartnerUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign key: a portfolio filter is a join, not an IN list."""

    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class PartnerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class Contact(TenantOwned):
    """A person at the partner the vendor deals with."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


def contract_upload_path(instance: Contract, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"contracts/{instance.tenant_id}/{instance.partner_id}/{uuid.uuid4().hex}.{extension}"


class Contract(TenantOwned):
    """A signed agreement with the partner, with its file."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("number"), max_length=64)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    terms = models.TextField(_("terms"), blank=True)
    file = models.FileField(_("file"), upload_to=contract_upload_path, blank=True, validators=[validate_contract_file])
    original_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="contract_number_unique_in_tenant"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "ends_on"])]

    def __str__(self) -> str:
        return self.number


REASON_MAX_LENGTH = 1000  # why a tier or status changed: a few sentences, kept in the history


class TierChange(TenantOwned):
    """A change of tier, effective on a day (possibly in the past), with who, why and the score."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["tenant", "partner", "effective_on"])]


class StatusChange(TenantOwned):
    """A change of status, effective on a day (possibly in the past), with who and why."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=PartnerStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PartnerStatus.choices)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["tenant", "partner", "effective_on"])]
