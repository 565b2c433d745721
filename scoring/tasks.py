"""Celery tasks: thin, idempotent; they enter the tenant scope and call the job."""

import datetime

from celery import shared_task


@shared_task
def nightly_dispatch() -> list[str]:
    """Fired hourly by beat: queue the nightly run of every tenant whose own yesterday is due."""
    from .jobs import due_tenants

    queued = []
    for tenant, day in due_tenants():
        nightly_run_task.delay(tenant.pk, day.isoformat())
        queued.append(f"{tenant.slug}:{day.isoformat()}")
    return queued


@shared_task
def nightly_run_task(tenant_id: int, day: str, triggered_by: str = "schedule") -> dict:
    from tenancy.models import Tenant

    from .jobs import nightly_run

    tenant = Tenant.objects.get(pk=tenant_id)
    run = nightly_run(tenant=tenant, day=datetime.date.fromisoformat(day), triggered_by=triggered_by)
    return {"run": run.pk, "status": run.status}
