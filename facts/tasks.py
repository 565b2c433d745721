from celery import shared_task


@shared_task
def run_import_job(tenant_id: int, job_id: int) -> None:
    """Import an uploaded file; idempotent: only a pending job runs (a second delivery does nothing).

    Not one tenant scope around it all: the import takes several (claim, import, outcome), each
    its own transaction, so the page sees the job start and end (``import_job_run``).
    """
    from tenancy.context import tenant_scope
    from tenancy.models import Tenant

    from .models import ImportJob
    from .services import import_job_run

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_run(job=job)
