"""A real Celery worker, in its own process, runs the nightly task over Redis."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from partners.models import PartnerStatus, Tier
from partners.services import partner_create
from scoring.models import JobRun, PartnerScore
from tenancy.context import tenant_scope
from tenancy.models import Membership
from tenancy.services import tenant_create

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _database_url() -> str:
    """The test database, as a URL the worker's own settings can read."""
    settings = connection.settings_dict
    host = settings["HOST"] or settings["OPTIONS"].get("host", "")
    if host.startswith("/"):
        return f"postgresql://{settings['USER']}:@/{settings['NAME']}?host={host}"
    port = settings["PORT"] or 5432
    return f"postgresql://{settings['USER']}:{settings['PASSWORD'] or ''}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis does not answer at {REDIS_URL} (CI starts it; see .ci/run)")
    queue = f"qudao-test-{os.getpid()}"
    yield queue
    client.delete(queue, "unacked", "unacked_index")


def _start_worker(queue: str, *, app: str = "config", **environment: str) -> subprocess.Popen:
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": _database_url(), "DEBUG": "false", **environment}
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def worker(redis_broker):
    process = _start_worker(redis_broker)
    yield process
    _stop(process)


def _wait_for_run(tenant, worker, timeout: float = 90) -> JobRun:
    """The worker commits its run; poll the database for it (no result backend needed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tenant_scope(tenant):  # a new transaction each time: it sees what the worker committed
            run = JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).first()
        if run is not None:
            return run
        if worker.poll() is not None:
            break
        time.sleep(0.5)
    worker.terminate()
    output = worker.stdout.read().decode(errors="replace")[-4000:]
    pytest.fail(f"The worker did not finish the nightly run.\n{output}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_nightly_task_over_redis(worker, redis_broker, settings):
    from config.celery import app
    from scoring.tasks import nightly_run_task

    # given a tenant with an active partner, committed where the worker can see it
    tenant = tenant_create(slug="relay", name="Relay", admin_email="admin@relay.test", admin_password="Relay-pass-123")
    with tenant_scope(tenant):
        admin = Membership.objects.get()
        partner_create(
            actor=admin.user, code="R-1", name="Relay One", kind="agent", tier=Tier.objects.get(code="ordinary"),
            status=PartnerStatus.ACTIVE,
        )  # fmt: skip
    # when the task goes through Redis to the worker process
    from kombu import Connection

    app.conf.task_always_eager = False
    try:
        with Connection(REDIS_URL) as broker:
            nightly_run_task.apply_async(
                args=[tenant.pk, "2026-06-30", "test"], queue=redis_broker, connection=broker, ignore_result=True
            )
        run = _wait_for_run(tenant, worker)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    # then the worker wrote the run and the score
    assert (run.day, run.triggered_by, run.status) == (datetime.date(2026, 6, 30), "test", "succeeded")
    with tenant_scope(tenant):
        assert PartnerScore.objects.filter(day=datetime.date(2026, 6, 30)).count() == 1
    assert worker.poll() is None  # the worker is still up: it was a separate process


def _tenant_with_a_partner(slug: str):
    tenant = tenant_create(
        slug=slug, name=slug.title(), admin_email=f"admin@{slug}.test", admin_password=f"{slug.title()}-pass-123"
    )
    with tenant_scope(tenant):
        admin = Membership.objects.get()
        partner_create(
            actor=admin.user, code=f"{slug}-1", name=f"{slug} one", kind="agent",
            tier=Tier.objects.get(code="ordinary"), status=PartnerStatus.ACTIVE,
        )  # fmt: skip
    return tenant


def _wait_for(condition, what: str, processes, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.3)
    for process in processes:
        _stop(process)
    output = "\n".join(process.stdout.read().decode(errors="replace")[-3000:] for process in processes)
    pytest.fail(f"Waited in vain for {what}.\n{output}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_hands_the_tenant_day_to_the_next_worker_and_it_is_done_once(redis_broker, settings):
    import psycopg
    from kombu import Connection

    from config.celery import app
    from scoring.tasks import nightly_run_task

    tenant = _tenant_with_a_partner("relay")
    day = datetime.date(2026, 6, 30)

    def run_in(step: str | None = None, status: str = JobRun.Status.RUNNING):
        with tenant_scope(tenant):  # a new transaction each time: it sees what the workers committed
            runs = JobRun.objects.filter(status=status)
            return runs.filter(step=step).first() if step is not None else runs.first()

    # given: the scores step will block, as a long step would, on a lock this test holds
    blocker = psycopg.connect(_database_url(), autocommit=False)
    blocker.execute("LOCK TABLE scoring_partnerscore IN EXCLUSIVE MODE")
    environment = {"NIGHTLY_RUN_STALE_AFTER": "1"}
    first = _start_worker(redis_broker, app="tests.scoring.worker_app", **environment)
    second = None
    app.conf.task_always_eager = False
    try:
        with Connection(REDIS_URL) as broker:
            nightly_run_task.apply_async(args=[tenant.pk, day.isoformat()], queue=redis_broker, connection=broker)
        held = _wait_for(lambda: run_in(step="scores"), "the first worker to reach the scores step", [first])
        time.sleep(1)  # in the step, waiting on the lock
        # when the worker dies outright, in the middle of the tenant's run
        first.kill()
        first.wait(timeout=20)
        blocker.rollback()
        # then the task comes back from Redis to the next worker, which takes the run over and finishes it
        second = _start_worker(redis_broker, app="tests.scoring.worker_app", **environment)
        done = _wait_for(lambda: run_in(status=JobRun.Status.SUCCEEDED), "the second worker to finish", [second])
    finally:
        blocker.close()
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        _stop(first)
        if second is not None:
            _stop(second)
    # exactly one run of the tenant-day, held by two workers in turn, and one score
    assert (done.pk, done.attempts, done.triggered_by) == (held.pk, 2, "schedule")
    with tenant_scope(tenant):
        assert list(JobRun.objects.values_list("pk", "status")) == [(held.pk, "succeeded")]
        assert PartnerScore.objects.filter(day=day).count() == 1
