"""Risk alerts (SPEC §4.7): what the nightly rules found about a partner, and what people did about it.

An alert is about one partner and one rule. At most one of them is live (open or acknowledged)
per partner and rule: the nightly run raises its severity in place, eases it (recorded, never
silently), and resolves it when the condition clears; a person acknowledges it or resolves it
with a note. Every change is an ``AlertEvent`` with who (nobody: the nightly run), when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenancy.models import TenantOwned


class AlertRule(models.TextChoices):
    CREDIT = "credit", _("Credit limit")
    OVERDUE = "overdue", _("Overdue receivables")
    PERFORMANCE_DROP = "performance_drop", _("Sales drop")
    CONTRACT_EXPIRY = "contract_expiry", _("Contract expiry")
    PILOT_EXPIRY = "pilot_expiry", _("Pilot ended undecided")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


# Higher is worse: an escalation raises the rank, an easing lowers it.
SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.CRITICAL: 3}


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
NOTE_MAX_LENGTH = 2000


class Alert(TenantOwned):
    """A risk the nightly rules found about a partner as of a day, with the figures that show it."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(_("rule"), max_length=32, choices=AlertRule.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # The figures behind the alert as of ``evaluated_on`` (amounts as text with two places, dates ISO).
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    raised_on = models.DateField(_("raised on"))  # the day (D) of the run that raised it
    evaluated_on = models.DateField(_("last found on"))  # the day of the last run that found the condition
    raised_at = models.DateTimeField(_("raised at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "rule"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="alert_one_live_per_partner_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "severity"], name="alert_tenant_status_severity"),
            models.Index(fields=["tenant", "partner", "raised_on"], name="alert_tenant_partner_raised"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.rule} {self.severity}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def resolved_automatically(self) -> bool:
        return self.status == AlertStatus.RESOLVED and self.resolved_by_id is None


class AlertEvent(TenantOwned):
    """One change of an alert: raised, escalated, eased, acknowledged or resolved; who (or the nightly run) and why."""

    class Action(models.TextChoices):
        RAISED = "raised", _("Raised")
        ESCALATED = "escalated", _("Escalated")
        EASED = "eased", _("Eased")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_severity = models.CharField(_("from severity"), max_length=16, choices=Severity.choices, blank=True)
    to_severity = models.CharField(_("to severity"), max_length=16, choices=Severity.choices, blank=True)
    from_status = models.CharField(_("from"), max_length=16, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=AlertStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    day = models.DateField(_("day"), null=True, blank=True)  # the run's day, for the nightly run's changes
    note = models.TextField(_("note"), blank=True)
    # The figures at that moment (the evidence when raised, escalated, eased or cleared).
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["alert", "created_at", "id"]


class ThresholdChange(TenantOwned):
    """A change of the tenant's risk thresholds: who, when, from what to what."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    old_values = models.JSONField(_("before"), default=dict)
    new_values = models.JSONField(_("after"), default=dict)

    class Meta:
        verbose_name = _("risk threshold change")
        verbose_name_plural = _("risk threshold changes")
        ordering = ["-created_at", "-id"]


class ReceivablesSnapshot(TenantOwned):
    """A partner's receivables as the nightly run found them on its day (SPEC §4.1's allocation, done once).

    The receivables overview and the dashboards read these rows instead of allocating every payment of
    every partner's history on each request (issue 13: pages at 10,000 partners). One row per partner
    with invoices or payments, all of one day: the night's run replaces them all. ``warning_days`` and
    ``critical_days`` are the thresholds the overdue figures were taken at; when the tenant has changed
    them since, the pages compute live until the next night.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    invoiced = models.DecimalField(max_digits=18, decimal_places=2)
    paid = models.DecimalField(max_digits=18, decimal_places=2)
    current = models.DecimalField(max_digits=18, decimal_places=2)
    days_1_30 = models.DecimalField(max_digits=18, decimal_places=2)
    days_31_60 = models.DecimalField(max_digits=18, decimal_places=2)
    days_61_90 = models.DecimalField(max_digits=18, decimal_places=2)
    days_over_90 = models.DecimalField(max_digits=18, decimal_places=2)
    overdue = models.DecimalField(max_digits=18, decimal_places=2)
    warning_days = models.PositiveIntegerField()
    critical_days = models.PositiveIntegerField()
    overdue_warning = models.DecimalField(max_digits=18, decimal_places=2)
    overdue_critical = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="receivables_snapshot_one_per_partner")
        ]
