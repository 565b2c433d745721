"""Celery tasks: thin, idempotent; they enter the tenant scope and call the job."""

import datetime

from celery import shared_task

RETRY_WHILE_HELD_AFTER = 60  # seconds
RETRIES_WHILE_HELD = 60


@shared_task
def nightly_dispatch() -> list[str]:
    """Fired hourly by beat: queue the nightly run of every tenant whose own yesterday is due."""
    from .jobs import due_tenants

    queued = []
    for tenant, day in due_tenants():
        nightly_run_task.delay(tenant.pk, day.isoformat())
        queued.append(f"{tenant.slug}:{day.isoformat()}")
    return queued


# Acknowledged once done, and handed back to the broker when the worker process dies under it, so
# another worker runs it: the run's row makes that safe (one run per tenant-day, scoring.jobs).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def nightly_run_task(self, tenant_id: int, day: str, triggered_by: str = "schedule") -> dict:
    from tenancy.models import Tenant

    from .jobs import nightly_run
    from .models import JobRun

    tenant = Tenant.objects.get(pk=tenant_id)
    run = nightly_run(tenant=tenant, day=datetime.date.fromisoformat(day), triggered_by=triggered_by)
    if run.status == JobRun.Status.RUNNING and triggered_by == "schedule" and not self.request.is_eager:
        # Another worker holds the tenant-day: look again later, when it is done (and this does nothing)
        # or its heartbeat has gone stale (and this takes it over). The hourly dispatch is the backstop.
        raise self.retry(countdown=RETRY_WHILE_HELD_AFTER, max_retries=RETRIES_WHILE_HELD)
    return {"run": run.pk, "status": run.status}
