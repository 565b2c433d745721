from celery import shared_task


@shared_task
def run_settlement(tenant_id: int, run_id: int) -> None:
    """Compute a settlement run; idempotent: only a pending run computes (a second delivery does nothing).

    Not one tenant scope around it all: the run takes several (claim, compute, outcome), each its
    own transaction, so the page sees the run start and end (``settlement_run_execute``).
    """
    from tenancy.context import tenant_scope
    from tenancy.models import Tenant

    from .models import SettlementRun
    from .services.runs import settlement_run_execute

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        run = SettlementRun.objects.filter(pk=run_id).first()
    if run is not None:
        settlement_run_execute(run=run)


@shared_task
def build_export(tenant_id: int, job_id: int) -> None:
    """Build an export job (a period's statement PDFs in a zip); idempotent: only a pending job builds.

    Not one tenant scope around it all: the job takes several (claim, build, outcome), each its
    own transaction, so the page sees the job start, move and end (``export_job_run``).
    """
    from tenancy.context import tenant_scope
    from tenancy.models import Tenant

    from .models import ExportJob
    from .services.exports import export_job_run

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_job_run(job=job)
