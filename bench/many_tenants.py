"""The nightly for many tenants, fanned out on real Celery workers over Redis: 1 worker process, then 2.

1,000 tenants of 100 partners (each with 20 sales, 3 invoices and 2 payments) are made once and
reused. Each round queues one ``nightly_run_task`` per tenant for a day no round has run yet (so
both rounds start from the same state: no run, no score for that day), starts the workers, and
reads the wall time from the runs themselves (first start to last finish), so the workers' start-up
is not counted. It also measures where the time goes: CPU of the workers and of the PostgreSQL
backends serving them, and the queries of one tenant's run.

    .venv/bin/python -m bench.many_tenants                       # 1,000 tenants × 100 partners
    .venv/bin/python -m bench.many_tenants --tenants 50 --partners 20

Needs Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379/14``); with no ``DATABASE_URL`` it uses
the embedded PostgreSQL, like the app, and migrates it first.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "many-{partners}-"  # tenants made for one partner count are reused for it only
FIRST_DAY = datetime.date(2026, 6, 1)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# 20 sales over two years, 3 invoices and 2 payments per partner, for the tenants ``%(ids)s``.
SALES = """
INSERT INTO facts_sale (tenant_id, created_at, updated_at, external_id, partner_id, date, customer, product_category,
                        amount)
SELECT p.tenant_id, now(), now(), 'MS-' || p.id || '-' || g, p.id, DATE '2026-05-31' - mod(g * 37 + p.id, 700)::int,
       'C' || mod(g, 7), 'hw', 1 + mod(p.id * 31 + g * 17, 200000) / 100.0
  FROM partners_partner p CROSS JOIN generate_series(1, 20) g
 WHERE p.tenant_id = ANY(%(ids)s)
"""
INVOICES = """
INSERT INTO facts_invoice (tenant_id, created_at, updated_at, external_id, partner_id, number, issue_date, due_date,
                           amount)
SELECT p.tenant_id, now(), now(), 'MI-' || p.id || '-' || g, p.id, 'INV-' || p.id || '-' || g,
       DATE '2026-05-31' - mod(g * 53 + p.id, 200)::int, DATE '2026-05-31' - mod(g * 53 + p.id, 200)::int + 30,
       100 + mod(p.id * 13 + g * 7, 50000) / 10.0
  FROM partners_partner p CROSS JOIN generate_series(1, 3) g
 WHERE p.tenant_id = ANY(%(ids)s)
"""
PAYMENTS = """
INSERT INTO facts_payment (tenant_id, created_at, updated_at, external_id, partner_id, date, amount, invoice_id)
SELECT i.tenant_id, now(), now(), 'MP-' || i.id, i.partner_id, i.issue_date + 20, i.amount / 2, i.id
  FROM facts_invoice i
 WHERE i.tenant_id = ANY(%(ids)s) AND i.external_id LIKE 'MI-%%' AND i.external_id NOT LIKE '%%-3'
"""


def make_tenants(count: int, partners: int) -> list:
    """The benchmark's tenants, made once: ``tenant_create`` each (tiers, checklist, admin), rows in bulk."""
    from partners.models import Partner, PartnerKind, PartnerStatus, Tier
    from tenancy.context import crossing_tenants, tenant_scope
    from tenancy.models import Tenant
    from tenancy.services import tenant_create

    prefix = PREFIX.format(partners=partners)
    existing = {tenant.slug: tenant for tenant in Tenant.objects.filter(slug__startswith=prefix)}
    made = 0
    start = time.perf_counter()
    tenants = []
    for n in range(count):
        slug = f"{prefix}{n:04d}"
        tenant = existing.get(slug)
        if tenant is None:
            # One administrator for all of them: the password is hashed once.
            tenant = tenant_create(
                slug=slug, name=f"Many {n}", admin_email="many@bench.test", admin_password="Many-pass-123456"
            )
            made += 1
        tenants.append(tenant)
        with tenant_scope(tenant):
            if not Partner.objects.exists():
                tier = Tier.objects.get(code="ordinary")
                Partner.objects.bulk_create(
                    [
                        Partner(
                            code=f"P{i:04d}",
                            name=f"Partner {i}",
                            kind=PartnerKind.RESELLER,
                            tier=tier,
                            status=PartnerStatus.ACTIVE,
                        )
                        for i in range(partners)
                    ]
                )
    print(f"  tenants: {made} made, {count - made} reused ({time.perf_counter() - start:.1f} s)", flush=True)
    ids = [tenant.pk for tenant in tenants]
    start = time.perf_counter()
    # Crossing tenants on purpose: the facts of every benchmark tenant in three set-based statements, each
    # row in its own tenant (row-level security checks it), made once: when the tenants have no sales yet.
    with crossing_tenants(), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM facts_sale WHERE tenant_id = ANY(%(ids)s))", {"ids": ids})
        loaded = cursor.fetchone()[0]
    sales = invoices = payments = 0
    for statement in () if loaded else (SALES, INVOICES, PAYMENTS):
        with crossing_tenants(), connection.cursor() as cursor:
            cursor.execute(statement, {"ids": ids})
            if statement is SALES:
                sales = cursor.rowcount
            elif statement is INVOICES:
                invoices = cursor.rowcount
            else:
                payments = cursor.rowcount
    if sales or invoices or payments:
        from django.db import connections

        with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
            for table in ("facts_sale", "facts_invoice", "facts_payment", "partners_partner"):
                cursor.execute(f"ANALYZE {table}")
    print(
        f"  facts: {sales:,} sales, {invoices:,} invoices, {payments:,} payments made "
        f"({time.perf_counter() - start:.1f} s)",
        flush=True,
    )
    return tenants


