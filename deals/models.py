"""Deal registration (商机报备, SPEC §4.8): a partner claims a customer opportunity, the vendor protects it.

A ``Deal`` is registered by a partner (or by a vendor member on its behalf), approved — protected
from the other partners for the tenant's protection days — or rejected with a reason, and an
approved deal ends won (with the amount), lost (with a reason) or expired (the nightly job, once
its protection has ended). Every move is a ``DealTransition`` with who, when and why.

Whether two deals are about one customer is decided on ``customer_key`` (the normalised name,
``deals.normalise``) and ``customer_tax_id`` (normalised too); the conflicts themselves are not
stored but found as the data stands (``selectors.conflicts_of``), so they are never stale.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

REASON_MAX_LENGTH = 1000
CUSTOMER_MAX_LENGTH = 200
TAX_ID_MAX_LENGTH = 32
PRODUCT_MAX_LENGTH = 100
PRODUCTS_MAX = 20
DEFAULT_PROTECTION_DAYS = 90
PROTECTION_DAYS_RANGE = (1, 3650)


class DealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


# A deal that still claims its customer: waiting for a decision, or approved (protected while its days last).
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.APPROVED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Deal(TenantOwned):
    """A customer opportunity a partner registered, and where it stands."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="deals", verbose_name=_("partner")
    )
    customer = models.CharField(_("customer"), max_length=CUSTOMER_MAX_LENGTH)
    customer_key = models.CharField(_("customer (normalised)"), max_length=CUSTOMER_MAX_LENGTH, editable=False)
    customer_tax_id = models.CharField(_("customer's tax id"), max_length=TAX_ID_MAX_LENGTH, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    expected_close = models.DateField(_("expected close"))
    products = ArrayField(
        models.CharField(max_length=PRODUCT_MAX_LENGTH), default=list, blank=True, verbose_name=_("products")
    )
    status = models.CharField(_("status"), max_length=16, choices=DealStatus.choices, default=DealStatus.SUBMITTED)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    won_amount = models.DecimalField(_("amount won"), max_digits=16, decimal_places=2, null=True, blank=True)
    lost_reason = models.TextField(_("reason lost"), blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "customer_key"], name="deal_tenant_customer_key"),
            models.Index(fields=["tenant", "customer_tax_id"], name="deal_tenant_customer_tax_id"),
            models.Index(fields=["tenant", "status", "protected_until"], name="deal_tenant_status_protected"),
            models.Index(fields=["tenant", "partner", "status"], name="deal_tenant_partner_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="deal_value_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(protected_until__isnull=False),
                name="deal_approved_has_protection",
            ),
        ]

    def __str__(self) -> str:
        return self.customer

    def is_protected(self, day) -> bool:
        """Approved and its protection not yet ended on ``day``."""
        return self.status == DealStatus.APPROVED and self.protected_until is not None and self.protected_until >= day

    def days_left(self, day) -> int | None:
        """Days of protection left after ``day`` (0 on its last day); None when it is not protected."""
        if not self.is_protected(day):
            return None
        return (self.protected_until - day).days


class DealTransition(TenantOwned):
    """One step of a deal: registered, changed, approved, rejected, won, lost or expired; who, when and why."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CHANGED = "changed", _("Changed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        EXPIRED = "expired", _("Expired")

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=DealStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=DealStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    day = models.DateField(_("day"), null=True, blank=True)  # the nightly run's day, for an expiry
    note = models.TextField(_("note"), blank=True)
    # What changed, the amount won, the conflicts found at that moment (deal ids), the protection given.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deal transition")
        verbose_name_plural = _("deal transitions")
        ordering = ["deal", "created_at", "id"]
        indexes = [models.Index(fields=["tenant", "deal"], name="dealtransition_tenant_deal")]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DealSettings(TenantOwned):
    """The tenant's rules of deal registration: one row per tenant, made with the defaults on first read."""

    protection_days = models.PositiveIntegerField(
        _("protection days"),
        default=DEFAULT_PROTECTION_DAYS,
        validators=[MinValueValidator(PROTECTION_DAYS_RANGE[0]), MaxValueValidator(PROTECTION_DAYS_RANGE[1])],
        help_text=_("How long an approved deal is protected from other partners, counted from its approval."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deal registration settings")
        verbose_name_plural = _("deal registration settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="deal_settings_one_per_tenant")]
