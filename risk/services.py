"""Writes for risk: the nightly evaluation of the rules, an alert's moves by people, the thresholds.

An alert moves along this table, and nowhere else::

                 ┌──escalate / ease──┐   (the nightly run, in place; escalating reopens it)
                 ▼                   │
    (raise) ──▶ open ──acknowledge──▶ acknowledged
                 │                        │
                 └──────resolve───────────┴──▶ resolved   (by a person with a note, or by the
                                                          nightly run when the condition clears)

The nightly run (``alerts_evaluate``) makes its moves set-based, for every partner at once, in a
fixed number of statements; people make theirs one alert at a time through ``alert_transition``.
Both record every move as an ``AlertEvent`` in the same transaction, and both tell the world
through ``_announce`` — the one door through which an alert raised, escalated or resolved becomes a
notification (SPEC §4.11).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
import json
from collections.abc import Iterator, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import tenant_today
from common.errors import NotFound, PermissionDenied
from tenancy.context import require_tenant
from tenancy.models import Membership, Tenant
from tenancy.roles import Capability, role_can

from .calculations import (
    ZERO,
    LiveAlert,
    PartnerFigures,
    Thresholds,
    evidence_of,
    findings,
    plan_changes,
    thresholds_problems,
)
from .errors import TransitionRefused
from .inputs import gather_figures, receivables_for_rules
from .models import (
    LIVE_STATUSES,
    NOTE_MAX_LENGTH,
    Alert,
    AlertEvent,
    AlertStatus,
    ReceivablesSnapshot,
    ThresholdChange,
)
from .notices import alerts_announced

Action = AlertEvent.Action
# pg_advisory_xact_lock(RISK_LOCK, tenant id): one evaluation of a tenant's alerts at a time.
RISK_LOCK = 7301


# --- announcing ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AlertChange:
    """An alert that was raised, escalated or resolved: what a notification is about."""

    alert_id: int
    partner_id: int
    rule: str
    severity: str
    previous_severity: str = ""
    actor_id: int | None = None  # None: the nightly run


@dataclasses.dataclass(frozen=True)
class Announcement:
    tenant_id: int
    change: str  # raised | escalated | resolved
    alerts: tuple[AlertChange, ...]


_listening: contextvars.ContextVar[list[Announcement] | None] = contextvars.ContextVar(
    "risk_announcements", default=None
)


@contextlib.contextmanager
def announcements_heard() -> Iterator[list[Announcement]]:
    """Collect what ``_announce`` would tell, for as long as the block runs (tests, the demo's summary)."""
    heard: list[Announcement] = []
    token = _listening.set(heard)
    try:
        yield heard
    finally:
        _listening.reset(token)


def _announce(alerts: Sequence[AlertChange], change: str) -> None:
    """Every moment an alert is raised, escalated or resolved passes here, once per change and batch.

    It is called inside the transaction that made the change: the notifications (``notices``) are
    recorded with it and delivered once it commits, and never fail it. Whoever listens
    (``announcements_heard``: tests) hears every change.
    """
    if not alerts:
        return
    heard = _listening.get()
    if heard is not None:
        heard.append(Announcement(tenant_id=require_tenant().pk, change=change, alerts=tuple(alerts)))
    alerts_announced([alert.alert_id for alert in alerts], change)


# --- the nightly evaluation ---------------------------------------------------------------------

LIVE_SQL = """
SELECT id, partner_id, rule, severity, status, evidence, evaluated_on
FROM risk_alert
WHERE tenant_id = %(tenant)s AND status IN ('open', 'acknowledged')
FOR UPDATE
"""

RAISE_SQL = """
INSERT INTO risk_alert (tenant_id, created_at, updated_at, partner_id, rule, severity, status, evidence,
                        raised_on, evaluated_on, raised_at, resolution_note)
SELECT %(tenant)s, now(), now(), partner_id, rule, severity, 'open', evidence::jsonb,
       %(day)s, %(day)s, now(), ''
FROM unnest(%(partners)s::bigint[], %(rules)s::text[], %(severities)s::text[], %(evidence)s::text[])
     AS raised(partner_id, rule, severity, evidence)
RETURNING id, partner_id, rule, severity
"""

# Escalated, eased and refreshed alerts take the night's severity and figures; an escalation reopens
# an acknowledged alert and stamps when. Only live alerts are touched.
CHANGE_SQL = """
UPDATE risk_alert a
SET severity = changed.severity, evidence = changed.evidence::jsonb, evaluated_on = %(day)s, updated_at = now(),
    escalated_at = CASE WHEN changed.escalated THEN now() ELSE a.escalated_at END,
    status = CASE WHEN changed.escalated THEN 'open' ELSE a.status END
FROM unnest(%(ids)s::bigint[], %(severities)s::text[], %(evidence)s::text[], %(escalated)s::boolean[])
     AS changed(id, severity, evidence, escalated)
WHERE a.tenant_id = %(tenant)s AND a.id = changed.id AND a.status IN ('open', 'acknowledged')
"""

CLEAR_SQL = """
UPDATE risk_alert
SET status = 'resolved', resolved_on = %(day)s, resolved_at = now(), resolved_by_id = NULL, updated_at = now()
WHERE tenant_id = %(tenant)s AND id = ANY(%(ids)s) AND status IN ('open', 'acknowledged')
"""

EVENTS_SQL = """
INSERT INTO risk_alertevent (tenant_id, created_at, updated_at, alert_id, action, from_severity, to_severity,
                             from_status, to_status, actor_id, day, note, details)
SELECT %(tenant)s, now(), now(), alert_id, action, from_severity, to_severity, from_status, to_status,
       NULL, %(day)s, '', details::jsonb
FROM unnest(%(alerts)s::bigint[], %(actions)s::text[], %(from_severities)s::text[], %(to_severities)s::text[],
            %(from_statuses)s::text[], %(to_statuses)s::text[], %(details)s::text[])
     AS event(alert_id, action, from_severity, to_severity, from_status, to_status, details)
"""


def _json(value: dict) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _live_alerts(tenant_id: int) -> list[LiveAlert]:
    """The tenant's open and acknowledged alerts, locked until the run's transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_SQL, {"tenant": tenant_id})
        # Django reads jsonb as text (its JSONField parses it): so do we.
        return [
            LiveAlert(pk, partner_id, rule, severity, status, json.loads(evidence), evaluated_on)
            for pk, partner_id, rule, severity, status, evidence, evaluated_on in cursor.fetchall()
        ]


def _cleared_evidence(
    alert: LiveAlert, figures: Mapping[int, PartnerFigures], statuses: Mapping[int, str], thresholds, day
) -> dict:
    """Why an alert cleared: the rule's figures now, or that the partner is no longer checked for it."""
    partner = figures.get(alert.partner_id)
    if partner is None or alert.rule not in partner.rules:
        return {"day": day.isoformat(), "status": statuses.get(alert.partner_id, ""), "checked": False}
    return {**evidence_of(alert.rule, partner, thresholds, day), "checked": True}


EVENT_COLUMNS = ("alerts", "actions", "from_severities", "to_severities", "from_statuses", "to_statuses", "details")


@dataclasses.dataclass
class _Events:
    """The events of a run, as the columns of one INSERT."""

    columns: dict[str, list] = dataclasses.field(default_factory=lambda: {name: [] for name in EVENT_COLUMNS})

    def add(self, alert_id, action, from_severity, to_severity, from_status, to_status, details) -> None:
        for name, value in zip(
            self.columns, (alert_id, action, from_severity, to_severity, from_status, to_status, _json(details)),
            strict=True,
        ):  # fmt: skip
            self.columns[name].append(value)


def receivables_snapshot_store(*, day: datetime.date, receivables: dict, thresholds: Thresholds) -> int:
    """Keep the night's receivables of every partner (``facts.calculations.Receivables`` by partner id) for
    the pages to read, in place of the last night's: one delete and one insert, whatever the partner count."""
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    rows = [
        ReceivablesSnapshot(
            partner_id=partner_id,
            day=day,
            invoiced=owed.invoiced,
            paid=owed.paid,
            current=owed.current,
            days_1_30=owed.days_1_30,
            days_31_60=owed.days_31_60,
            days_61_90=owed.days_61_90,
            days_over_90=owed.days_over_90,
            overdue=owed.overdue,
            warning_days=warning_days,
            critical_days=critical_days,
            overdue_warning=owed.overdue_by.get(warning_days, ZERO),
            overdue_critical=owed.overdue_by.get(critical_days, ZERO),
        )
        for partner_id, owed in receivables.items()
    ]
    with transaction.atomic():
        ReceivablesSnapshot.objects.all().delete()
        ReceivablesSnapshot.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def alerts_evaluate(*, day: datetime.date) -> dict:
    """Run the risk rules for every partner as of ``day`` and bring the alerts in line (the nightly step).

    Idempotent: the same day run twice finds every alert as it left it and writes nothing. A fixed
    number of statements whatever the number of partners and alerts.
    """
    tenant = require_tenant()
    thresholds = Thresholds.of(tenant.risk_thresholds)
    receivables = receivables_for_rules(day, thresholds)
    statuses, figures = gather_figures(day, thresholds, receivables)
    receivables_snapshot_store(day=day, receivables=receivables, thresholds=thresholds)
    found = findings(figures, thresholds, day)
    by_partner = {partner.partner_id: partner for partner in figures}
    events = _Events()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RISK_LOCK, tenant.pk])
        plan = plan_changes(_live_alerts(tenant.pk), found, day)
        base = {"tenant": tenant.pk, "day": day}
        cursor.execute(
            RAISE_SQL,
            {
                **base,
                "partners": [finding.partner_id for finding in plan.raised],
                "rules": [finding.rule for finding in plan.raised],
                "severities": [finding.severity for finding in plan.raised],
                "evidence": [_json(finding.evidence) for finding in plan.raised],
            },
        )
        raised_ids = {(partner_id, rule): alert_id for alert_id, partner_id, rule, _severity in cursor.fetchall()}
        changed = plan.changed
        escalated_ids = {alert.id for alert, _finding in plan.escalated}
        cursor.execute(
            CHANGE_SQL,
            {
                **base,
                "ids": [alert.id for alert, _finding in changed],
                "severities": [finding.severity for _alert, finding in changed],
                "evidence": [_json(finding.evidence) for _alert, finding in changed],
                "escalated": [alert.id in escalated_ids for alert, _finding in changed],
            },
        )
        cursor.execute(CLEAR_SQL, {**base, "ids": [alert.id for alert in plan.cleared]})
        for finding in plan.raised:
            alert_id = raised_ids[(finding.partner_id, finding.rule)]
            events.add(alert_id, Action.RAISED, "", finding.severity, "", AlertStatus.OPEN, finding.evidence)
        for alert, finding in plan.escalated:
            events.add(alert.id, Action.ESCALATED, alert.severity, finding.severity, alert.status, AlertStatus.OPEN,
                       finding.evidence)  # fmt: skip
        for alert, finding in plan.eased:
            events.add(alert.id, Action.EASED, alert.severity, finding.severity, alert.status, alert.status,
                       finding.evidence)  # fmt: skip
        for alert in plan.cleared:
            details = _cleared_evidence(alert, by_partner, statuses, thresholds, day)
            events.add(alert.id, Action.RESOLVED, alert.severity, alert.severity, alert.status, AlertStatus.RESOLVED,
                       details)  # fmt: skip
        cursor.execute(EVENTS_SQL, {**base, **events.columns})
    _announce(
        [AlertChange(raised_ids[(f.partner_id, f.rule)], f.partner_id, f.rule, f.severity) for f in plan.raised],
        "raised",
    )
    _announce(
        [AlertChange(a.id, a.partner_id, a.rule, f.severity, previous_severity=a.severity) for a, f in plan.escalated],
        "escalated",
    )
    _announce([AlertChange(a.id, a.partner_id, a.rule, a.severity) for a in plan.cleared], "resolved")
    return {
        "partners": len(figures),
        "raised": len(plan.raised),
        "escalated": len(plan.escalated),
        "eased": len(plan.eased),
        "refreshed": len(plan.refreshed),
        "resolved": len(plan.cleared),
    }