def fresh_day(tenants) -> datetime.date:
    """The first day from FIRST_DAY on that no benchmark tenant has a run for."""
    from scoring.models import JobRun
    from tenancy.context import crossing_tenants

    with crossing_tenants():  # read-only, across the benchmark's tenants
        used = set(
            JobRun.objects.unscoped().filter(tenant__in=tenants, day__gte=FIRST_DAY).values_list("day", flat=True)
        )
    day = FIRST_DAY
    while day in used:
        day += datetime.timedelta(days=1)
    return day


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def _backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'bench-worker'"
        )
        return [row[0] for row in cursor.fetchall()]


def run_round(tenants, *, processes: int, queue: str, redis_url: str) -> dict:
    """Queue one task per tenant for a fresh day, run ``processes`` worker processes, wait for every run."""
    from kombu import Connection

    from config.celery import app
    from scoring.models import JobRun
    from scoring.tasks import nightly_run_task
    from tenancy.context import crossing_tenants

    day = fresh_day(tenants)
    app.conf.task_always_eager = False
    with Connection(redis_url) as broker:
        for tenant in tenants:
            nightly_run_task.apply_async(
                args=[tenant.pk, day.isoformat(), "schedule"], queue=queue, connection=broker, ignore_result=True
            )
    # The workers read the same database settings; libpq names their sessions (their backends' CPU is read).
    # A worker keeps its connection between tasks, as in production (docker-compose: CONN_MAX_AGE).
    env = {**os.environ, "REDIS_URL": redis_url, "DEBUG": "false", "CONN_MAX_AGE": "600", "PGAPPNAME": "bench-worker"}
    busy_before, total_before = _machine_busy()
    wall_start = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", f"--concurrency={processes}",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    backends: dict[int, float] = {}
    try:
        while True:
            time.sleep(0.5)
            for pid in _backend_pids():
                backends[pid] = _cpu_seconds(pid)  # the last reading before the backend goes
            with crossing_tenants():  # read-only: how far the round has got
                finished = JobRun.objects.unscoped().filter(tenant__in=tenants, day=day, finished_at__isnull=False)
                if finished.count() >= len(tenants):
                    break
            if worker.poll() is not None:
                raise SystemExit(f"the worker ended early:\n{worker.stderr.read().decode()[-3000:]}")
    finally:
        worker.terminate()
        _, _status, usage = os.wait4(worker.pid, 0)
    with_startup = time.perf_counter() - wall_start
    busy_after, total_after = _machine_busy()
    with crossing_tenants():  # read-only
        runs = list(
            JobRun.objects.unscoped()
            .filter(tenant__in=tenants, day=day)
            .values_list("started_at", "finished_at", "status", "attempts")
        )
    starts, ends = min(run[0] for run in runs), max(run[1] for run in runs)
    durations = [(run[1] - run[0]).total_seconds() for run in runs]
    wall = (ends - starts).total_seconds()
    return {
        "day": day,
        "runs": len(runs),
        "succeeded": sum(run[2] == "succeeded" for run in runs),
        "attempts": max(run[3] for run in runs),
        "wall": wall,
        "with_startup": with_startup,
        "per_second": len(runs) / wall,
        "median": statistics.median(durations),
        "worker_cpu": usage.ru_utime + usage.ru_stime,  # the main process and its children, waited for
        "postgres_cpu": sum(backends.values()),
        "machine_busy": busy_after - busy_before,
        "machine_total": total_after - total_before,
    }


def queries_of_one_run(tenant) -> tuple[int, float]:
    """The queries of one tenant's nightly run in this process (a day before the rounds' days, run again each time)."""
    from scoring.jobs import nightly_run
    from scoring.models import JobRun

    day = datetime.date(2026, 5, 31)
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = nightly_run(tenant=tenant, day=day, triggered_by="command")
    elapsed = time.perf_counter() - start
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    return len(queries), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=100, help="partners per tenant")
    args = parser.parse_args()
    redis_url = os.environ["REDIS_URL"]
    print("migrate (as the tables' owner)", flush=True)
    call_command("migrate", verbosity=0)
    print(f"{args.tenants:,} tenants × {args.partners:,} partners", flush=True)
    tenants = make_tenants(args.tenants, args.partners)
    count, elapsed = queries_of_one_run(tenants[0])
    print(f"  one tenant's run in this process: {count} queries, {elapsed * 1000:.0f} ms", flush=True)
    queue = f"bench-many-tenants-{os.getpid()}"
    results = {}
    for processes in (1, 2):
        print(f"round with {processes} worker process{'es' if processes > 1 else ''}", flush=True)
        result = run_round(tenants, processes=processes, queue=queue, redis_url=redis_url)
        results[processes] = result
        print(
            f"  day {result['day']}: {result['succeeded']}/{result['runs']} runs succeeded "
            f"(most attempts {result['attempts']})\n"
            f"  wall {result['wall']:.1f} s (first start to last finish; {result['with_startup']:.1f} s with the "
            f"workers' start-up), {result['per_second']:.1f} tasks/s, "
            f"per-tenant median {result['median'] * 1000:.0f} ms\n"
            f"  CPU: workers {result['worker_cpu']:.1f} s, their PostgreSQL backends {result['postgres_cpu']:.1f} s, "
            f"machine busy {result['machine_busy']:.1f} of {result['machine_total']:.1f} s",
            flush=True,
        )
        assert result["succeeded"] == result["runs"] == len(tenants), "every tenant runs once and succeeds"
    one, two = results[1], results[2]
    print()
    print(f"wall 1 worker {one['wall']:.1f} s, 2 workers {two['wall']:.1f} s")
    print(f"ratio wall time 2 workers / 1 worker: {two['wall'] / one['wall']:.2f} (aim <= 0.6)")


if __name__ == "__main__":
    main()
