"""Rebate programs and profit-share agreements (返利, 利润分成 / 风险共担: SPEC §4.4, §4.5).

A program or an agreement is a code and a name; what it pays lives in its versions. Editing one
that has paid out makes a new version (a statement line names the version it used, so a
statement can always be explained by the rule that made it); editing one that has not paid
yet changes its latest version in place. A settlement run, the nightly accruals and the
partner's pages use the latest version.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.periods import PeriodKind
from tenancy.models import TenantOwned

from .calculations import Accelerator, Bracket, RebateRule

MONEY = {"max_digits": 16, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 4, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class Basis(models.TextChoices):
    SALES = "sales", _("Sales")
    COLLECTIONS = "collections", _("Collections")


class Method(models.TextChoices):
    RETROACTIVE = "retroactive", _("Retroactive (the whole basis at the rate reached)")
    INCREMENTAL = "incremental", _("Incremental (each slice at its own rate)")


class PeriodChoice(models.TextChoices):
    MONTH = PeriodKind.MONTH.value, _("Month")
    QUARTER = PeriodKind.QUARTER.value, _("Quarter")
    YEAR = PeriodKind.YEAR.value, _("Year")


class RebateProgram(TenantOwned):
    """A rebate program (返利政策): what partners earn on their sales or collections in a period."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("rebate program")
        verbose_name_plural = _("rebate programs")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="program_code_unique_in_tenant")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RebateProgramVersion(TenantOwned):
    """The rules of one version of a program; the latest version is the one in use."""

    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodChoice.choices)
    # [{"threshold": "0", "rate_percent": "1.5"}, …]: validated by incentives.services (first 0, increasing, ≥ 0)
    brackets = models.JSONField(_("brackets"))
    tiers = ArrayField(models.SlugField(max_length=32), default=list, blank=True, verbose_name=_("tiers"))
    categories = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("product categories")
    )
    cap = models.DecimalField(_("cap"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY)
    # null, or {"metric": "sales", "min_attainment": "1.0", "multiplier": "1.2"}
    accelerator = models.JSONField(_("accelerator"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Who last changed this version in place (before it paid anything out); None: never changed.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("program version")
        verbose_name_plural = _("program versions")
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program", "number"], name="program_version_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="program_version_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "period_kind", "starts_on"], name="program_version_kind")]

    def __str__(self) -> str:
        return f"{self.program.code} v{self.number}"

    @property
    def rule(self) -> RebateRule:
        """The arithmetic of this version (incentives.calculations)."""
        accelerator = None
        if self.accelerator:
            accelerator = Accelerator(
                metric=self.accelerator["metric"],
                min_attainment=Decimal(str(self.accelerator["min_attainment"])),
                multiplier=Decimal(str(self.accelerator["multiplier"])),
            )
        return RebateRule(
            method=self.method,
            brackets=tuple(
                Bracket(Decimal(str(row["threshold"])), Decimal(str(row["rate_percent"]))) for row in self.brackets
            ),
            cap=self.cap,
            accelerator=accelerator,
        )

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class ProfitShareAgreement(TenantOwned):
    """A profit- and loss-sharing agreement (利润分成 / 风险共担) with the partners of some tiers."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("profit-share agreement")
        verbose_name_plural = _("profit-share agreements")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="agreement_code_unique_in_tenant")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProfitShareVersion(TenantOwned):
    """The terms of one version of an agreement: a rate per tier and a loss-share percent.

    It covers the partners whose tier (on the period's last day) has a rate; it is settled in
    the runs of its ``period_kind``, so a partner is never paid twice for the same sales.
    """

    agreement = models.ForeignKey(ProfitShareAgreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodChoice.choices)
    # [{"tier": "core", "rate_percent": "12"}, …]
    rates = models.JSONField(_("rates by tier"))
    loss_share_percent = models.DecimalField(_("loss share (%)"), **PERCENT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "agreement", "number"], name="agreement_version_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_version_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.code} v{self.number}"

    @property
    def rate_by_tier(self) -> dict[str, Decimal]:
        return {row["tier"]: Decimal(str(row["rate_percent"])) for row in self.rates}

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class RebateAccrual(TenantOwned):
    """A partner's period-to-date rebate estimate under one program (nightly; never a statement).

    What the portal shows as "on course to earn": the rebate the basis so far would pay, and
    how much more basis reaches the next bracket.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="accruals")
    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="accruals")
    version = models.ForeignKey(RebateProgramVersion, on_delete=models.CASCADE, related_name="accruals")
    period = models.CharField(_("period"), max_length=7)
    as_of = models.DateField(_("as of"))
    basis = models.DecimalField(_("basis"), **MONEY)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4)
    amount = models.DecimalField(_("amount"), **MONEY)
    next_threshold = models.DecimalField(_("next bracket from"), null=True, blank=True, **MONEY)
    next_rate_percent = models.DecimalField(_("next rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("rebate accrual")
        verbose_name_plural = _("rebate accruals")
        ordering = ["partner", "program"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "program", "period"], name="accrual_unique"),
        ]

    @property
    def to_next_bracket(self) -> Decimal | None:
        if self.next_threshold is None:
            return None
        return self.next_threshold - max(self.basis, Decimal("0"))
