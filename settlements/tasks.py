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
