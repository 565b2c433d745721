"""Writes for facts: a batch of rows is validated whole and written whole, or not at all."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.progress import progress_clear, progress_publish
from common.tasks import enqueue
from tenancy.context import require_tenant, tenant_scope

from .imports.columns import KINDS
from .imports.files import FileRejected, read_upload, real_size
from .imports.validate import RowError, Validated, validate_rows
from .imports.write import Written, write_rows
from .models import ImportJob, ImportJobBase

logger = logging.getLogger(__name__)


class BatchRejected(ApplicationError):
    """A batch with any bad row: nothing was written; ``errors`` lists every problem."""

    code = "batch_rejected"

    def __init__(self, errors: list[RowError], error_count: int):
        super().__init__(
            _("The batch was rejected: %(count)d error(s); nothing was written.") % {"count": error_count},
            extra={"errors": [error.as_dict() for error in errors], "error_count": error_count},
        )
        self.errors = errors
        self.error_count = error_count


@dataclasses.dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0


def _validated(*, kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]], progress=None) -> Validated:
    if kind not in KINDS:
        raise ApplicationError(_("Unknown kind of data “%(kind)s”.") % {"kind": kind})
    validated = validate_rows(kind, rows, progress=progress)
    if not validated.ok:
        raise BatchRejected(validated.errors, validated.error_count)
    return validated


def facts_import(
    *, kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]], actor=None, import_job=None, progress=None
) -> ImportResult:
    """Validate and upsert one batch of facts of ``kind`` for the tenant in scope (all or nothing).

    A row that changes a known ``external_id`` keeps its old values in the history, with
    ``actor`` (None for the demo data and benchmarks) and ``import_job`` (None for the API).
    """
    validated = _validated(kind=kind, rows=rows, progress=progress)
    with transaction.atomic():
        written: Written = write_rows(kind, validated.copy_text or validated.rows, actor=actor, import_job=import_job)
    return ImportResult(created=written.created, updated=written.updated, unchanged=written.unchanged)


def facts_import_api_rows(*, kind: str, rows: Any, actor=None) -> ImportResult:
    """The API's ``{"rows": [...]}``: row numbers are positions in the list, from 1."""
    if not isinstance(rows, list):
        raise BatchRejected([RowError(0, "rows", _("“rows” must be a list of objects."))], 1)
    limit = settings.FACTS_MAX_API_ROWS
    if len(rows) > limit:
        raise BatchRejected(
            [
                RowError(
                    0, "rows", _("At most %(limit)d rows per request; send the rest in another.") % {"limit": limit}
                )
            ],
            1,
        )
    return facts_import(kind=kind, rows=enumerate(rows, start=1), actor=actor)


def import_job_start(*, kind: str, upload, actor) -> ImportJob:
    """Store an uploaded file and import it: at once when small, as a task with progress when large.

    Small means the file's real size (``real_size``: a CSV's bytes, an XLSX's unpacked bytes)
    is at most ``FACTS_SYNC_IMPORT_BYTES``; the web request never parses a bigger file.
    """
    from .tasks import run_import_job

    if kind not in KINDS:
        raise ApplicationError(_("Unknown kind of data “%(kind)s”.") % {"kind": kind})
    if upload.size > settings.FACTS_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1048576:.1f}",
                "limit": f"{settings.FACTS_MAX_UPLOAD_BYTES / 1048576:.0f}",
            }
        )
    name = upload.name or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ApplicationError(_("Upload a .csv or .xlsx file."))
    job = ImportJob(kind=kind, file=upload, original_filename=name[:255], uploaded_by=actor)
    job.save()
    return run_now_or_queue(job, run=import_job_run, task=run_import_job)


def run_now_or_queue(job: ImportJobBase, *, run, task) -> ImportJobBase:
    """A stored upload's job runs now (``run(job=job)``) when small, else as ``task`` on a worker after the commit.

    Small is the file's real size (``real_size``) at most ``FACTS_SYNC_IMPORT_BYTES``: the web request never
    reads a bigger file. Facts and leads share this measure.
    """
    try:
        with job.file.open("rb") as handle:
            size = real_size(job.original_filename, handle)
    except FileRejected:
        size = 0  # refused before any parsing: the run says why at once
    except Exception:  # the run meets the same problem at once, and ends the job with it
        logger.exception("%s %s: the stored file cannot be measured", type(job).__name__, job.pk)
        size = 0
    if size <= settings.FACTS_SYNC_IMPORT_BYTES:
        return run(job=job)
    tenant_id, job_id, model = job.tenant_id, job.pk, type(job)
    transaction.on_commit(lambda: queue_import_job(task, tenant_id, job_id, model))
    return job


def queue_import_job(task, tenant_id: int, job_id: int, model: type[ImportJobBase] = ImportJob) -> None:
    """Hand the job to a worker; a job that cannot be queued (no broker) ends failed at once."""
    from tenancy.models import Tenant

    try:
        enqueue(task, tenant_id, job_id)
    except Exception:
        logger.exception("Import job %s could not be queued", job_id)
        # This runs after the commit, where the request's tenant scope has ended: a scope of its own.
        with tenant_scope(Tenant.objects.get(pk=tenant_id)):
            model.objects.filter(pk=job_id, status=model.Status.PENDING).update(
                status=model.Status.FAILED,
                errors=[
                    RowError(
                        0, "", _("The import could not be started; nothing was written. Try again later.")
                    ).as_dict()
                ],
                finished_at=timezone.now(),
                updated_at=Now(),
            )


