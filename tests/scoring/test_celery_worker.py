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
    client.delete(queue)


@pytest.fixture
def worker(redis_broker):
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": _database_url(), "DEBUG": "false"}
    env.pop("TEST_DATABASE_NAME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "-Q", redis_broker, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