# --- people's moves -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Move:
    """A move a person makes: from which statuses, to which, and whether a note must say why."""

    action: str
    sources: frozenset[str]
    target: str
    requires_note: bool = False


MOVES: dict[str, Move] = {
    "acknowledge": Move(Action.ACKNOWLEDGED, frozenset({AlertStatus.OPEN}), AlertStatus.ACKNOWLEDGED),
    "resolve": Move(Action.RESOLVED, frozenset(LIVE_STATUSES), AlertStatus.RESOLVED, requires_note=True),
}


def _refusal(move: str, status: str) -> str:
    if status == AlertStatus.RESOLVED:
        return _("This alert is resolved already.")
    if move == "acknowledge":
        return _("This alert is acknowledged already.")
    return _("This alert cannot be changed now.")


def _note(value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({"note": _("Say how the alert was dealt with.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Write at most %(limit)d characters (this has %(count)d).")
                     % {"limit": NOTE_MAX_LENGTH, "count": len(text)}}
        )  # fmt: skip
    return text


def alert_transition(*, alert: Alert, move: str, actor, note: str = "") -> Alert:
    """Move ``alert`` by ``move`` (a key of ``MOVES``) for ``actor``; every other move is a 409.

    Only vendor members who manage risk (risk, admin) move alerts; partner-side members never see
    one (404). The move, who made it and the note are recorded in an ``AlertEvent``.
    """
    allowed = MOVES[move]
    with transaction.atomic():
        membership = Membership.objects.filter(user=actor, is_active=True).first() if actor is not None else None
        if membership is None or membership.is_partner_side:
            raise NotFound(_("Not found."))
        locked = Alert.objects.select_for_update(of=("self",)).filter(pk=alert.pk).first()
        if locked is None:
            raise NotFound(_("Not found."))
        if not role_can(membership.role, Capability.MANAGE_RISK):
            raise PermissionDenied(_("Your role may not do this."))
        if locked.status not in allowed.sources:
            raise TransitionRefused(_refusal(move, locked.status))
        said = _note(note, required=allowed.requires_note)
        now = timezone.now()
        changed = ["status", "updated_at"]
        if move == "acknowledge":
            locked.acknowledged_by, locked.acknowledged_at = actor, now
            changed += ["acknowledged_by", "acknowledged_at"]
        else:
            locked.resolved_by, locked.resolved_at = actor, now
            locked.resolved_on, locked.resolution_note = tenant_today(require_tenant()), said
            changed += ["resolved_by", "resolved_at", "resolved_on", "resolution_note"]
        from_status = locked.status
        locked.status = allowed.target
        locked.save(update_fields=changed)
        AlertEvent.objects.create(
            alert=locked,
            action=allowed.action,
            from_severity=locked.severity,
            to_severity=locked.severity,
            from_status=from_status,
            to_status=locked.status,
            actor=actor,
            note=said,
        )
        if move == "resolve":
            change = AlertChange(locked.pk, locked.partner_id, locked.rule, locked.severity, actor_id=actor.pk)
            _announce([change], "resolved")
    return locked


def alert_acknowledge(*, alert: Alert, actor, note: str = "") -> Alert:
    """Open → acknowledged: someone is on it (a note is welcome, not needed)."""
    return alert_transition(alert=alert, move="acknowledge", actor=actor, note=note)


def alert_resolve(*, alert: Alert, actor, note: str) -> Alert:
    """Open or acknowledged → resolved, with a note saying how it was dealt with.

    Should the condition still hold, the next nightly run raises a new alert.
    """
    return alert_transition(alert=alert, move="resolve", actor=actor, note=note)


# --- thresholds ---------------------------------------------------------------------------------


def risk_thresholds_update(*, tenant: Tenant, thresholds: Mapping[str, object], actor) -> Thresholds:
    """Set the tenant's risk thresholds (those not given stay as they are); the next nightly run uses them.

    Bad values are a ``ValidationError`` by field and change nothing; a change is kept with who made it.
    """
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        current = Thresholds.of(locked.risk_thresholds).as_dict()
        wanted = {**current, **{name: value for name, value in thresholds.items() if name in current}}
        problems = thresholds_problems(wanted)
        if problems:
            raise ValidationError(problems)
        if wanted != locked.risk_thresholds:
            ThresholdChange.objects.create(actor=actor, old_values=locked.risk_thresholds, new_values=wanted)
            locked.risk_thresholds = wanted
            locked.save(update_fields=["risk_thresholds"])
    tenant.risk_thresholds = locked.risk_thresholds
    return Thresholds.of(wanted)
