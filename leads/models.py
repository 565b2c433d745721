"""Lead distribution (线索分配, SPEC §4.8): a vendor's leads, offered to partners by written rules.

A ``Lead`` is offered to one partner at a time. Each offer is an ``Assignment`` that keeps the rule
it was made by and every candidate that was considered, with its score and the reason it was
chosen or left out, as codes and numbers (the words are written at display time, in the reader's
language). The partner accepts or declines within the SLA; a decline or a lapse ends the offer and
the lead goes to the next partner by the same rules. Every change of a lead is a ``LeadEvent``
with who (nobody: the distribution, the lapse task), when and why.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from facts.models import ImportJobBase
from tenancy.models import TenantOwned

COMPANY_MAX_LENGTH = 200
REASON_MAX_LENGTH = 1000  # a decline's or a loss's reason: a few sentences
DEFAULT_CAP = 5
DEFAULT_SLA_HOURS = 48
MAX_CAP = 1000
MAX_SLA_HOURS = 24 * 30


class LeadSettings(TenantOwned):
    """The tenant's distribution settings: how many open leads a partner may hold, and the SLA to answer."""

    cap = models.PositiveIntegerField(
        _("open leads per partner"),
        default=DEFAULT_CAP,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAP)],
        help_text=_("A partner holding this many offered or accepted leads is left out of the next distribution."),
    )
    sla_hours = models.PositiveIntegerField(
        _("hours to answer"),
        default=DEFAULT_SLA_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SLA_HOURS)],
        help_text=_("An offer not accepted or declined within this many hours lapses, and the lead moves on."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead settings")
        verbose_name_plural = _("lead settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="lead_settings_one_per_tenant")]


class LeadStatus(models.TextChoices):
    UNASSIGNED = "unassigned", _("Unassigned")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", pgettext_lazy("lead", "Accepted")
    WON = "won", pgettext_lazy("lead", "Won")
    LOST = "lost", pgettext_lazy("lead", "Lost")


OPEN_STATUSES = (LeadStatus.OFFERED, LeadStatus.ACCEPTED)  # count against a partner's cap
CLOSED_STATUSES = (LeadStatus.WON, LeadStatus.LOST)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="LeadSnapshot",
    obj_field=pghistory.ObjForeignKey(related_name="snapshots"),
)
class Lead(TenantOwned):
    """A prospective customer the vendor hands to a partner: who, where, in which industry, worth how much."""

    company = models.CharField(_("company"), max_length=COMPANY_MAX_LENGTH)
    region = models.CharField(_("region"), max_length=100)
    industry = models.CharField(_("industry"), max_length=100)
    value = models.DecimalField(
        _("value"), max_digits=16, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.UNASSIGNED)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("partner"),
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Why the lead waits for a person, when it does (a code of ``distribution.UNASSIGNED_REASONS``).
    unassigned_reason = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="unassigned", partner__isnull=True)
                | (~models.Q(status="unassigned") & models.Q(partner__isnull=False)),
                name="lead_partner_matches_status",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="lead_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="lead_tenant_status"),
            models.Index(fields=["tenant", "partner", "status"], name="lead_tenant_partner_status"),
            models.Index(fields=["tenant", "status", "due_at"], name="lead_tenant_status_due"),
        ]

    def __str__(self) -> str:
        return self.company

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Rule(models.TextChoices):
    """How the partner of an offer was found."""

    REGION_INDUSTRY = "region_industry", _("Region and industry")
    REGION = "region", _("Region")
    NONE = "none", _("No partner in the region")
    MANUAL = "manual", _("Assigned by hand")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", pgettext_lazy("offer", "Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNASSIGNED = "unassigned", _("Nobody to offer it to")


class Trigger(models.TextChoices):
    """What set the distribution going."""

    CREATED = "created", _("New lead")
    DECLINED = "declined", _("After a decline")
    LAPSED = "lapsed", _("After a lapse")
    MANUAL = "manual", _("By hand")
    REDISTRIBUTED = "redistributed", _("Distributed again")


class Assignment(TenantOwned):
    """One distribution of a lead: the rule, the partner it was offered to (or none), and every candidate.

    ``candidates`` is a list of ``{"partner": code, "partner_id": id, "score": "81.20", "reason": code,
    "open_leads": n}`` in the order the rules ranked them, the chosen one first; the reason codes are
    those of ``distribution.REASONS``.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="lead_assignments"
    )
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    cap = models.PositiveIntegerField(_("cap"), default=DEFAULT_CAP)
    unassigned_reason = models.CharField(max_length=32, blank=True)
    offered_at = models.DateTimeField(_("offered at"))
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_reason = models.TextField(_("reason"), blank=True, max_length=REASON_MAX_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["lead", "offered_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "lead"], name="assignment_tenant_lead"),
            models.Index(fields=["tenant", "partner", "offered_at"], name="assignment_partner_offered"),
            models.Index(fields=["tenant", "offered_at"], name="assignment_tenant_offered"),
        ]


class LeadEvent(TenantOwned):
    """A change of a lead: created, offered, accepted, declined, lapsed, assigned by hand, won or lost."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        OFFERED = "offered", _("Offered")
        UNASSIGNED = "unassigned", _("Left unassigned")
        ACCEPTED = "accepted", pgettext_lazy("lead event", "Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Lapsed")
        ASSIGNED = "assigned", _("Assigned by hand")
        WON = "won", pgettext_lazy("lead event", "Won")
        LOST = "lost", pgettext_lazy("lead event", "Lost")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=LeadStatus.choices)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["lead", "created_at", "id"]
        indexes = [models.Index(fields=["tenant", "lead"], name="leadevent_tenant_lead")]


class LeadImportJob(ImportJobBase):
    """One upload of a file of leads: read, checked, made and distributed whole (or rejected whole), as a task
    when large; its progress, outcome and every error by row and column (``facts.models.ImportJobBase``)."""

    offered_count = models.PositiveIntegerField(default=0)
    unassigned_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lead upload")
        verbose_name_plural = _("lead uploads")
        ordering = ["-created_at"]
        indexes = [
            # the unfinished jobs, for lead_import_jobs_expire (``updated_at`` is the job's heartbeat)
            models.Index(
                fields=["tenant", "updated_at"],
                condition=models.Q(status__in=["pending", "running"]),
                name="leadimportjob_unfinished",
            )
        ]

    PROGRESS_KIND = "lead-import"

    @property
    def made_count(self) -> int:
        return self.offered_count + self.unassigned_count

    def column_labels(self) -> dict[str, str]:
        from .imports import column_labels

        return column_labels()
