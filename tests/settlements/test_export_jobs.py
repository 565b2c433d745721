"""All of a period's statement PDFs in one zip, built by a task with progress; a job always ends."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from settlements.models import ExportJob
from settlements.services import exports
from settlements.services.exports import export_job_start, export_jobs_expire

from .printing import pdf_text, statement


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def period(acme):
    """Q1 2026: a statement for each of acme's partners; Q4 2025: one more, not in Q1's zip."""
    statement(acme.own)
    statement(acme.other, status="approved", approver=acme.member("finance").user)
    statement(acme.own, period="2025-Q4")
    return acme


def start(tenant_world, capture, period="2026-Q1") -> ExportJob:
    with capture(execute=True):
        job = export_job_start(period=period, actor=tenant_world.member("finance").user)
    job.refresh_from_db()
    return job


def zip_of(job: ExportJob) -> zipfile.ZipFile:
    with job.file.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_zip_holds_the_pdf_of_every_statement_of_the_period(period, django_capture_on_commit_callbacks):
    job = start(period, django_capture_on_commit_callbacks)

    assert job.status == "succeeded" and job.progress == 100 and job.statements_count == 2
    assert job.finished_at is not None and job.error == ""
    assert job.file.name.startswith(f"exports/{period.tenant.pk}/") and job.file.name.endswith("statements-2026-Q1.zip")
    archive = zip_of(job)
    assert sorted(archive.namelist()) == ["settlement-ACME-OTHER-2026-Q1.pdf", "settlement-ACME-OWN-2026-Q1.pdf"]
    assert "AcmeOwnPartner" in pdf_text(archive.read("settlement-ACME-OWN-2026-Q1.pdf"))
    assert "AcmeOtherPartner" in pdf_text(archive.read("settlement-ACME-OTHER-2026-Q1.pdf"))
    assert job.created_by == period.member("finance").user


def test_progress_is_readable_while_the_job_builds(period, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    render = exports.statement_pdf

    def render_and_look(statement, **kwargs):
        job = ExportJob.objects.get(period="2026-Q1")
        seen.append((job.status, job.load_live_progress().progress))
        return render(statement, **kwargs)

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(exports, "statement_pdf", render_and_look)

    job = start(period, django_capture_on_commit_callbacks)

    assert seen == [("running", 0), ("running", 50)]
    assert job.progress == 100


def test_a_failure_ends_the_job_failed_with_its_reason_and_keeps_no_file(
    period, django_capture_on_commit_callbacks, monkeypatch, settings
):
    calls = []

    def render_then_break(statement, **kwargs):
        calls.append(statement.pk)
        if len(calls) == 2:
            raise RuntimeError("the printer caught fire")
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(exports, "statement_pdf", render_then_break)

    job = start(period, django_capture_on_commit_callbacks)

    assert job.status == "failed" and job.finished_at is not None
    assert job.error and "fire" not in job.error  # a reason for people; the traceback is in the log
    assert not job.file
    assert stored_files(settings) == []


def test_a_file_stored_before_the_build_failed_is_removed(period, django_capture_on_commit_callbacks, monkeypatch):
    from django.db.models import QuerySet

    update = QuerySet.update

    def refuse_to_finish(queryset, **values):
        if values.get("status") == "succeeded":
            raise RuntimeError("the database went away")
        return update(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", refuse_to_finish)
    job = start(period, django_capture_on_commit_callbacks)
    monkeypatch.undo()

    assert job.status == "failed" and not job.file
    assert list(exports_folder(period).rglob("*.zip")) == []


def exports_folder(tenant_world):
    from django.conf import settings

    return settings.MEDIA_ROOT / "exports" / str(tenant_world.tenant.pk)


def test_a_period_without_statements_is_refused_on_the_period_field_and_nothing_is_made(period):
    with pytest.raises(ValidationError) as refused:
        export_job_start(period="2024-Q1", actor=period.member("finance").user)

    assert "period" in refused.value.message_dict
    assert ExportJob.objects.count() == 0


def test_a_period_that_is_not_a_period_is_refused_on_the_period_field(period):
    with pytest.raises(ValidationError) as refused:
        export_job_start(period="2026-Q5", actor=period.member("finance").user)

    assert "Q5" in refused.value.message_dict["period"][0]
    assert ExportJob.objects.count() == 0


def test_starting_again_while_a_job_is_under_way_hands_back_that_job(period):
    finance = period.member("finance").user
    first = export_job_start(period="2026-Q1", actor=finance)  # queued: its task runs after the commit

    again = export_job_start(period="2026-Q1", actor=finance)

    assert again.pk == first.pk
    assert ExportJob.objects.count() == 1


def test_a_finished_period_can_be_exported_again(period, django_capture_on_commit_callbacks):
    first = start(period, django_capture_on_commit_callbacks)
    second = start(period, django_capture_on_commit_callbacks)

    assert second.pk != first.pk and second.status == "succeeded"


def test_a_task_delivered_twice_builds_once(period, django_capture_on_commit_callbacks):
    from settlements.tasks import build_export

    job = start(period, django_capture_on_commit_callbacks)
    name, finished_at = job.file.name, job.finished_at

    build_export(period.tenant.pk, job.pk)

    job.refresh_from_db()
    assert (job.file.name, job.finished_at) == (name, finished_at)


def test_a_job_that_cannot_be_queued_ends_failed_at_once(period, django_capture_on_commit_callbacks, monkeypatch):
    from settlements.tasks import build_export

    def no_broker(*args, **kwargs):
        raise ConnectionError("no broker")

    monkeypatch.setattr(build_export, "delay", no_broker)

    job = start(period, django_capture_on_commit_callbacks)

    assert job.status == "failed" and job.error


def test_a_job_whose_worker_died_ends_failed_and_a_living_one_is_left_alone(period):
    now = timezone.now()
    dead = ExportJob.objects.create(period="2026-Q1", status="running")
    forgotten = ExportJob.objects.create(period="2026-Q1", status="pending")
    living = ExportJob.objects.create(period="2026-Q1", status="running")
    ExportJob.objects.filter(pk=dead.pk).update(updated_at=now - datetime.timedelta(minutes=10))
    ExportJob.objects.filter(pk=forgotten.pk).update(updated_at=now - datetime.timedelta(hours=1))

    assert export_jobs_expire() == 2

    dead.refresh_from_db()
    forgotten.refresh_from_db()
    living.refresh_from_db()
    assert dead.status == forgotten.status == "failed"
    assert dead.error and dead.finished_at is not None
    assert living.status == "running"
    assert export_jobs_expire() == 0


def test_starting_a_job_sweeps_the_dead_ones_first(period, django_capture_on_commit_callbacks):
    dead = ExportJob.objects.create(period="2026-Q1", status="running")
    ExportJob.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))

    job = start(period, django_capture_on_commit_callbacks)

    dead.refresh_from_db()
    assert dead.status == "failed" and job.pk != dead.pk and job.status == "succeeded"
