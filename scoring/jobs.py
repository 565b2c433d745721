"""The nightly job: per tenant and day, every step that keeps the numbers current (SPEC §5).

Each step runs in its own transaction and is idempotent; the run records progress,
duration and errors, and a failing tenant never stops the others.
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext

from tenancy.context import crossing_tenants, tenant_scope
from tenancy.models import Tenant

from .models import JobRun

logger = logging.getLogger(__name__)


def _scores(day: datetime.date) -> dict:
    from .services import scores_compute

    return scores_compute(day=day)


def _accruals(day: datetime.date) -> dict:
    from incentives.services import accruals_compute

    return accruals_compute(day=day)


def _leads(day: datetime.date) -> dict:
    from leads.services import leads_lapse

    return leads_lapse()


def _import_jobs(day: datetime.date) -> dict:
    from facts.services import import_jobs_expire

    return {"expired": import_jobs_expire()}


# What each step's summary says, in words (the job-run page): the step's name, then its figures.
# A step added later adds its words here; a figure without words shows its key.
STEP_LABELS = {
    "scores": gettext_lazy("Scores"),
    "accruals": gettext_lazy("Rebate accruals"),
    "risk": gettext_lazy("Risk alerts"),
    "import_jobs": gettext_lazy("Stuck imports"),
    "deals": gettext_lazy("Deal protection"),
    "leads": gettext_lazy("Lead offers past their time"),
    "action_items": gettext_lazy("Action items coming due"),
    "exit_reviews": gettext_lazy("Exit reviews"),
}
RESULT_LABELS = {
    ("scores", "partners"): gettext_lazy("partners scored"),
    ("scores", "recommendations"): gettext_lazy("tier recommendations"),
    ("scores", "applied"): gettext_lazy("applied on their own"),
    ("accruals", "accruals"): gettext_lazy("accruals"),
    ("accruals", "programs"): gettext_lazy("programs"),
    ("accruals", "removed"): gettext_lazy("removed"),
    ("risk", "partners"): gettext_lazy("partners checked"),
    ("risk", "raised"): gettext_lazy("raised"),
    ("risk", "escalated"): gettext_lazy("escalated"),
    ("risk", "eased"): gettext_lazy("eased"),
    ("risk", "refreshed"): gettext_lazy("refreshed"),
    ("risk", "resolved"): gettext_lazy("resolved"),
    ("import_jobs", "expired"): gettext_lazy("ended as failed"),
    ("deals", "expired"): gettext_lazy("deals expired"),
    ("leads", "lapsed"): gettext_lazy("lapsed"),
    ("leads", "offered"): gettext_lazy("offered to the next partner"),
    ("leads", "unassigned"): gettext_lazy("left for a person"),
    ("action_items", "reminded"): gettext_lazy("reminded"),
    ("exit_reviews", "weak"): gettext_lazy("partners weak for 90 days"),
    ("exit_reviews", "flagged"): gettext_lazy("flagged for exit review"),
}


TRIGGERS = {
    "schedule": gettext_lazy("Schedule"),
    "command": gettext_lazy("Command"),
    "demo": gettext_lazy("Demo data"),
    "manual": gettext_lazy("Run by hand"),
}


def summary_in_words(summary: dict) -> list[str]:
    """``["Scores: 68 partners scored, 26 tier recommendations, 0 applied on their own", …]``."""
    lines = []
    for step, figures in (summary or {}).items():
        label = STEP_LABELS.get(step, step)
        if isinstance(figures, dict):
            known = [key for (label_step, key) in RESULT_LABELS if label_step == step and key in figures]
            keys = known + sorted(key for key in figures if key not in known)  # jsonb keeps keys sorted
            parts = [f"{figures[key]} {RESULT_LABELS.get((step, key), key)}" for key in keys]
            lines.append(f"{label}: {pgettext('list separator', ', ').join(parts)}")
        else:
            lines.append(f"{label}: {figures}")
    return lines


def _risk(day: datetime.date) -> dict:
    from risk.services import alerts_evaluate

    return alerts_evaluate(day=day)


def _deals(day: datetime.date) -> dict:
    from deals.services import deals_expire

    return deals_expire(day=day)


def _action_items(day: datetime.date) -> dict:
    from communication.services import action_items_coming_due

    return action_items_coming_due(day)


def _exit_reviews(day: datetime.date) -> dict:
    from screening.services import exit_reviews_flag

    return exit_reviews_flag(day=day)


# (name, step). Later features add their steps here.
NIGHTLY_STEPS: list[tuple[str, Callable[[datetime.date], dict]]] = [
    ("scores", _scores),
    ("accruals", _accruals),
    ("risk", _risk),
    ("exit_reviews", _exit_reviews),  # after the night's scores, which it reads
    ("import_jobs", _import_jobs),
    ("deals", _deals),
    ("leads", _leads),
    ("action_items", _action_items),
]


class RunTakenOver(Exception):
    """This worker's run was taken over by another (its heartbeat went stale): stop without writing."""


