"""Export jobs: a period's statement PDFs in one zip, made by a task with progress.

- Starting a job checks the period and that it has statements (a 400 with the field otherwise);
  while a job for the same period is waiting or running, starting again hands back that job.
- The task claims the job (pending → running), so a task delivered twice builds once; then one
  transaction reads the period's statements (one snapshot), prints each to the zip, stores the
  file and marks the job finished, holding the job's row lock to the end. Progress goes to the
  cache (``common.progress``): the job's own writes show only when it commits.
- Whatever goes wrong, the job ends ``failed`` with a reason and no file; a job whose worker
  died (its row unlocked and silent) is failed by ``export_jobs_expire``.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.periods import Period
from common.progress import progress_clear, progress_publish
from common.tasks import enqueue
from tenancy.context import require_tenant, tenant_scope

from ..models import ExportJob, Statement, StatementLine
from ..pdf import source_names, statement_pdf, statement_pdf_filename, statements_for_print

logger = logging.getLogger(__name__)

# A job row left ``running`` and unlocked for this long lost its worker (the building transaction
# holds the row's lock for as long as it lives).
STALE_AFTER = datetime.timedelta(minutes=2)
PENDING_TIMEOUT = datetime.timedelta(minutes=30)  # queued, and no worker took it
PROGRESS_EVERY = 5  # statements between two progress reports


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from error


def export_job_start(*, period: str, actor, kind: str = ExportJob.Kind.STATEMENT_PDFS) -> ExportJob:
    """Queue the zip of ``period``'s statement PDFs (a task; in-process without a broker).

    A period without statements is refused (400, on ``period``); a job of the same period still
    waiting or running is handed back instead of starting a second.
    """
    from ..tasks import build_export

    if kind not in ExportJob.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of export “%(kind)s”.") % {"kind": kind}})
    parsed = _period(period)
    export_jobs_expire()
    with transaction.atomic():
        if not Statement.objects.filter(period=str(parsed)).exists():
            raise ValidationError({"period": _("There are no statements for %(period)s.") % {"period": parsed.label}})
        under_way = (
            ExportJob.objects.filter(
                kind=kind, period=str(parsed), status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
            )
            .order_by("-created_at")
            .first()
        )
        if under_way is not None:
            return under_way
        job = ExportJob(kind=kind, period=str(parsed), created_by=actor)
        job.full_clean(exclude=["file", "created_by"])
        job.save()
    tenant_id, job_id = job.tenant_id, job.pk
    transaction.on_commit(lambda: _queue(build_export, tenant_id, job_id))
    return job


def _queue(task, tenant_id: int, job_id: int) -> None:
    """Hand the job to a worker; a job that cannot be queued (no broker) ends failed at once."""
    from tenancy.models import Tenant

    try:
        enqueue(task, tenant_id, job_id)
    except Exception:
        logger.exception("Export job %s could not be queued", job_id)
        # This runs after the commit, where the request's tenant scope has ended: a scope of its own.
        tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant), translation.override(tenant.language):
            ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
                status=ExportJob.Status.FAILED,
                error=_("The export could not be started. Try again later."),
                finished_at=timezone.now(),
                updated_at=Now(),
            )


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Build a claimed job (the task's body). Each step is a tenant scope: a transaction of its own."""
    tenant = job.tenant
    with tenant_scope(tenant):
        claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.PENDING).update(
            status=ExportJob.Status.RUNNING, started_at=timezone.now(), progress=0, updated_at=Now()
        )
    if claimed:
        stored = []
        try:
            with tenant_scope(tenant):
                _build(job, stored)
        except Exception:  # the job says it failed; the log keeps the traceback
            logger.exception("Export job %s failed", job.pk)
            for name in stored:  # the file of a build that did not commit belongs to nobody
                job.file.storage.delete(name)
            with tenant_scope(tenant), translation.override(tenant.language):
                ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                    status=ExportJob.Status.FAILED,
                    finished_at=timezone.now(),
                    error=_("The export failed before it finished; no file was kept. Start it again."),
                    updated_at=Now(),
                )
        finally:
            progress_clear(tenant_id=job.tenant_id, kind=ExportJob.PROGRESS_KIND, pk=job.pk)
    with tenant_scope(tenant):
        job.refresh_from_db()
    return job


def _build(job: ExportJob, stored: list[str]) -> None:
    # Takes the job's row lock, held to the end: export_jobs_expire leaves a job alone while it builds.
    ExportJob.objects.filter(pk=job.pk).update(progress=1, updated_at=Now())
    statements = statements_for_print(Statement.objects.filter(period=job.period).order_by("partner__code", "pk"))
    total = statements.count()
    names = source_names(
        StatementLine.objects.filter(statement__period=job.period).values_list("kind", "source_code").distinct()
    )
    _publish(job, 0, total)
    with tempfile.TemporaryFile() as buffer:
        # Stored, not deflated: a PDF's streams are compressed already.
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, statement in enumerate(statements.iterator(chunk_size=100), start=1):
                archive.writestr(_zip_name(statement), statement_pdf(statement, names=names))
                if done % PROGRESS_EVERY == 0 or done == total:
                    _publish(job, done, total)
        buffer.seek(0)
        job.file.save(job.download_name, File(buffer), save=False)
        stored.append(job.file.name)
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.SUCCEEDED,
        file=job.file.name,
        progress=100,
        statements_count=total,
        finished_at=timezone.now(),
        updated_at=Now(),
    )
    if not finished:
        raise RuntimeError("the export job was marked failed while it ran")


def _zip_name(statement: Statement) -> str:
    return statement_pdf_filename(statement)


def _publish(job: ExportJob, done: int, total: int) -> None:
    progress_publish(tenant_id=job.tenant_id, kind=ExportJob.PROGRESS_KIND, pk=job.pk, done=done, total=max(total, 1))


def export_jobs_expire() -> int:
    """Fail the tenant's export jobs that lost their worker, in one statement; returns how many.

    A ``running`` job whose row nobody holds (the building transaction holds it to the end) and
    that showed no sign of life for ``STALE_AFTER``, or a ``pending`` one no worker took within
    ``PENDING_TIMEOUT``.
    """
    now = timezone.now()
    with translation.override(require_tenant().language):
        reason = _("The export stopped before it finished (its worker went away); no file was kept. Start it again.")
    lost = Q(status=ExportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER) | Q(
        status=ExportJob.Status.PENDING, updated_at__lt=now - PENDING_TIMEOUT
    )
    with transaction.atomic():
        unlocked = ExportJob.objects.filter(lost).order_by().select_for_update(skip_locked=True).values("pk")
        return ExportJob.objects.filter(pk__in=unlocked).update(
            status=ExportJob.Status.FAILED, finished_at=now, error=reason, updated_at=now
        )
