from celery import shared_task

from tenancy.context import in_tenant_scope


@shared_task
@in_tenant_scope
def run_import_job(tenant_id: int, job_id: int) -> None:
    """Import an uploaded file; idempotent: only a pending job runs (a second delivery does nothing)."""
    from .models import ImportJob
    from .services import import_job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_run(job=job)
