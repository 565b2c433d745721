from __future__ import annotations

import zoneinfo

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .context import require_tenant
from .managers import TenantManager
from .roles import PARTNER_ROLES, Role

DEFAULT_SCORE_WEIGHTS = {"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10}
DEFAULT_RISK_THRESHOLDS = {
    "credit_warning_percent": 80,
    "credit_critical_percent": 100,
    "overdue_warning_days": 30,
    "overdue_critical_days": 90,
    "performance_drop_percent": 50,
    "contract_expiry_days": 30,
}


def default_score_weights() -> dict:
    return dict(DEFAULT_SCORE_WEIGHTS)


def default_risk_thresholds() -> dict:
    return dict(DEFAULT_RISK_THRESHOLDS)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Tenant(models.Model):
    """A vendor running its channel in Qudao. Everything else belongs to exactly one tenant."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))],
    )
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    score_weights = models.JSONField(_("score weights"), default=default_score_weights)
    risk_thresholds = models.JSONField(_("risk thresholds"), default=default_risk_thresholds)
    portfolio_scoping = models.BooleanField(
        _("portfolio scoping"),
        default=False,
        help_text=_("Channel managers see only the partners assigned to them."),
    )
    auto_apply_tiers = models.BooleanField(_("apply tier recommendations automatically"), default=False)
    two_approvals = models.BooleanField(
        _("two approvals for statements"),
        default=False,
        help_text=_("The approver must differ from whoever last changed the statement."),
    )
    partners_may_skip_pilot = models.BooleanField(
        _("partners may skip the pilot"),
        default=False,
        help_text=_("An onboarding partner may become active directly, without a pilot stage."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class TenantOwned(models.Model):
    """Base of every row that belongs to a tenant: the tenant, and when it was made and changed.

    The default manager is fail-closed (see ``tenancy.managers``); the tenant is taken from
    the scope on first save and can never change.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.tenant_id is None:
            self.tenant_id = require_tenant().pk
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # The tenant comes from the scope, never from input: nothing to validate (and no query).
        super().clean_fields(exclude={*(exclude or ()), "tenant"})

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """Validate with the tenant of the scope, so every ``(tenant, …)`` unique constraint is checked.

        Services pass ``exclude=["tenant"]``; were the tenant left out of the unique checks too,
        Django would skip every constraint naming it and a duplicate code would reach the
        database as an IntegrityError (a 500) instead of a field error.
        """
        if self.tenant_id is None:
            self.tenant_id = require_tenant().pk
        exclude = set(exclude or ()) - {"tenant"}
        super().full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints)

    def validate_constraints(self, exclude=None):
        """A unique-in-tenant violation is an error on its field (``code``), as if it were unique alone."""
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude)
                except ValidationError as error:
                    fields = [name for name in getattr(constraint, "fields", ()) if name != "tenant"]
                    if getattr(error, "code", None) in ("unique", "unique_together") and len(fields) == 1:
                        field = self._meta.get_field(fields[0])
                        message = ValidationError(
                            field.error_messages["unique"],
                            code="unique",
                            params={"model_name": capfirst(self._meta.verbose_name), "field_label": field.verbose_name},
                        )
                        errors.setdefault(fields[0], []).append(message)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(TenantOwned):
    """A user's place in a tenant: one role; partner roles belong to one partner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("partner"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False)
                    | (~models.Q(role__in=sorted(PARTNER_ROLES)) & models.Q(partner__isnull=True))
                ),
                name="membership_partner_iff_partner_role",
            ),
        ]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_partner_side(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_vendor_side(self) -> bool:
        return not self.is_partner_side

    def clean(self) -> None:
        if self.role in PARTNER_ROLES and self.partner_id is None:
            raise ValidationError({"partner": _("A partner role needs a partner.")})
        if self.role not in PARTNER_ROLES and self.partner_id is not None:
            raise ValidationError({"partner": _("Only partner roles belong to a partner.")})


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Invitation(TenantOwned):
    """An offer of a role in this tenant to someone who already has a Qudao account.

    Adding an e-mail that belongs to an existing user (of any tenant) never makes them a member
    on the spot: they accept or decline, in the app or by API. Until then they are not a member,
    and the tenant learns nothing about them but the address it typed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("partner"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"
