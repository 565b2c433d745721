"""Writes for facts: a batch of rows is validated whole and written whole, or not at all."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError

from .imports.columns import KINDS
from .imports.files import FileRejected, read_upload
from .imports.validate import RowError, validate_rows
from .imports.write import Written, write_rows
from .models import ImportJob


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


def facts_import(*, kind: str, rows: Iterable[tuple[int, Mapping[str, Any]]], progress=None) -> ImportResult:
    """Validate and upsert one batch of facts of ``kind`` for the tenant in scope (all or nothing)."""
    if kind not in KINDS:
        raise ApplicationError(_("Unknown kind of data “%(kind)s”.") % {"kind": kind})
    validated = validate_rows(kind, rows, progress=progress)
    if not validated.ok:
        raise BatchRejected(validated.errors, validated.error_count)
    with transaction.atomic():
        written: Written = write_rows(kind, validated.rows)
    return ImportResult(created=written.created, updated=written.updated)


def facts_import_api_rows(*, kind: str, rows: Any) -> ImportResult:
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
    return facts_import(kind=kind, rows=enumerate(rows, start=1))


def _check_row_limit(count: int) -> None:
    limit = settings.FACTS_MAX_UPLOAD_ROWS
    if count > limit:
        raise BatchRejected(
            [
                RowError(
                    1, "", _("The file has %(count)d rows; the limit is %(limit)d.") % {"count": count, "limit": limit}
                )
            ],
            1,
        )


def import_job_start(*, kind: str, upload, actor) -> ImportJob:
    """Store an uploaded file and import it: at once when small, as a task with progress when large."""
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
    if estimate_rows(job) <= settings.FACTS_SYNC_IMPORT_ROWS:
        return import_job_run(job=job)
    tenant_id, job_id = job.tenant_id, job.pk
    transaction.on_commit(lambda: run_import_job.delay(tenant_id, job_id))
    return job


def estimate_rows(job: ImportJob) -> int:
    """Rows in the stored file, cheaply: lines of a CSV, the used range of a workbook."""
    with job.file.open("rb") as handle:
        if job.original_filename.lower().endswith(".csv"):
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        from openpyxl import load_workbook

        try:
            return load_workbook(handle, read_only=True).worksheets[0].max_row or 0
        except Exception:  # not a workbook: the import itself will say so
            return 0


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Import a stored file: validate with progress, then write everything in one transaction."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=0)
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        rows = list(read_upload(job.kind, job.original_filename, data))
        _check_row_limit(len(rows))
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))

        def progress(done: int) -> None:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=int(done * 0.9))

        result = facts_import(kind=job.kind, rows=rows, progress=progress)
    except FileRejected as error:
        _finish(job, status=ImportJob.Status.FAILED, errors=[RowError(1, "", str(error)).as_dict()])
    except BatchRejected as error:
        _finish(job, status=ImportJob.Status.FAILED, errors=error.extra["errors"])
    else:
        _finish(
            job,
            status=ImportJob.Status.SUCCEEDED,
            created_count=result.created,
            updated_count=result.updated,
            processed_rows=len(rows),
        )
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)
