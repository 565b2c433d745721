"""Alerts in words: a sentence per alert, its evidence as labelled figures, the thresholds as rules.

Every amount goes through ``format_money`` in the tenant's currency; percentages through
``incentives.explain.percent``; rules, severities and statuses by their labels, never their codes.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import format_money
from incentives.explain import percent
from partners.models import PartnerStatus

from .calculations import Thresholds
from .models import Alert, AlertEvent, AlertRule


def _money(value, currency: str) -> str:
    return format_money(None if value is None else Decimal(value), currency)


def _percent(value) -> str:
    return "—" if value is None else percent(Decimal(value))


def _day(value: str | None) -> str:
    return value or "—"


def _status_label(status: str) -> str:
    return str(dict(PartnerStatus.choices).get(status, status))


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def summary(rule: str, evidence: dict, currency: str) -> str:
    """One sentence saying what the rule found (or, for cleared figures, what it sees now)."""
    if rule == AlertRule.CREDIT:
        if evidence.get("utilisation_percent") is None:
            return _("%(outstanding)s owed against a credit limit of %(limit)s.") % {
                "outstanding": _money(evidence.get("outstanding"), currency),
                "limit": _money(evidence.get("limit"), currency),
            }
        limit_words = _("pilot credit limit") if evidence.get("limit_kind") == "pilot" else _("credit limit")
        return _("%(outstanding)s owed against a %(kind)s of %(limit)s: %(used)s used.") % {
            "outstanding": _money(evidence.get("outstanding"), currency),
            "kind": limit_words,
            "limit": _money(evidence.get("limit"), currency),
            "used": _percent(evidence.get("utilisation_percent")),
        }
    if rule == AlertRule.OVERDUE:
        count = evidence.get("invoice_count", 0)
        return ngettext(
            "%(warning)s overdue by %(warning_days)d days or more (%(critical)s by %(critical_days)d days or more), "
            "on %(count)d invoice.",
            "%(warning)s overdue by %(warning_days)d days or more (%(critical)s by %(critical_days)d days or more), "
            "on %(count)d invoices.",
            count,
        ) % {
            "warning": _money(evidence.get("overdue_warning"), currency),
            "warning_days": evidence.get("warning_days", 0),
            "critical": _money(evidence.get("overdue_critical"), currency),
            "critical_days": evidence.get("critical_days", 0),
            "count": count,
        }
    if rule == AlertRule.PERFORMANCE_DROP:
        return _(
            "Net sales of %(recent)s in the last 30 days, %(ratio)s of the monthly average of %(average)s over 180 "
            "days (alert below %(drop)s)."
        ) % {
            "recent": _money(evidence.get("sales_recent"), currency),
            "ratio": _percent(evidence.get("ratio_percent")),
            "average": _money(evidence.get("monthly_average"), currency),
            "drop": _percent(evidence.get("drop_percent")),
        }
    if rule == AlertRule.CONTRACT_EXPIRY:
        if not evidence.get("number"):
            return _("No contract ends within %(days)s.") % {"days": _days(evidence.get("window_days", 0))}
        return _("Contract %(number)s ends on %(ends_on)s, in %(days)s, and no later contract is on file.") % {
            "number": evidence["number"],
            "ends_on": _day(evidence.get("ends_on")),
            "days": _days(evidence.get("days_left", 0)),
        }
    if rule == AlertRule.PILOT_EXPIRY:
        if not evidence.get("pilot_ends_on"):
            return _("The partner is no longer in its pilot stage.")
        return _(
            "The pilot ended on %(ended)s, %(days)s ago, and the partner is still in pilot: activate it or end "
            "the cooperation."
        ) % {"ended": evidence["pilot_ends_on"], "days": _days(evidence.get("days_since") or 0)}
    return ""


def alert_summary(alert: Alert, currency: str) -> str:
    return summary(alert.rule, alert.evidence or {}, currency)


def cleared_summary(rule: str, details: dict, currency: str) -> str:
    """Why an alert resolved on its own: the partner is no longer checked, or what the rule sees now."""
    if details.get("checked") is False:
        return _("No longer checked: the partner's status is now “%(status)s”.") % {
            "status": _status_label(details.get("status", ""))
        }
    return _("The condition cleared. Now: %(now)s") % {"now": summary(rule, details, currency)}


@dataclasses.dataclass(frozen=True)
class Fact:
    label: str
    value: str


def evidence_facts(rule: str, evidence: dict, currency: str) -> list[Fact]:
    """The figures behind an alert, labelled, as its page lists them."""
    return [Fact(_("As of"), _day(evidence.get("day"))), *_rule_facts(rule, evidence, currency)]


def _rule_facts(rule: str, evidence: dict, currency: str) -> list[Fact]:
    if rule == AlertRule.CREDIT:
        kind = _("Pilot credit limit") if evidence.get("limit_kind") == "pilot" else _("Credit limit")
        return [
            Fact(_("Outstanding"), _money(evidence.get("outstanding"), currency)),
            Fact(kind, _money(evidence.get("limit"), currency)),
            Fact(_("Utilisation"), _percent(evidence.get("utilisation_percent"))),
            Fact(_("Warning from"), _percent(evidence.get("warning_percent"))),
            Fact(_("Critical from"), _percent(evidence.get("critical_percent"))),
        ]
    if rule == AlertRule.OVERDUE:
        return [
            Fact(_("Outstanding"), _money(evidence.get("outstanding"), currency)),
            Fact(
                _("Overdue by %(days)s or more") % {"days": _days(evidence.get("warning_days", 0))},
                _money(evidence.get("overdue_warning"), currency),
            ),
            Fact(
                _("Overdue by %(days)s or more") % {"days": _days(evidence.get("critical_days", 0))},
                _money(evidence.get("overdue_critical"), currency),
            ),
            Fact(_("Overdue invoices"), str(evidence.get("invoice_count", 0))),
        ]
    if rule == AlertRule.PERFORMANCE_DROP:
        return [
            Fact(
                _("Net sales, %(start)s to %(end)s (30 days)")
                % {"start": _day(evidence.get("recent_from")), "end": _day(evidence.get("to"))},
                _money(evidence.get("sales_recent"), currency),
            ),
            Fact(
                _("Net sales, %(start)s to %(end)s (180 days)")
                % {"start": _day(evidence.get("baseline_from")), "end": _day(evidence.get("to"))},
                _money(evidence.get("sales_baseline"), currency),
            ),
            Fact(_("Monthly average (180 days ÷ 6)"), _money(evidence.get("monthly_average"), currency)),
            Fact(
                _("Alert below (%(percent)s of the average)") % {"percent": _percent(evidence.get("drop_percent"))},
                _money(evidence.get("threshold_amount"), currency),
            ),
            Fact(_("Last 30 days against the average"), _percent(evidence.get("ratio_percent"))),
        ]
    if rule == AlertRule.CONTRACT_EXPIRY:
        return [
            Fact(_("Contract"), evidence.get("number") or "—"),
            Fact(_("Starts on"), _day(evidence.get("starts_on"))),
            Fact(_("Ends on"), _day(evidence.get("ends_on"))),
            Fact(_("Days left"), str(evidence.get("days_left", "—"))),
            Fact(_("Alert window"), _days(evidence.get("window_days", 0))),
        ]
    if rule == AlertRule.PILOT_EXPIRY:
        return [
            Fact(_("Status"), _status_label(evidence.get("status", ""))),
            Fact(_("Pilot ended on"), _day(evidence.get("pilot_ends_on"))),
            Fact(_("Days since"), str(evidence.get("days_since") if evidence.get("days_since") is not None else "—")),
            Fact(_("Pilot credit limit"), _money(evidence.get("pilot_credit_limit"), currency)),
        ]
    return []


def event_words(event: AlertEvent, currency: str, rule: str) -> str:
    """What an event did, in words (its severity change, or why it resolved)."""
    if event.action == AlertEvent.Action.RAISED:
        return _("Raised as %(severity)s.") % {"severity": event.get_to_severity_display()}
    if event.action in (AlertEvent.Action.ESCALATED, AlertEvent.Action.EASED):
        return _("%(from)s → %(to)s.") % {
            "from": event.get_from_severity_display(),
            "to": event.get_to_severity_display(),
        }
    if event.action == AlertEvent.Action.RESOLVED and event.actor_id is None:
        return cleared_summary(rule, event.details or {}, currency)
    return event.note


def threshold_rules(thresholds: Thresholds) -> list[tuple[str, str]]:
    """The rules in force, in words: (rule label, what raises it)."""
    t = thresholds
    return [
        (
            AlertRule.CREDIT.label,
            _("Outstanding at %(warning)s of the credit limit or more: warning; at %(critical)s or more: critical. "
              "A partner in pilot is measured against its pilot credit limit; no limit, no alert.")
            % {"warning": percent(Decimal(t.credit_warning_percent)),
               "critical": percent(Decimal(t.credit_critical_percent))},
        ),
        (
            AlertRule.OVERDUE.label,
            _("Anything overdue by %(warning)s or more: warning; by %(critical)s or more: critical.")
            % {"warning": _days(t.overdue_warning_days), "critical": _days(t.overdue_critical_days)},
        ),
        (
            AlertRule.PERFORMANCE_DROP.label,
            _("Net sales in the last 30 days below %(drop)s of the monthly average of the last 180 days: warning.")
            % {"drop": percent(Decimal(t.performance_drop_percent))},
        ),
        (
            AlertRule.CONTRACT_EXPIRY.label,
            _("The partner's last contract ends within %(days)s: info.") % {"days": _days(t.contract_expiry_days)},
        ),
        (
            AlertRule.PILOT_EXPIRY.label,
            _("Still in pilot after the pilot's end date: warning."),
        ),
    ]  # fmt: skip
