"""One nightly run per tenant-day: beat firing twice, two workers at once, a worker that died."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connections
from django.utils import timezone

from incentives.models import RebateAccrual
from risk.models import Alert, AlertEvent
from scoring import jobs, tasks
from scoring.models import JobRun, PartnerScore
from tenancy.context import crossing_tenants, tenant_scope
from tests.facts.helpers import invoice, load

DAY = datetime.date(2026, 6, 30)


def _facts(world):
    load(
        "sales",
        {"partner": world.own.code, "date": "2026-03-01", "customer": "A", "amount": "800000.00"},
        {"partner": world.other.code, "date": "2026-05-01", "customer": "B", "amount": "1000000.00"},
    )
    load("invoices", invoice(world.own, "EO-1", "2026-01-10", "2026-02-09", "100000.00"))


def _rows(tenant) -> dict:
    """What a night writes, counted: runs, scores, accruals, alerts."""
    with tenant_scope(tenant):
        return {
            "runs": JobRun.objects.filter(day=DAY).count(),
            "scores": PartnerScore.objects.filter(day=DAY).count(),
            "accruals": RebateAccrual.objects.count(),
            "alerts": Alert.objects.count(),
            "alert_events": AlertEvent.objects.count(),
        }


def test_beat_firing_twice_makes_one_run_and_the_same_rows(acme):
    # given one night already run by the schedule
    _facts(acme)
    first = tasks.nightly_run_task.delay(acme.tenant.pk, DAY.isoformat()).get()
    once = _rows(acme.tenant)
    # when the same tick's task comes again (beat fired twice, or the message was delivered twice)
    second = tasks.nightly_run_task.delay(acme.tenant.pk, DAY.isoformat()).get()
    # then it finds the run done and adds nothing
    assert second == first == {"run": first["run"], "status": "succeeded"}
    assert _rows(acme.tenant) == once
    assert (once["runs"], once["scores"]) == (1, 2) and once["alerts"] >= 1  # EO-1 is overdue: an alert
    # and the dispatcher's next tick does not queue the tenant-day again
    now = datetime.datetime(2026, 6, 30, 18, 0, tzinfo=datetime.UTC)  # 02:00 on July 1 in Shanghai
    assert "acme" not in {tenant.slug for tenant, _ in jobs.due_tenants(now)}


def test_a_run_by_hand_still_runs_a_finished_day_again(acme):
    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule")
    again = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="manual")
    assert again.status == JobRun.Status.SUCCEEDED and again.triggered_by == "manual"
    assert JobRun.objects.filter(day=DAY).count() == 2 and PartnerScore.objects.filter(day=DAY).count() == 2


@pytest.fixture
def release():
    """Set at the end of the test whatever happens, so a held worker thread never outlives it."""
    event = threading.Event()
    yield event
    event.set()


def _blocking_first_step(monkeypatch, release: threading.Event, entered: threading.Event):
    """The scores step waits for ``release`` the first time it runs (a worker held up mid-run)."""
    name, real = jobs.NIGHTLY_STEPS[0]
    calls = []

    def held(day):
        calls.append(day)
        if len(calls) == 1:
            entered.set()
            assert release.wait(30), "the test never released the step"
        return real(day)

    monkeypatch.setattr(jobs, "NIGHTLY_STEPS", [(name, held), *jobs.NIGHTLY_STEPS[1:]])
    return calls


def _in_thread(target) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def body():
        try:
            outcome["run"] = target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_on_one_tenant_day_make_one_run(world, monkeypatch, release):
    acme = world["acme"]
    with tenant_scope(acme.tenant):
        _facts(acme)
    entered = threading.Event()
    calls = _blocking_first_step(monkeypatch, release, entered)
    # given a worker in the middle of the tenant-day
    first, outcome = _in_thread(lambda: jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule"))
    assert entered.wait(30)
    # when a second worker, and an administrator's "run now", claim the same tenant-day
    second = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule")
    by_hand = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="manual")
    # then both find the run in hand and do nothing
    assert second.status == by_hand.status == JobRun.Status.RUNNING
    assert second.pk == by_hand.pk and len(calls) == 1
    release.set()
    first.join(30)
    assert outcome["run"].status == JobRun.Status.SUCCEEDED and outcome["run"].pk == second.pk
    # and a late duplicate of the scheduled task finds it done
    late = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule")
    assert late.pk == second.pk and len(calls) == 1
    rows = _rows(acme.tenant)
    assert (rows["runs"], rows["scores"]) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_went_silent_is_taken_over_and_the_old_worker_stops(world, monkeypatch, settings, release):
    acme = world["acme"]
    with tenant_scope(acme.tenant):
        _facts(acme)
    entered = threading.Event()
    calls = _blocking_first_step(monkeypatch, release, entered)
    # given a worker stuck in a step long enough for its heartbeat to go stale
    first, outcome = _in_thread(lambda: jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule"))
    assert entered.wait(30)
    settings.NIGHTLY_RUN_STALE_AFTER = 1
    time.sleep(1.2)
    # when the next worker claims the tenant-day, it takes the same row over and finishes it
    taken = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="schedule")
    assert (taken.status, taken.attempts, len(calls)) == (JobRun.Status.SUCCEEDED, 2, 2)
    # then the old worker, let go, finds the run no longer its own and writes nothing more
    release.set()
    first.join(30)
    assert outcome["run"].pk == taken.pk and outcome["run"].status == JobRun.Status.SUCCEEDED
    with tenant_scope(acme.tenant):
        run = JobRun.objects.get()
    assert (run.status, run.attempts, run.finished_at) == (JobRun.Status.SUCCEEDED, 2, taken.finished_at)
    assert _rows(acme.tenant)["scores"] == 2


def _shanghai_night() -> datetime.datetime:
    return datetime.datetime(2026, 6, 30, 18, 0, tzinfo=datetime.UTC)


def test_a_failing_tenant_is_recorded_and_the_dispatch_runs_the_others(world, monkeypatch):
    real_step = jobs.NIGHTLY_STEPS[0][1]

    def broken_for_acme(day):
        from tenancy.context import require_tenant

        if require_tenant().slug == "acme":
            raise RuntimeError("acme's data is broken")
        return real_step(day)

    monkeypatch.setattr(jobs, "NIGHTLY_STEPS", [("scores", broken_for_acme)])
    monkeypatch.setattr(timezone, "now", _shanghai_night)
    # when beat fires: one task per tenant, each on its own
    queued = tasks.nightly_dispatch()
    assert sorted(queued) == ["acme:2026-06-30", "globex:2026-06-30"]
    with crossing_tenants():
        runs = {run.tenant.slug: run for run in JobRun.objects.unscoped().select_related("tenant")}
    assert runs["acme"].status == JobRun.Status.FAILED and "acme's data is broken" in runs["acme"].error
    assert runs["globex"].status == JobRun.Status.SUCCEEDED
    # and a failed tenant-day is due again at the next tick, a succeeded one is not
    assert [tenant.slug for tenant, _ in jobs.due_tenants()] == ["acme"]
