"""Pages and API at 10,000 partners: every page of the navigation and every list endpoint, on a real server.

The benchmark tenant (10,000 partners, 5,000,000 sales, 500,000 invoices and 500,000 payments, one
nightly run, a vendor administrator and a partner user) is made once and reused: a later run finds
it by its name and skips the load (``--rebuild`` makes it again). Then gunicorn serves the app with
the production settings (DEBUG off) and ``BENCH_QUERY_COUNT=1``, which makes every answer carry the
number of SQL queries it took in ``X-Query-Count``. Four clients log in as the vendor and then as
the partner and request every page the navigation links to and every list endpoint of the API
(token auth), ``--rounds`` times each; the login page is the yardstick.

    .venv/bin/python -m bench.pages                       # the full size
    .venv/bin/python -m bench.pages --partners 100 --sales 50000 --invoices 5000 --payments 5000
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from bench.common import drop_tenant_rows, make_partners, timed
from bench.receivables import load_invoices_and_payments
from bench.routes import api_list_paths, nav_links
from bench.scoring import load_sales
from tenancy.context import tenant_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import Role

SLUG = "bench-pages"
VENDOR_EMAIL = "vendor@bench-pages.test"
PARTNER_EMAIL = "partner@bench-pages.test"
PASSWORD = "Bench-pass-123456"
PROJECT = Path(__file__).resolve().parent.parent


# --- the data, made once ----------------------------------------------------------------------


def size_name(args) -> str:
    return f"Bench pages {args.partners}/{args.sales}/{args.invoices}/{args.payments}"


def build(args) -> Tenant:
    """Make the benchmark tenant, its facts, its users and one nightly run."""
    from scoring.jobs import nightly_run
    from tenancy import services as tenancy_services

    results: dict[str, float] = {}
    existing = Tenant.objects.filter(slug=SLUG).first()
    if existing is not None:
        with timed("drop the old benchmark tenant", results):
            drop_tenant_rows(existing)
    tenant = tenancy_services.tenant_create(
        slug=SLUG, name="(building)", admin_email=VENDOR_EMAIL, admin_password=PASSWORD
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with timed("partners", results):
        partners = make_partners(tenant, args.partners)
    partner_member(tenant)
    with tenant_scope(tenant):
        with timed("load sales (COPY)", results):
            load_sales(tenant, partners, args.sales, last_day=yesterday)
        with timed("load invoices and payments (COPY)", results):
            load_invoices_and_payments(tenant, partners, args.invoices, args.payments)
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        for table in ("facts_sale", "facts_invoice", "facts_payment", "partners_partner"):
            cursor.execute(f"ANALYZE {table}")
    with timed("nightly run (scores, accruals, alerts)", results):
        run = nightly_run(tenant=tenant, day=yesterday, triggered_by="bench")
    print(f"  nightly: {run.status}", flush=True)
    analyze_the_nights_rows()
    Tenant.objects.filter(pk=tenant.pk).update(name=size_name(args))
    return Tenant.objects.get(pk=tenant.pk)


def partner_member(tenant: Tenant) -> None:
    """The partner user, administrator of the first partner (made again if a run before left its user only)."""
    from accounts.models import User
    from partners.models import Partner
    from tenancy import services as tenancy_services

    with tenant_scope(tenant):
        if Membership.objects.filter(user__email=PARTNER_EMAIL).exists():
            return
        first = Partner.objects.order_by("code").first()
        user = User.objects.filter(email=PARTNER_EMAIL).first()
        if user is None:
            admin = Membership.objects.select_related("user").get(role=Role.ADMIN)
            tenancy_services.member_add(
                actor=admin, email=PARTNER_EMAIL, password=PASSWORD, role=Role.PARTNER_ADMIN, partner=first
            )
        else:  # left by an earlier benchmark tenant: a member straight away, not an invitation
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            tenancy_services.membership_create(tenant=tenant, user=user, role=Role.PARTNER_ADMIN, partner=first)


NIGHTS_TABLES = (
    "scoring_partnerscore",
    "scoring_tierrecommendation",
    "risk_receivablessnapshot",
    "risk_alert",
    "incentives_rebateaccrual",
)


def analyze_the_nights_rows() -> None:
    """The night's rows too, or the planner guesses their counts (as autovacuum would, in time); again on
    reuse, for a tenant built before a table joined the list (small tables: a moment)."""
    with connections["owner"].cursor() as cursor:  # ANALYZE is the tables' owner's to run
        for table in NIGHTS_TABLES:
            cursor.execute(f"ANALYZE {table}")


def benchmark_tenant(args) -> Tenant:
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None and tenant.name == size_name(args) and not args.rebuild:
        print(f"reusing the benchmark tenant ({tenant.name})", flush=True)
        partner_member(tenant)
        analyze_the_nights_rows()
        return tenant
    print(f"building the benchmark tenant ({size_name(args)})", flush=True)
    return build(args)


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the production settings, on the database of this process (its environment, or embedded)."""
    environment = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback: no TLS proxy in front
        "SECURE_COOKIES": "false",
        "API_THROTTLE_USER": "100000/minute",  # four clients hammering one user are no abuse here
        "API_THROTTLE_TOKEN": "1000/minute",
        "BENCH_QUERY_COUNT": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "300", "--access-logfile", "/dev/null", "--error-logfile", "-",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=PROJECT, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start within a minute")


