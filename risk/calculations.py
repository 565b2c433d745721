"""The risk rules (SPEC §4.7) as pure decisions on one partner's figures as of day D.

Each rule looks at a ``PartnerFigures`` (gathered for every partner at once by ``risk.inputs``)
and the tenant's ``Thresholds``, and says whether it finds something and how bad it is:

- ``credit``: utilisation = outstanding(D) / credit limit; ≥ warning % a warning, ≥ critical % critical.
  No limit, no alert. A partner in its pilot stage is measured against its pilot credit limit
  (its ordinary limit when it has none).
- ``overdue``: overdue_amount(D, warning days) > 0 a warning; overdue_amount(D, critical days) > 0 critical.
- ``performance_drop``: net sales in the 30 days ending D < drop % of (net sales in the 180 days
  ending D) / 6, when those 180 days sold more than nothing: a warning.
- ``contract_expiry``: the contract of the partner that ends last ends after D and no later than
  D + N days: info.
- ``pilot_expiry``: a partner still in pilot after its pilot's end date: a warning (the pilot ended
  undecided).

Which partners each rule looks at depends on the status in effect on D (``RULES_BY_STATUS``).
Comparisons are exact (no rounding before a threshold is judged); the evidence rounds for people.

``plan_changes`` decides, again without touching the database, what a run does to the live alerts.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from facts.calculations import OpenInvoice
from partners.models import PartnerStatus
from tenancy.models import DEFAULT_RISK_THRESHOLDS

from .models import SEVERITY_RANK, AlertRule, Severity

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
RECENT_DAYS = 30  # the recent window of the sales-drop rule
BASELINE_DAYS = 180  # … and the window it is compared with, as a monthly average over 6 months
BASELINE_MONTHS = 6

# Which rules look at a partner, by its status in effect on D. Prospects and partners being onboarded
# do not trade yet. A suspended partner still owes and still has a limit; a terminated one still owes.
# A suspended or terminated partner's sales are expected to stop and its contract to lapse: no
# sales-drop or contract alerts for them.
RULES_BY_STATUS: dict[str, tuple[str, ...]] = {
    PartnerStatus.ACTIVE: (
        AlertRule.CREDIT, AlertRule.OVERDUE, AlertRule.PERFORMANCE_DROP, AlertRule.CONTRACT_EXPIRY,
    ),
    PartnerStatus.PILOT: (
        AlertRule.CREDIT, AlertRule.OVERDUE, AlertRule.PERFORMANCE_DROP, AlertRule.CONTRACT_EXPIRY,
        AlertRule.PILOT_EXPIRY,
    ),
    PartnerStatus.SUSPENDED: (AlertRule.CREDIT, AlertRule.OVERDUE),
    PartnerStatus.TERMINATED: (AlertRule.OVERDUE,),
}  # fmt: skip
CHECKED_STATUSES = frozenset(RULES_BY_STATUS)


def rank(severity: str) -> int:
    return SEVERITY_RANK[severity]


def money_text(amount: Decimal | None) -> str | None:
    """An amount as the evidence keeps it: text with two places (JSON has no decimals)."""
    if amount is None:
        return None
    text = str(amount)
    if len(text) - text.find(".") == 3 and "." in text and "E" not in text:
        return text  # two places already, as every amount read from the database (ten thousand a night)
    return str(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP))


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """100 × part / whole, two places half up; None when the whole is not positive."""
    if whole <= 0:
        return None
    return (HUNDRED * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


# --- thresholds ---------------------------------------------------------------------------------

PERCENT_RANGE = (0, 1000)
DROP_PERCENT_RANGE = (1, 100)
DAYS_RANGE = (1, 3650)


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """The tenant's risk thresholds (``Tenant.risk_thresholds``), defaults for what it does not say."""

    credit_warning_percent: int = DEFAULT_RISK_THRESHOLDS["credit_warning_percent"]
    credit_critical_percent: int = DEFAULT_RISK_THRESHOLDS["credit_critical_percent"]
    overdue_warning_days: int = DEFAULT_RISK_THRESHOLDS["overdue_warning_days"]
    overdue_critical_days: int = DEFAULT_RISK_THRESHOLDS["overdue_critical_days"]
    performance_drop_percent: int = DEFAULT_RISK_THRESHOLDS["performance_drop_percent"]
    contract_expiry_days: int = DEFAULT_RISK_THRESHOLDS["contract_expiry_days"]

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(cls))

    @classmethod
    def of(cls, data: Mapping | None) -> Thresholds:
        """The thresholds a tenant stored; a missing or unreadable value falls back to its default."""
        values = {}
        for name in cls.names():
            value = (data or {}).get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                values[name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def thresholds_problems(data: Mapping) -> dict[str, str]:
    """What is wrong with a set of thresholds, by field (empty when they can be used).

    Percentages of the credit limit run from 0 to 1000, the sales-drop percentage from 1 to 100 (a
    drop below the average, never above it), days from 1 to 3650; a warning comes before its
    critical level.
    """
    problems: dict[str, str] = {}
    ranges = {
        "credit_warning_percent": PERCENT_RANGE,
        "credit_critical_percent": PERCENT_RANGE,
        "performance_drop_percent": DROP_PERCENT_RANGE,
        "overdue_warning_days": DAYS_RANGE,
        "overdue_critical_days": DAYS_RANGE,
        "contract_expiry_days": DAYS_RANGE,
    }
    for name, (low, high) in ranges.items():
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            problems[name] = _("Write a whole number.")
        elif not low <= value <= high:
            problems[name] = _("Write a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
    pairs = (
        ("credit_warning_percent", "credit_critical_percent", _("The warning must come below the critical level.")),
        ("overdue_warning_days", "overdue_critical_days", _("The warning must come before the critical level.")),
    )
    for warning, critical, message in pairs:
        if warning not in problems and critical not in problems and data[warning] >= data[critical]:
            problems[warning] = message
    return problems


# --- one partner's figures ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ContractEnd:
    """The contract of a partner that ends last, among those ending after D."""

    id: int
    number: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclasses.dataclass(frozen=True)
class PartnerFigures:
    """What the rules need to know about one partner as of day D."""

    partner_id: int
    status: str  # in effect on D
    credit_limit: Decimal | None = None
    pilot_credit_limit: Decimal | None = None
    pilot_ends_on: datetime.date | None = None
    outstanding: Decimal = ZERO
    overdue_warning: Decimal = ZERO  # overdue_amount(D, warning days)
    overdue_critical: Decimal = ZERO  # overdue_amount(D, critical days)
    overdue_invoices: tuple[OpenInvoice, ...] = ()  # the most overdue first (a few)
    overdue_invoice_count: int = 0
    sales_recent: Decimal = ZERO  # net sales in the 30 days ending D
    sales_baseline: Decimal = ZERO  # net sales in the 180 days ending D
    contract: ContractEnd | None = None

    @property
    def rules(self) -> tuple[str, ...]:
        return RULES_BY_STATUS.get(self.status, ())

    @property
    def limit(self) -> tuple[Decimal | None, str]:
        """The credit limit the partner is measured against, and which one it is (``credit`` or ``pilot``)."""
        if self.status == PartnerStatus.PILOT and self.pilot_credit_limit is not None:
            return self.pilot_credit_limit, "pilot"
        return self.credit_limit, "credit"


@dataclasses.dataclass(frozen=True)
class Finding:
    """A rule found something about a partner: how bad, and the figures that show it."""

    partner_id: int
    rule: str
    severity: str
    evidence: dict


# --- the rules ----------------------------------------------------------------------------------


def utilisation_percent(outstanding: Decimal, limit: Decimal | None) -> Decimal | None:
    """Outstanding as a percentage of the limit, two places; None without a limit (or a limit of 0)."""
    if limit is None:
        return None
    return percent_of(outstanding, limit)


def credit_severity(outstanding: Decimal, limit: Decimal | None, thresholds: Thresholds) -> str | None:
    """≥ warning % of the limit: warning; ≥ critical %: critical; no limit: nothing.

    A limit of 0 is a limit: anything owed is over it.
    """
    if limit is None:
        return None
    used = HUNDRED * outstanding  # compared with percent × limit: no division, no rounding
    if limit == 0:
        return Severity.CRITICAL if outstanding > 0 else None
    if used >= thresholds.credit_critical_percent * limit:
        return Severity.CRITICAL
    if used >= thresholds.credit_warning_percent * limit:
        return Severity.WARNING
    return None


def credit_evidence(figures: PartnerFigures, thresholds: Thresholds) -> dict:
    limit, limit_kind = figures.limit
    return {
        "outstanding": money_text(figures.outstanding),
        "limit": money_text(limit),
        "limit_kind": limit_kind,
        "utilisation_percent": money_text(utilisation_percent(figures.outstanding, limit)),
        "warning_percent": thresholds.credit_warning_percent,
        "critical_percent": thresholds.credit_critical_percent,
    }


def overdue_severity(figures: PartnerFigures) -> str | None:
    if figures.overdue_critical > 0:
        return Severity.CRITICAL
    if figures.overdue_warning > 0:
        return Severity.WARNING
    return None


def overdue_evidence(figures: PartnerFigures, thresholds: Thresholds) -> dict:
    return {
        "outstanding": money_text(figures.outstanding),
        "warning_days": thresholds.overdue_warning_days,
        "critical_days": thresholds.overdue_critical_days,
        "overdue_warning": money_text(figures.overdue_warning),
        "overdue_critical": money_text(figures.overdue_critical),
        "invoice_count": figures.overdue_invoice_count,
        "invoices": [
            {
                "id": invoice.invoice_id,
                "number": invoice.number,
                "due_date": invoice.due_date.isoformat(),
                "amount": money_text(invoice.amount),
                "open_amount": money_text(invoice.open_amount),
                "days_overdue": invoice.days_overdue,
            }
            for invoice in figures.overdue_invoices
        ],
    }


def performance_drop_severity(recent: Decimal, baseline: Decimal, thresholds: Thresholds) -> str | None:
    """recent < drop % × baseline / 6, when baseline > 0 (exactly: 100 × 6 × recent < drop % × baseline)."""
    if baseline <= 0:
        return None
    if HUNDRED * BASELINE_MONTHS * recent < thresholds.performance_drop_percent * baseline:
        return Severity.WARNING
    return None


def performance_drop_evidence(figures: PartnerFigures, thresholds: Thresholds, day: datetime.date) -> dict:
    average = figures.sales_baseline / BASELINE_MONTHS
    return {
        "sales_recent": money_text(figures.sales_recent),
        "sales_baseline": money_text(figures.sales_baseline),
        "monthly_average": money_text(average),
        "threshold_amount": money_text(average * thresholds.performance_drop_percent / HUNDRED),
        "ratio_percent": money_text(percent_of(figures.sales_recent, average)),
        "drop_percent": thresholds.performance_drop_percent,
        "recent_from": (day - datetime.timedelta(days=RECENT_DAYS - 1)).isoformat(),
        "baseline_from": (day - datetime.timedelta(days=BASELINE_DAYS - 1)).isoformat(),
        "to": day.isoformat(),
    }


def contract_expiry_severity(contract: ContractEnd | None, thresholds: Thresholds, day: datetime.date) -> str | None:
    """The contract that ends last ends after D and within N days: info."""
    if contract is None or not day < contract.ends_on <= day + datetime.timedelta(days=thresholds.contract_expiry_days):
        return None
    return Severity.INFO


def contract_expiry_evidence(figures: PartnerFigures, thresholds: Thresholds, day: datetime.date) -> dict:
    contract = figures.contract
    evidence: dict = {"window_days": thresholds.contract_expiry_days}
    if contract is not None:
        evidence.update(
            contract_id=contract.id,
            number=contract.number,
            starts_on=contract.starts_on.isoformat(),
            ends_on=contract.ends_on.isoformat(),
            days_left=(contract.ends_on - day).days,
        )
    return evidence


def pilot_expiry_severity(figures: PartnerFigures, day: datetime.date) -> str | None:
    """Still in pilot on D after the pilot's last day: a warning."""
    if figures.status == PartnerStatus.PILOT and figures.pilot_ends_on is not None and day > figures.pilot_ends_on:
        return Severity.WARNING
    return None


def pilot_expiry_evidence(figures: PartnerFigures, day: datetime.date) -> dict:
    ended = figures.pilot_ends_on
    return {
        "status": figures.status,
        "pilot_ends_on": ended.isoformat() if ended else None,
        "days_since": (day - ended).days if ended else None,
        "pilot_credit_limit": money_text(figures.pilot_credit_limit),
    }


def severity_of(rule: str, figures: PartnerFigures, thresholds: Thresholds, day: datetime.date) -> str | None:
    """How bad ``rule`` finds the partner on ``day`` (None: nothing to say)."""
    if rule not in figures.rules:
        return None
    if rule == AlertRule.CREDIT:
        return credit_severity(figures.outstanding, figures.limit[0], thresholds)
    if rule == AlertRule.OVERDUE:
        return overdue_severity(figures)
    if rule == AlertRule.PERFORMANCE_DROP:
        return performance_drop_severity(figures.sales_recent, figures.sales_baseline, thresholds)
    if rule == AlertRule.CONTRACT_EXPIRY:
        return contract_expiry_severity(figures.contract, thresholds, day)
    if rule == AlertRule.PILOT_EXPIRY:
        return pilot_expiry_severity(figures, day)
    raise ValueError(rule)


def evidence_of(rule: str, figures: PartnerFigures, thresholds: Thresholds, day: datetime.date) -> dict:
    """The figures a rule judged, as an alert shows them (also when the condition has cleared)."""
    if rule == AlertRule.CREDIT:
        evidence = credit_evidence(figures, thresholds)
    elif rule == AlertRule.OVERDUE:
        evidence = overdue_evidence(figures, thresholds)
    elif rule == AlertRule.PERFORMANCE_DROP:
        evidence = performance_drop_evidence(figures, thresholds, day)
    elif rule == AlertRule.CONTRACT_EXPIRY:
        evidence = contract_expiry_evidence(figures, thresholds, day)
    elif rule == AlertRule.PILOT_EXPIRY:
        evidence = pilot_expiry_evidence(figures, day)
    else:
        raise ValueError(rule)
    return {"day": day.isoformat(), "status": figures.status, **evidence}


def findings(figures: Iterable[PartnerFigures], thresholds: Thresholds, day: datetime.date) -> list[Finding]:
    """Every (partner, rule) the rules find something about on ``day``."""
    found = []
    for partner in figures:
        for rule in partner.rules:
            severity = severity_of(rule, partner, thresholds, day)
            if severity is not None:
                found.append(Finding(partner.partner_id, rule, severity, evidence_of(rule, partner, thresholds, day)))
    return found


# --- what a run does to the live alerts -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LiveAlert:
    """An open or acknowledged alert as a run finds it."""

    id: int
    partner_id: int
    rule: str
    severity: str
    status: str
    evidence: dict
    evaluated_on: datetime.date


@dataclasses.dataclass
class Plan:
    """What a run does: alerts to raise, to escalate, to ease, to refresh (same severity, newer figures), to clear."""

    raised: list[Finding] = dataclasses.field(default_factory=list)
    escalated: list[tuple[LiveAlert, Finding]] = dataclasses.field(default_factory=list)
    eased: list[tuple[LiveAlert, Finding]] = dataclasses.field(default_factory=list)
    refreshed: list[tuple[LiveAlert, Finding]] = dataclasses.field(default_factory=list)
    cleared: list[LiveAlert] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> list[tuple[LiveAlert, Finding]]:
        return [*self.escalated, *self.eased, *self.refreshed]


def plan_changes(live: Iterable[LiveAlert], found: Iterable[Finding], day: datetime.date) -> Plan:
    """Compare the live alerts with what the rules found on ``day``.

    - found, no live alert: raise one;
    - found at a higher severity: escalate in place (an acknowledged alert opens again);
    - found at a lower severity: ease in place (recorded as an event, never silently);
    - found at the same severity with other figures, or on a later day: refresh its evidence;
    - found exactly as it is: leave it alone (a night run twice changes nothing);
    - live but no longer found: resolve it (the condition cleared).

    An alert last found on a day after ``day`` is left alone: running an older night again
    does not overrule a later one.
    """
    plan = Plan()
    by_key = {(alert.partner_id, alert.rule): alert for alert in live}
    seen = set()
    for finding in found:
        key = (finding.partner_id, finding.rule)
        seen.add(key)
        alert = by_key.get(key)
        if alert is None:
            plan.raised.append(finding)
        elif alert.evaluated_on > day:
            continue
        elif rank(finding.severity) > rank(alert.severity):
            plan.escalated.append((alert, finding))
        elif rank(finding.severity) < rank(alert.severity):
            plan.eased.append((alert, finding))
        elif finding.evidence != alert.evidence or alert.evaluated_on != day:
            plan.refreshed.append((alert, finding))
    plan.cleared = [alert for key, alert in by_key.items() if key not in seen and alert.evaluated_on <= day]
    return plan