# Claims are plain SQL: an UPDATE and an INSERT … ON CONFLICT that say, in one statement each, whether
# this worker now holds the tenant-day. Both run inside the tenant's scope (row-level security applies).
_TAKE_OVER_STALE = """
UPDATE scoring_jobrun SET attempts = attempts + 1, updated_at = %(now)s, step = %(first_step)s, progress = 0
 WHERE tenant_id = %(tenant)s AND kind = %(kind)s AND day = %(day)s AND status = 'running' AND updated_at < %(stale)s
RETURNING id
"""
_CLAIM_NEW = """
INSERT INTO scoring_jobrun (tenant_id, created_at, updated_at, started_at, kind, day, status, progress, step,
                            error, summary, triggered_by, attempts)
VALUES (%(tenant)s, %(now)s, %(now)s, %(now)s, %(kind)s, %(day)s, 'running', 0, %(first_step)s, '', '{}',
        %(triggered_by)s, 1)
ON CONFLICT (tenant_id, kind, day) WHERE status = 'running' DO NOTHING
RETURNING id
"""


def _claim(*, tenant: Tenant, day: datetime.date, triggered_by: str, kind: str = "nightly") -> tuple[JobRun, bool]:
    """The run this call is to do, and whether it holds it: ``(run, True)``, or the run that stands in its way.

    - a running run whose heartbeat is older than ``NIGHTLY_RUN_STALE_AFTER`` lost its worker: taken
      over, the same row (one row per tenant-day, ``attempts`` counts the workers);
    - a running run with a fresh heartbeat: someone is at it, ``(that run, False)``;
    - else a new running row. The partial unique index lets only one claim in; a claim that
      conflicts with a run finishing at that moment waits for it, so the next statement sees it done;
    - a scheduled run (beat, possibly firing twice) then gives way to a run of the day that already
      succeeded; a run by hand or by command is a deliberate re-run and goes ahead.
    """
    now = timezone.now()
    params = {
        "tenant": tenant.pk,
        "kind": kind,
        "day": day,
        "now": now,
        "stale": now - datetime.timedelta(seconds=settings.NIGHTLY_RUN_STALE_AFTER),
        "triggered_by": triggered_by,
        "first_step": NIGHTLY_STEPS[0][0] if NIGHTLY_STEPS else "",
    }
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(_TAKE_OVER_STALE, params)
        row = cursor.fetchone()
        if row is not None:
            logger.warning("Nightly run %s for tenant %s on %s taken over from a lost worker", row[0], tenant.slug, day)
            return JobRun.objects.get(pk=row[0]), True
        cursor.execute(_CLAIM_NEW, params)
        row = cursor.fetchone()
        if row is None:
            return JobRun.objects.get(kind=kind, day=day, status=JobRun.Status.RUNNING), False
        if triggered_by == "schedule":
            done = JobRun.objects.filter(kind=kind, day=day, status=JobRun.Status.SUCCEEDED).first()
            if done is not None:
                JobRun.objects.filter(pk=row[0]).delete()
                return done, False
        return JobRun.objects.get(pk=row[0]), True