# --- the clients --------------------------------------------------------------------------------


def session_for(base: str, email: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login/")
    page.raise_for_status()
    token = session.cookies["csrftoken"]
    answer = session.post(
        f"{base}/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
    )
    answer.raise_for_status()
    if "sessionid" not in session.cookies:
        raise SystemExit(f"could not log in as {email}")
    return session


def api_session_for(base: str, email: str):
    import requests

    session = requests.Session()
    answer = session.post(f"{base}/api/v1/auth/token/", json={"username": email, "password": PASSWORD})
    answer.raise_for_status()
    session.headers["Authorization"] = f"Token {answer.json()['token']}"
    return session


def measure(sessions, paths: list[str], base: str, rounds: int) -> dict[str, dict]:
    """Each of the clients requests every path ``rounds`` times, all clients at once."""
    import requests

    samples: dict[str, list[float]] = {path: [] for path in paths}
    queries: dict[str, int] = {}
    statuses: dict[str, int] = {}

    def client(index: int) -> None:
        session = sessions[index]
        order = paths[index % len(paths) :] + paths[: index % len(paths)]  # the clients do not march in step
        for _round in range(rounds):
            for path in order:
                start = time.perf_counter()
                try:
                    answer = session.get(base + path, allow_redirects=False, timeout=300)
                except requests.RequestException:  # a worker killed mid-request: timed, shown as status 599
                    samples[path].append((time.perf_counter() - start) * 1000)
                    statuses[path] = 599
                    continue
                samples[path].append((time.perf_counter() - start) * 1000)
                queries[path] = int(answer.headers.get("X-Query-Count", -1))
                statuses[path] = answer.status_code

    with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
        for future in [pool.submit(client, index) for index in range(len(sessions))]:
            future.result()
    return {
        path: {
            "p50": statistics.median(samples[path]),
            "p95": percentile(samples[path], 95),
            "queries": queries.get(path, -1),
            "status": statuses[path],
        }
        for path in paths
    }


def percentile(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


def run(args) -> None:
    import requests

    tenant = benchmark_tenant(args)
    endpoints = api_list_paths(tenant.slug)  # the router imports every app's API: before any file may change
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        anonymous = [requests.Session() for _ in range(args.clients)]
        measure(anonymous, ["/login/"], base, 3)  # warm the workers up
        login = measure(anonymous, ["/login/"], base, args.rounds * 4)["/login/"]
        rows: list[tuple[str, str, dict]] = []
        for who, email in (("vendor", VENDOR_EMAIL), ("partner", PARTNER_EMAIL)):
            sessions = [session_for(base, email) for _ in range(args.clients)]
            home = sessions[0].get(f"{base}/t/{tenant.slug}/")
            home.raise_for_status()
            pages = nav_links(home.text)
            measure(sessions, pages, base, 1)  # warm up
            for path, figures in measure(sessions, pages, base, args.rounds).items():
                rows.append((who, path, figures))
            api_sessions = [api_session_for(base, email) for _ in range(args.clients)]
            measure(api_sessions, endpoints, base, 1)
            for path, figures in measure(api_sessions, endpoints, base, args.rounds).items():
                rows.append((who, path, figures))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print()
    print(f"{'who':8} {'path':60} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    print(f"{'anyone':8} {'/login/':60} {200:>6} {login['p50']:8.1f} {login['p95']:8.1f} {login['queries']:8}")
    for who, path, figures in rows:
        print(
            f"{who:8} {path:60} {figures['status']:>6} {figures['p50']:8.1f} {figures['p95']:8.1f} "
            f"{figures['queries']:8}"
        )
    print()
    for who, path, figures in rows:
        if figures["status"] != 200:
            continue  # a page or endpoint this side may not see answers fast and says so; it is no aim
        name = f"{who} {path.replace(f'/api/v1/t/{tenant.slug}', 'api').replace(f'/t/{tenant.slug}', '')}"
        print(f"ratio {name} p95 ms: {figures['p95']:.1f} (aim <= 250)")
        print(f"ratio {name} p50 / login p50: {figures['p50'] / login['p50']:.2f} (aim <= 5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=5_000_000)
    parser.add_argument("--invoices", type=int, default=500_000)
    parser.add_argument("--payments", type=int, default=500_000)
    parser.add_argument("--rebuild", action="store_true", help="make the benchmark tenant again even if it exists")
    parser.add_argument("--build-only", action="store_true", help="make (or find) the tenant and stop")
    parser.add_argument("--rounds", type=int, default=5, help="requests per path per client")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)  # tenancy's migrate runs as the owner
    if arguments.build_only:
        benchmark_tenant(arguments)
    else:
        run(arguments)
