"""Shared set-up for the benchmarks: Django, a throw-away tenant, partners made in bulk.

Run a benchmark from the project folder, e.g. ``.venv/bin/python -m bench.import_sales``.
With no DATABASE_URL it uses the embedded PostgreSQL, like the app. Importing this module
migrates the database first, as the owner role (a quick no-op when it is up to date), so a
benchmark runs on a fresh clone after ``bin/bootstrap`` alone.
"""

from __future__ import annotations

import contextlib
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from config.settings.database import OWNER_ALIAS  # noqa: E402
from partners.models import Partner, PartnerKind, PartnerStatus, Tier  # noqa: E402
from tenancy.context import tenant_scope  # noqa: E402
from tenancy.models import Tenant  # noqa: E402
from tenancy.services import tenant_create  # noqa: E402

# Before any table is used: the owner creates them and grants the runtime role its rights.
call_command("migrate", database=OWNER_ALIAS, interactive=False, verbosity=0)

BENCH_SLUG = "bench"
FACT_TABLES = ("facts_payment", "facts_invoice", "facts_sale", "facts_writeoff")


def fresh_tenant() -> Tenant:
    """Drop the benchmark tenant's rows, if any, and make it again."""
    existing = Tenant.objects.filter(slug=BENCH_SLUG).first()
    if existing is not None:
        drop_tenant_rows(existing)
    return tenant_create(
        slug=BENCH_SLUG, name="Benchmark", admin_email="bench@bench.test", admin_password="Bench-pass-123456"
    )


def drop_tenant_rows(tenant: Tenant) -> None:
    """Delete a tenant and everything it owns, children before parents, in plain SQL (fast)."""
    from tenancy.rls import tables_with_a_tenant

    tables = tables_with_a_tenant(connection)
    first = ["risk_alertevent", "risk_alert", "scoring_tierrecommendation", "scoring_partnerscore",
             "targets_target", "targets_companygoal", *FACT_TABLES]  # fmt: skip
    last = ["partners_tierchange", "partners_statuschange", "partners_partner", "partners_tier"]
    ordered = [*first, *[t for t in tables if t not in (*first, *last)], *last]
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM partners_partneruserobjectpermission WHERE content_object_id IN "
            "(SELECT id FROM partners_partner WHERE tenant_id = %s)",
            [tenant.pk],
        )
        for table in ordered:
            if table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM tenancy_tenant WHERE id = %s", [tenant.pk])


def make_partners(tenant: Tenant, count: int) -> list[Partner]:
    with tenant_scope(tenant):
        tier = Tier.objects.get(code="ordinary")
        Partner.objects.bulk_create(
            [
                Partner(
                    tenant=tenant,
                    code=f"P{n:06d}",
                    name=f"Partner {n}",
                    kind=PartnerKind.RESELLER,
                    status=PartnerStatus.ACTIVE,
                    tier=tier,
                )
                for n in range(count)
            ],
            batch_size=5000,
        )
        return list(Partner.objects.order_by("code"))


@contextlib.contextmanager
def timed(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"  {label}: {results[label]:.2f} s", flush=True)
