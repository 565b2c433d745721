"""Celery tasks of leads: thin; they enter the tenant scope and call the service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tenancy.context import crossing_tenants, in_tenant_scope


@shared_task
def leads_lapse_dispatch() -> list[int]:
    """Fired by beat every few minutes: queue the lapse of every tenant that has an offer past its time."""
    from common.tasks import enqueue

    from .models import Lead, LeadStatus

    # Crossing tenants on purpose, read-only: which tenants have an offer past its time, in one query.
    with crossing_tenants():
        tenant_ids = sorted(
            set(
                Lead.objects.unscoped()
                .filter(status=LeadStatus.OFFERED, due_at__lte=timezone.now())
                .values_list("tenant_id", flat=True)
            )
        )
    for tenant_id in tenant_ids:
        enqueue(leads_lapse_task, tenant_id)
    return tenant_ids


@shared_task
@in_tenant_scope
def leads_lapse_task(tenant_id: int) -> dict:
    """Every offer of the tenant past its time lapses, and its lead goes on to the next partner (idempotent)."""
    from .services import leads_lapse

    return leads_lapse()


@shared_task
def run_lead_import_job(tenant_id: int, job_id: int) -> None:
    """Import an uploaded file of leads; idempotent: only a pending job runs (a second delivery does nothing).

    Not one tenant scope around it all: the import takes several (claim, import, outcome), each its own
    transaction, so the page sees the job start and end (``facts.services.run_stored_job``).
    """
    from tenancy.context import tenant_scope
    from tenancy.models import Tenant

    from .models import LeadImportJob
    from .services import lead_import_run

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        job = LeadImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        lead_import_run(job=job)