class JobNoLongerRunning(Exception):
    """The job was failed (expired) while it ran: its writes are undone."""


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Import a stored file: read and validate with progress, then write everything at once."""
    return run_stored_job(job, _import_stored_file, rejected=BatchRejected)


def run_stored_job(job, work, *, rejected: type[ApplicationError]):
    """Run ``work(job, headers)`` on a stored upload's job (``ImportJobBase``), and end the job whatever happens.

    ``work`` reads the file, fills ``headers`` (field → the file's own column name), and either ends
    the job succeeded itself (raising ``JobNoLongerRunning`` if it was no longer running) or raises
    ``FileRejected`` or ``rejected`` (whose ``extra["errors"]`` are the errors by row and column).
    Runs only a pending job (so a task delivered twice imports once). Each step is a tenant scope,
    so a transaction of its own (a savepoint inside a web request's): the claim is seen at once,
    the import is all or nothing with the job's success, and whatever goes wrong the job ends
    ``failed`` with the reason and nothing written. Progress goes to the cache
    (``common.progress``), since the import's own writes show only when it commits.
    """
    tenant, model = job.tenant, type(job)
    with tenant_scope(tenant):
        claimed = model.objects.filter(pk=job.pk, status=model.Status.PENDING).update(
            status=model.Status.RUNNING, processed_rows=0, updated_at=Now()
        )
    if claimed:
        headers: dict[str, str] = {}  # the file's own column names, kept even when the import is undone
        try:
            with tenant_scope(tenant):
                work(job, headers)
        except FileRejected as error:
            _fail(job, [error.as_dict()], headers)
        except rejected as error:
            _fail(job, error.extra["errors"], headers)
        except JobNoLongerRunning:
            logger.warning("Import job %s was failed while it ran; its rows were not written", job.pk)
            message = _("The import was stopped before it finished; nothing was written.")
            _fail(job, [RowError(0, "", message).as_dict()])
        except Exception:  # any other failure still ends the job, and the log keeps the traceback
            logger.exception("Import job %s failed unexpectedly", job.pk)
            message = _("The import failed unexpectedly; nothing was written. Try again, or tell your administrator.")
            _fail(job, [RowError(0, "", message).as_dict()])
        finally:
            progress_clear(tenant_id=job.tenant_id, kind=model.PROGRESS_KIND, pk=job.pk)
    with tenant_scope(tenant):
        job.refresh_from_db()
    return job


def _import_stored_file(job: ImportJob, headers: dict[str, str]) -> None:
    with job.file.open("rb") as handle:
        rows = list(
            read_upload(
                job.kind, job.original_filename, handle, max_rows=settings.FACTS_MAX_UPLOAD_ROWS, headers=headers
            )
        )
    # Also takes the job's row lock for the whole import: import_jobs_expire skips a job being imported.
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows), updated_at=Now())

    def progress(done: int) -> None:
        progress_publish(
            tenant_id=job.tenant_id, kind=ImportJob.PROGRESS_KIND, pk=job.pk, done=int(done * 0.9), total=len(rows)
        )

    progress(0)
    validated = _validated(kind=job.kind, rows=rows, progress=progress)
    written = write_rows(job.kind, validated.copy_text or validated.rows, actor=job.uploaded_by, import_job=job)
    finished = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.SUCCEEDED,
        created_count=written.created,
        updated_count=written.updated,
        unchanged_count=written.unchanged,
        processed_rows=len(rows),
        headers=headers,
        finished_at=timezone.now(),
        updated_at=Now(),
    )
    if not finished:
        raise JobNoLongerRunning


def _fail(job: ImportJobBase, errors: list[dict], headers: dict | None = None) -> None:
    """End the job failed; ``headers`` (the file's own column names) let its errors name columns the user's way."""
    model = type(job)
    with tenant_scope(job.tenant):
        model.objects.filter(pk=job.pk, status=model.Status.RUNNING).update(
            status=model.Status.FAILED,
            errors=errors,
            headers=headers or {},
            finished_at=timezone.now(),
            updated_at=Now(),
        )


def import_jobs_expire(*, now: datetime.datetime | None = None, model: type[ImportJobBase] = ImportJob) -> int:
    """Fail the tenant's import jobs that showed no sign of life for ``FACTS_IMPORT_TIMEOUT_SECONDS``.

    A job's ``updated_at`` is its heartbeat (claimed, rows read, progress). A worker that died or
    a task that was lost leaves its job pending or running for ever; this ends it, with the
    reason, in one UPDATE. Jobs whose row another transaction holds (an import finishing right
    now) are skipped. Returns how many jobs it failed.
    """
    now = now or timezone.now()
    timeout = settings.FACTS_IMPORT_TIMEOUT_SECONDS
    with translation.override(require_tenant().language):  # whoever triggers it, in the tenant's language
        reason = _(
            "The import stopped: it showed no progress for %(minutes)d minutes. Nothing was written; "
            "upload the file again."
        ) % {"minutes": timeout // 60}
    unfinished = model.objects.filter(
        status__in=[model.Status.PENDING, model.Status.RUNNING],
        updated_at__lt=now - datetime.timedelta(seconds=timeout),
    )
    free = unfinished.order_by().select_for_update(skip_locked=True).values("pk")
    with transaction.atomic():
        return model.objects.filter(pk__in=free).update(
            status=model.Status.FAILED,
            errors=[RowError(0, "", reason).as_dict()],
            finished_at=now,
            updated_at=now,
        )
