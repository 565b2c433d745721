"""Company goals and partner targets (目标, SPEC §4.2).

A company goal is what the vendor means to reach in a period on one metric; it is split
into partner targets, whose values together show how much of the goal they cover. The
period is stored as its canonical text (``2026-Q1``) and, for set-based SQL, as its first
and last day.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.periods import Period
from partners.models import Partner
from tenancy.models import TenantOwned

VALUE = {"max_digits": 16, "decimal_places": 2}


class Metric(models.TextChoices):
    """What a goal or target counts (SPEC §4.2)."""

    SALES = "sales", _("Sales")
    COLLECTIONS = "collections", _("Collections")
    NEW_CUSTOMERS = "new_customers", _("New customers")


def validate_positive(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("The value must be greater than 0."), code="not_positive")


def validate_period_text(text: str) -> None:
    try:
        Period.parse(text)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_period") from error


class PeriodOwned(TenantOwned):
    """A row about one metric in one period; ``starts_on``/``ends_on`` follow ``period``."""

    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    period = models.CharField(_("period"), max_length=7, validators=[validate_period_text])
    starts_on = models.DateField(_("starts on"), editable=False)
    ends_on = models.DateField(_("ends on"), editable=False)
    value = models.DecimalField(_("value"), validators=[validate_positive], **VALUE)

    class Meta:
        abstract = True

    @property
    def period_value(self) -> Period:
        return Period.parse(self.period, within_limits=False)  # as stored, whatever its year

    def set_period(self, period: Period | str) -> None:
        """Store the period as canonical text with its first and last day (bad text: ValidationError)."""
        try:
            parsed = period if isinstance(period, Period) else Period.parse(period)
        except ValueError as error:
            raise ValidationError({"period": str(error)}) from error
        self.period, self.starts_on, self.ends_on = str(parsed), parsed.start, parsed.end

    def clean(self) -> None:
        if self.metric == Metric.NEW_CUSTOMERS and self.value is not None and self.value != int(self.value):
            raise ValidationError({"value": _("New customers are counted in whole customers.")})


class CompanyGoal(PeriodOwned):
    """What the company means to reach in a period on one metric, to be split into partner targets."""

    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("company goal")
        verbose_name_plural = _("company goals")
        ordering = ["-starts_on", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "metric", "period"], name="goal_metric_period_unique"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="goal_value_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "starts_on", "ends_on"], name="goal_tenant_period")]

    def __str__(self) -> str:
        return f"{self.name} ({self.period})"


class Target(PeriodOwned):
    """A partner's target: ``value`` of ``metric`` in ``period`` (SPEC §4.2), maybe its share of a goal."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="targets", verbose_name=_("partner"))
    goal = models.ForeignKey(
        CompanyGoal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("company goal"),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-starts_on", "partner__code", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "metric", "period"], name="target_partner_metric_period_unique"
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="target_value_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "starts_on", "ends_on"], name="target_tenant_period"),
            models.Index(fields=["tenant", "partner", "metric"], name="target_tenant_partner_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.metric} {self.period}"
