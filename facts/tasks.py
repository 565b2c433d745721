from celery import shared_task

from tenancy.context import in_tenant_scope


@shared_task
@in_tenant_scope
def run_import_job(tenant_id: int, job_id: int) -> None:
    """Import an uploaded file; idempotent, since every row upserts on its external id."""
    from .models import ImportJob
    from .services import import_job_run

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.SUCCEEDED:
        return
    import_job_run(job=job)
