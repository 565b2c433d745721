"""Screening (渠道筛选) and the way out (动态评估, 淘汰低效渠道), SPEC §4.12.

A tenant keeps a scorecard: criteria with weights summing to 100, each rated 1–5 against written
anchors in Chinese and English. Vendor members evaluate a partner (a prospect, or a partner under
review) on every criterion with a note and evidence; each evaluation's score, and the partner's
screening score (the mean of its evaluators' latest scores), lead to a recommendation against the
tenant's threshold, and a person decides. Editing an evaluation makes a new version: the earlier
one is kept.

The way out: the nightly job flags a partner whose score stayed below the exit threshold on every
nightly run of the last 90 days (``ExitReview``); the vendor keeps it with an improvement plan and
a review date, suspends it or terminates it, with a reason.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerStatus
from partners.validators import validate_contract_file
from tenancy.models import TenantOwned

RATINGS = range(1, 6)
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000
SCORE = {"max_digits": 5, "decimal_places": 2}
DEFAULT_THRESHOLD = Decimal("60")
DEFAULT_EXIT_THRESHOLD = Decimal("40")


def in_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ScreeningSettings(TenantOwned):
    """The tenant's two thresholds: to proceed with a prospect, and below which a partner is weak."""

    threshold = models.DecimalField(
        _("screening threshold"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("At or above this screening score the recommendation is to proceed to due diligence."),
        **SCORE,
    )
    exit_threshold = models.DecimalField(
        _("exit threshold"),
        default=DEFAULT_EXIT_THRESHOLD,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A partner whose nightly score stays below this for 90 days is flagged for exit review."),
        **SCORE,
    )

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="screening_settings_one_per_tenant")]


def validate_anchors(value) -> None:
    if not isinstance(value, list) or len(value) != len(RATINGS) or not all(isinstance(text, str) for text in value):
        raise ValidationError(_("Write one anchor for each rating, 1 to 5."))
    if any(len(text) > 500 for text in value):
        raise ValidationError(_("An anchor is at most 500 characters."))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Criterion(TenantOwned):
    """One criterion of the scorecard (strategic fit, operating capability…), its weight and its 1–5 anchors."""

    code = models.SlugField(_("code"), max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    anchors_zh = models.JSONField(_("anchors (Chinese)"), default=list, validators=[validate_anchors])
    anchors_en = models.JSONField(_("anchors (English)"), default=list, validators=[validate_anchors])
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="screening_criterion_code_unique_in_tenant"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="screening_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if in_chinese() else self.name_en

    @property
    def anchors(self) -> list[str]:
        return list(self.anchors_zh if in_chinese() else self.anchors_en)

    def anchored(self) -> list[tuple[int, str]]:
        return list(zip(RATINGS, self.anchors, strict=False))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Evaluation(TenantOwned):
    """One evaluator's rating of a partner on every criterion; a new version replaces it, the old one is kept."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="screening_evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    score = models.DecimalField(_("score"), **SCORE)
    summary = models.TextField(_("summary"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "evaluator"],
                condition=models.Q(is_current=True),
                name="screening_one_current_evaluation_per_evaluator",
            ),
            models.UniqueConstraint(
                fields=["tenant", "partner", "evaluator", "version"], name="screening_evaluation_version_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "is_current"])]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.evaluator_id} v{self.version}"


class Rating(TenantOwned):
    """An evaluation's rating of one criterion, with the weight the criterion had then and a note."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(_("weight"))
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "evaluation", "criterion"], name="screening_one_rating_each"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="screening_rating_1_to_5"),
        ]


def evidence_upload_path(instance: Evidence, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"screening/{instance.tenant_id}/{instance.partner_id}/{uuid.uuid4().hex}.{extension}"


class Evidence(TenantOwned):
    """A file an evaluator attached to an evaluation (carried over to its later versions)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_upload_path, validators=[validate_contract_file])
    original_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]


class Decision(models.TextChoices):
    PROCEED = "proceed", _("Proceed to due diligence")
    DECLINE = "decline", _("Decline")


class ScreeningDecision(TenantOwned):
    """A person's decision on a screened prospect: proceed to due diligence, or decline, with the score then."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="screening_decisions")
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    screening_score = models.DecimalField(_("screening score"), **SCORE)
    threshold = models.DecimalField(_("threshold"), **SCORE)
    recommendation = models.CharField(_("recommendation"), max_length=16, choices=Decision.choices)
    evaluator_count = models.PositiveSmallIntegerField(_("evaluators"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    moved_to = models.CharField(
        _("moved to"), max_length=16, choices=PartnerStatus.choices, blank=True
    )  # empty: proceeding, but the onboarding items of the checklist were not met yet

    class Meta:
        verbose_name = _("screening decision")
        verbose_name_plural = _("screening decisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "partner"])]

    @property
    def follows_recommendation(self) -> bool:
        return self.decision == self.recommendation


class ExitStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a decision")
    KEPT = "kept", _("Kept with an improvement plan")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class ExitDecision(models.TextChoices):
    KEEP = "keep", _("Keep, with an improvement plan")
    SUSPEND = "suspend", _("Suspend")
    TERMINATE = "terminate", _("Terminate")


DECISION_STATUS = {
    ExitDecision.KEEP: ExitStatus.KEPT,
    ExitDecision.SUSPEND: ExitStatus.SUSPENDED,
    ExitDecision.TERMINATE: ExitStatus.TERMINATED,
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ExitReview(TenantOwned):
    """A partner flagged as persistently weak (or put up for review by hand), and what the vendor decided."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="exit_reviews")
    status = models.CharField(_("status"), max_length=16, choices=ExitStatus.choices, default=ExitStatus.OPEN)
    flagged_on = models.DateField(_("flagged on"))
    window_starts_on = models.DateField(_("window starts on"), null=True, blank=True)
    runs = models.PositiveSmallIntegerField(_("nightly runs"), default=0)
    highest_score = models.DecimalField(_("highest score"), null=True, blank=True, **SCORE)
    latest_score = models.DecimalField(_("latest score"), null=True, blank=True, **SCORE)
    exit_threshold = models.DecimalField(_("exit threshold"), **SCORE)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # nobody: the nightly job flagged it
    opening_reason = models.TextField(_("why it was opened"), max_length=REASON_MAX_LENGTH, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=ExitDecision.choices, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    plan = models.TextField(_("improvement plan"), max_length=NOTE_MAX_LENGTH, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exit review")
        verbose_name_plural = _("exit reviews")
        ordering = ["-flagged_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status="open"),
                name="screening_one_open_exit_review_per_partner",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"]), models.Index(fields=["tenant", "partner"])]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.flagged_on}"

    @property
    def is_open(self) -> bool:
        return self.status == ExitStatus.OPEN