def nightly_run(*, tenant: Tenant, day: datetime.date, triggered_by: str = "command") -> JobRun:
    """Run every nightly step for one tenant and day, once; the run is recorded whether it succeeds or not.

    Exactly once per tenant-day (``_claim``): a second call while a run is in flight, or a scheduled
    call after the day succeeded, does nothing and returns that run. Each step is one transaction,
    all or nothing, and commits the run's progress with its work (the job page shows it; each
    step's start is the run's heartbeat): one transaction per step, not two, since a tenant's run
    is mostly fixed cost when tenants are many (bench/many_tenants.py).
    """
    run, claimed = _claim(tenant=tenant, day=day, triggered_by=triggered_by)
    if not claimed:
        return run

    def mine():  # the run, while this worker still holds it (inside the tenant's scope)
        return JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING, attempts=run.attempts)

    summary: dict = {}
    count = len(NIGHTLY_STEPS)
    try:
        for index, (name, step) in enumerate(NIGHTLY_STEPS):
            with tenant_scope(tenant):
                summary[name] = step(day)
                # Committed with the step's work, in its transaction: the heartbeat and the next step's
                # name (the job page's progress), or the run's success. A worker that lost the run finds
                # no row of its own to update, and its step is undone with the transaction.
                now = timezone.now()
                if index + 1 < count:
                    fields = {"step": NIGHTLY_STEPS[index + 1][0], "progress": int(100 * (index + 1) / count)}
                else:
                    fields = {"status": JobRun.Status.SUCCEEDED, "progress": 100, "step": "", "finished_at": now}
                if not mine().update(updated_at=now, summary=summary, **fields):
                    raise RunTakenOver
    except RunTakenOver:
        logger.warning("Nightly run %s for tenant %s on %s was taken over; stopping", run.pk, tenant.slug, day)
    except Exception as error:  # a run records any failure; the caller moves on to the next tenant
        logger.exception("Nightly run failed for tenant %s on %s", tenant.slug, day)
        with tenant_scope(tenant):
            now = timezone.now()
            mine().update(
                status=JobRun.Status.FAILED,
                error=f"{type(error).__name__}: {error}\n\n{traceback.format_exc(limit=8)}",
                finished_at=now,
                updated_at=now,
                summary=summary,
            )
    with tenant_scope(tenant):
        run.refresh_from_db()
    return run


def tenant_yesterday(tenant: Tenant, now: datetime.datetime | None = None) -> datetime.date:
    local = (now or timezone.now()).astimezone(tenant.zone)
    return local.date() - datetime.timedelta(days=1)


def due_tenants(now: datetime.datetime | None = None, *, after_hour: int = 1) -> list[tuple[Tenant, datetime.date]]:
    """Tenants whose local night has passed ``after_hour`` and whose yesterday is neither done nor in hand.

    A run in hand has a fresh heartbeat; one whose worker died is due again (its claim takes it over).
    """
    now = now or timezone.now()
    candidates = []
    for tenant in Tenant.objects.order_by("pk"):
        if now.astimezone(tenant.zone).hour >= after_hour:
            candidates.append((tenant, tenant_yesterday(tenant, now)))
    if not candidates:
        return []
    # Crossing tenants on purpose, read-only: the dispatcher decides for every tenant, in one query.
    pairs = Q()
    for tenant, day in candidates:
        pairs |= Q(tenant_id=tenant.pk, day=day)
    with crossing_tenants():
        busy = set(
            JobRun.objects.unscoped()
            .filter(pairs, kind="nightly")
            .filter(
                Q(status=JobRun.Status.SUCCEEDED)
                | Q(
                    status=JobRun.Status.RUNNING,
                    updated_at__gt=now - datetime.timedelta(seconds=settings.NIGHTLY_RUN_STALE_AFTER),
                )
            )
            .values_list("tenant_id", "day")
        )
    return [(tenant, day) for tenant, day in candidates if (tenant.pk, day) not in busy]
