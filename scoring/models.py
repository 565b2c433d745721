"""Partner scores (评分), tier recommendations and the nightly job runs that make them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Partner, Tier
from tenancy.models import TenantOwned

COMPONENT = {"max_digits": 5, "decimal_places": 2}
MONEY = {"max_digits": 18, "decimal_places": 2}


class PartnerScore(TenantOwned):
    """A partner's score as of a day (SPEC §4.3), with every component and the inputs behind it.

    Anyone can redo the sum from what is stored: the rounded components, the weights used,
    and the figures each component was computed from.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="scores")
    day = models.DateField(_("day"))
    volume = models.DecimalField(_("volume"), **COMPONENT)
    growth = models.DecimalField(_("growth"), **COMPONENT)
    attainment = models.DecimalField(_("attainment"), **COMPONENT)
    collection = models.DecimalField(_("collection"), **COMPONENT)
    overdue = models.DecimalField(_("overdue"), **COMPONENT)
    score = models.DecimalField(_("score"), **COMPONENT)
    weights = models.JSONField(_("weights"))
    recommended_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    # The figures behind the components.
    sales_365 = models.DecimalField(**MONEY)
    sales_prior_365 = models.DecimalField(**MONEY)
    max_sales_365 = models.DecimalField(**MONEY)
    payments_365 = models.DecimalField(**MONEY)
    invoices_365 = models.DecimalField(**MONEY)
    outstanding = models.DecimalField(**MONEY)
    overdue_amount = models.DecimalField(**MONEY)
    attainment_mean = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    target_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["-day", "-score"]
        constraints = [models.UniqueConstraint(fields=["tenant", "partner", "day"], name="score_one_per_partner_day")]
        indexes = [models.Index(fields=["tenant", "day", "score"], name="score_tenant_day_score")]


class TierRecommendation(TenantOwned):
    """A tier change the scores call for; a channel manager applies or dismisses it.

    At most one open recommendation per partner: the nightly job refreshes it in place.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("recommendation", "Open")
        APPLIED = "applied", _("Applied")
        DISMISSED = "dismissed", _("Dismissed")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_recommendations")
    score = models.ForeignKey(PartnerScore, on_delete=models.PROTECT, related_name="+")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("tier recommendation")
        verbose_name_plural = _("tier recommendations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status="open"),
                name="one_open_recommendation_per_partner",
            )
        ]
        indexes = [models.Index(fields=["tenant", "partner", "status"], name="recommendation_partner_status")]


class JobRun(TenantOwned):
    """One run of the nightly work for a tenant and day: status, progress, duration, errors."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, default="nightly")
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    summary = models.JSONField(default=dict, blank=True)
    triggered_by = models.CharField(max_length=32, default="schedule")
    # How many workers have held the run: a run whose worker died (its heartbeat, ``updated_at``, went
    # stale) is taken over by the next one, which counts itself here and owns the row from then on.
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["tenant", "kind", "day"], name="jobrun_tenant_kind_day")]
        constraints = [
            # At most one run of a tenant-day in flight: a second claim (beat firing twice, a redelivered
            # task, a click on "run now") finds this row instead of starting another (scoring.jobs).
            models.UniqueConstraint(
                fields=["tenant", "kind", "day"],
                condition=models.Q(status="running"),
                name="one_running_run_per_tenant_day",
            )
        ]

    @property
    def trigger_label(self) -> str:
        from .jobs import TRIGGERS

        return str(TRIGGERS.get(self.triggered_by, self.triggered_by))

    @property
    def summary_words(self) -> list[str]:
        """What the run did, in the reader's language (``scoring.jobs.summary_in_words``)."""
        from .jobs import summary_in_words

        return summary_in_words(self.summary)

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
