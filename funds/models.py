"""Market development funds (资源支持 / 市场活动经费, SPEC §4.10).

A ``Fund`` is money the vendor sets aside for a period and some tiers. A partner of those tiers asks
for part of it for an activity (``FundRequest``); the vendor approves it within what the fund has
left, or rejects it with a reason. After the activity the partner claims what it spent, up to what
was approved, with proof files (``FundClaim``, ``ClaimFile``); finance approves the claim (possibly
lower, saying why) or rejects it. An approved claim is paid once, as an ``mdf`` line of a settlement
statement (``funds.payouts``). Every move is a ``FundEvent``: who, when, from what to what, why.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.validators import validate_contract_file
from tenancy.models import TenantOwned

MONEY = {"max_digits": 16, "decimal_places": 2}
REASON_MAX_LENGTH = 2000
ACTIVITY_MAX_LENGTH = 200
PLAN_MAX_LENGTH = 10000


class DecisionStatus(models.TextChoices):
    """Where a request or a claim stands: waiting for the vendor, or decided one way or the other."""

    SUBMITTED = "submitted", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# (Named: ``FundEvent`` is the funds' own log of decisions below.)
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="FundVersion")
class Fund(TenantOwned):
    """Money set aside for the partners of some tiers to spend on market activities in a period."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    period = models.CharField(_("period"), max_length=7)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget"), validators=[MinValueValidator(0)], **MONEY)
    # Tier codes whose partners may ask for the fund; empty: every tier.
    tiers = ArrayField(models.SlugField(max_length=32), default=list, blank=True, verbose_name=_("tiers"))
    is_open = models.BooleanField(
        _("open for requests"), default=True, help_text=_("A closed fund takes no new requests.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("market development fund")
        verbose_name_plural = _("market development funds")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="fund_code_unique_in_tenant"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="fund_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_for_tier(self, tier_code: str) -> bool:
        return not self.tiers or tier_code in self.tiers


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class FundRequest(TenantOwned):
    """A partner's request for part of a fund, for one activity: what, when, how much, and the plan."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="requests", verbose_name=_("fund"))
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="fund_requests", verbose_name=_("partner")
    )
    activity = models.CharField(_("activity"), max_length=ACTIVITY_MAX_LENGTH)
    planned_on = models.DateField(_("planned on"))
    amount = models.DecimalField(_("amount requested"), validators=[MinValueValidator(0)], **MONEY)
    plan = models.TextField(_("plan"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.SUBMITTED
    )
    approved_amount = models.DecimalField(_("amount approved"), null=True, blank=True, **MONEY)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("fund request")
        verbose_name_plural = _("fund requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_request_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | (models.Q(approved_amount__gt=0) & models.Q(approved_amount__lte=models.F("amount"))),
                name="fund_request_approved_within_requested",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "fund", "status"], name="fund_request_fund_status"),
            models.Index(fields=["tenant", "partner"], name="fund_request_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} ({self.partner_id})"

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.SUBMITTED


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class FundClaim(TenantOwned):
    """What a partner spent on an approved request, claimed with proof; paid once on a statement when approved."""

    request = models.ForeignKey(FundRequest, on_delete=models.PROTECT, related_name="claims", verbose_name=_("request"))
    # The request's partner, kept on the claim so every read of claims is scoped like every other partner row.
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="fund_claims", verbose_name=_("partner")
    )
    amount = models.DecimalField(_("amount claimed"), validators=[MinValueValidator(0)], **MONEY)
    description = models.TextField(_("what was done"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.SUBMITTED
    )
    approved_amount = models.DecimalField(_("amount approved"), null=True, blank=True, **MONEY)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The day of the approval in the tenant's time zone: the first settlement run of a period containing it pays.
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    # At most one claim per line (the constraint below, with the tenant like every unique rule here).
    statement_line = models.ForeignKey(
        "settlements.StatementLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fund_claims",
        verbose_name=_("statement line"),
    )

    class Meta:
        verbose_name = _("fund claim")
        verbose_name_plural = _("fund claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_claim_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | (models.Q(approved_amount__gt=0) & models.Q(approved_amount__lte=models.F("amount"))),
                name="fund_claim_approved_within_claimed",
            ),
            models.UniqueConstraint(
                fields=["tenant", "statement_line"],
                condition=models.Q(statement_line__isnull=False),
                name="fund_claim_one_per_statement_line",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner"], name="fund_claim_partner"),
            models.Index(
                fields=["tenant", "decided_on"],
                condition=models.Q(status="approved", statement_line__isnull=True),
                name="fund_claim_awaiting_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.partner_id})"

    @property
    def source_code(self) -> str:
        """How the claim is named on a statement line (unique in the tenant: a claim is paid once)."""
        return claim_source_code(self.request.fund.code, self.pk)


def claim_source_code(fund_code: str, claim_id: int) -> str:
    return f"{fund_code}#{claim_id}"


def proof_upload_path(instance: ClaimFile, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"funds/{instance.tenant_id}/{instance.claim.partner_id}/{uuid.uuid4().hex}.{extension}"


class ClaimFile(TenantOwned):
    """A proof file of a claim (an invoice, photos of the event, the attendee list), as contracts are kept."""

    claim = models.ForeignKey(FundClaim, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=proof_upload_path, validators=[validate_contract_file])
    original_filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("proof file")
        verbose_name_plural = _("proof files")
        ordering = ["claim", "id"]

    def __str__(self) -> str:
        return self.original_filename or self.file.name


class FundEvent(TenantOwned):
    """A move of a fund, a request or a claim: who, when, from which status to which, the amount and why."""

    class Action(models.TextChoices):
        FUND_CREATED = "fund_created", _("Fund created")
        FUND_CHANGED = "fund_changed", _("Fund changed")
        REQUESTED = "requested", _("Requested")
        REQUEST_APPROVED = "request_approved", _("Request approved")
        REQUEST_REJECTED = "request_rejected", _("Request rejected")
        CLAIMED = "claimed", _("Claimed")
        CLAIM_APPROVED = "claim_approved", _("Claim approved")
        CLAIM_REJECTED = "claim_rejected", _("Claim rejected")

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="history")
    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="history")
    claim = models.ForeignKey(FundClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="history")
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=DecisionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=DecisionStatus.choices, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fund event")
        verbose_name_plural = _("fund events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "fund"], name="fund_event_fund")]
