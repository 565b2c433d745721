"""Import jobs always end: failed with their reason on any error, nothing written; stuck ones expire."""

import datetime
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from facts import services
from facts.models import FactChange, ImportJob, Sale
from facts.tasks import run_import_job
from scoring import jobs
from tenancy.context import tenant_scope

CSV = (
    "external_id,partner,date,customer,product_category,amount,cost\n"
    "S-1,ACME-OWN,2026-03-01,甲,,1200.00,\n"
    "S-2,ACME-OWN,2026-03-02,乙,,80.00,\n"
)


def unexpected() -> str:
    """The message of an unexpected failure, in the language the test runs in (the service's too)."""
    from django.utils.translation import gettext

    return gettext("The import failed unexpectedly; nothing was written. Try again, or tell your administrator.")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start(acme, data: str = CSV, name: str = "sales.csv") -> ImportJob:
    return services.import_job_start(
        kind="sales", upload=SimpleUploadedFile(name, data.encode()), actor=acme.member("finance").user
    )


def test_an_import_failing_mid_way_ends_failed_with_its_reason_and_writes_nothing(acme, monkeypatch, caplog):
    # given: a writer that writes every row, then fails
    real_write_rows = services.write_rows

    def write_then_fail(*args, **kwargs):
        real_write_rows(*args, **kwargs)
        assert Sale.objects.count() == 2  # the rows were written…
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_rows", write_then_fail)
    # when
    with caplog.at_level(logging.ERROR, logger="facts.services"):
        job = start(acme)
    # then: …and undone; the job says why, the log keeps the traceback
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 0, "field": "", "message": unexpected()}]
    assert job.finished_at is not None
    assert Sale.objects.count() == 0 and FactChange.objects.count() == 0
    assert "disk full" in caplog.text and "Traceback" in caplog.text


def test_an_unexpected_error_while_reading_also_ends_the_job(acme, monkeypatch):
    def broken_reader(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(services, "read_upload", broken_reader)
    job = start(acme)
    assert (job.status, job.errors[0]["message"]) == (ImportJob.Status.FAILED, unexpected())
    assert Sale.objects.count() == 0


def test_the_upload_page_shows_the_failure_not_a_500(acme, monkeypatch):
    def broken_reader(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(services, "read_upload", broken_reader)
    client = Client()
    client.force_login(acme.member("finance").user)
    response = client.post(
        "/t/acme/data/sales/upload/",
        {"file": SimpleUploadedFile("sales.csv", CSV.encode())},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The import failed unexpectedly" in response.content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_a_job_failed_while_it_ran_keeps_none_of_its_rows(acme, monkeypatch):
    # given: the job expires (another process fails it) while its rows are being written
    real_write_rows = services.write_rows

    def write_while_expired(*args, import_job, **kwargs):
        written = real_write_rows(*args, import_job=import_job, **kwargs)
        ImportJob.objects.filter(pk=import_job.pk).update(status=ImportJob.Status.FAILED, errors=[{"row": 0}])
        return written

    monkeypatch.setattr(services, "write_rows", write_while_expired)
    job = start(acme)
    # then: the job ends failed and its rows are undone (here the expiry shares the import's
    # transaction, so it is undone too, and the job says it was stopped)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "The import was stopped before it finished; nothing was written."
    assert Sale.objects.count() == 0


def test_a_task_delivered_twice_imports_once(acme, settings, django_capture_on_commit_callbacks):
    settings.FACTS_SYNC_IMPORT_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        job = start(acme)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.SUCCEEDED, 2)
    Sale.objects.all().delete()
    run_import_job(acme.tenant.pk, job.pk)  # delivered again
    assert Sale.objects.count() == 0


def test_a_job_that_cannot_be_queued_ends_failed(acme, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.FACTS_SYNC_IMPORT_BYTES = 10

    def no_broker(*args, **kwargs):
        raise ConnectionError("no broker")

    monkeypatch.setattr(run_import_job, "delay", no_broker)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(acme)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "could not be started" in job.errors[0]["message"]
    assert Sale.objects.count() == 0


def stuck(status: str, *, hours_ago: float, name: str = "stuck.csv") -> ImportJob:
    job = ImportJob.objects.create(kind="sales", status=status, original_filename=name)
    job.file.save(name, ContentFile(CSV.encode()), save=True)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=hours_ago))
    return job


def test_a_stuck_running_job_older_than_the_timeout_is_marked_failed(acme, world, settings):
    # given: the timeout is two hours
    settings.FACTS_IMPORT_TIMEOUT_SECONDS = 2 * 60 * 60
    running = stuck(ImportJob.Status.RUNNING, hours_ago=3)
    pending = stuck(ImportJob.Status.PENDING, hours_ago=5)
    alive = stuck(ImportJob.Status.RUNNING, hours_ago=1)
    done = stuck(ImportJob.Status.SUCCEEDED, hours_ago=30)
    with tenant_scope(world["globex"].tenant):
        elsewhere = stuck(ImportJob.Status.RUNNING, hours_ago=3)
    # when
    expired = services.import_jobs_expire()
    # then: the two stuck jobs of this tenant, with the reason
    assert expired == 2
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[running.pk] == statuses[pending.pk] == ImportJob.Status.FAILED
    assert (statuses[alive.pk], statuses[done.pk]) == (ImportJob.Status.RUNNING, ImportJob.Status.SUCCEEDED)
    running.refresh_from_db()
    assert running.errors[0]["message"] == stuck_reason(acme.tenant)  # stored in the tenant's language
    assert running.finished_at is not None
    with tenant_scope(world["globex"].tenant):
        assert ImportJob.objects.get(pk=elsewhere.pk).status == ImportJob.Status.RUNNING
    # and a late worker does not bring the expired job back to life
    run_import_job(acme.tenant.pk, pending.pk)
    assert Sale.objects.count() == 0


def stuck_reason(tenant) -> str:
    """Why an expired job failed, as the service words it: in the tenant's language (no reader is there)."""
    from django.utils.translation import gettext, override

    with override(tenant.language):
        return gettext(
            "The import stopped: it showed no progress for %(minutes)d minutes. Nothing was written; "
            "upload the file again."
        ) % {"minutes": 120}


def test_expiry_takes_one_statement_however_many_jobs_are_stuck(acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 5):
        for n in range(size):
            stuck(ImportJob.Status.RUNNING, hours_ago=3, name=f"s{size}-{n}.csv")
        with CaptureQueriesContext(connection) as queries:
            assert services.import_jobs_expire() == size
        counts.append(len([query for query in queries if query["sql"].startswith("UPDATE")]))
    assert counts == [1, 1]


def test_viewing_the_import_page_ends_a_stuck_job(acme):
    job = stuck(ImportJob.Status.RUNNING, hours_ago=3)
    client = Client()
    client.force_login(acme.member("finance").user)
    response = client.get(f"/t/acme/data/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert stuck_reason(acme.tenant) in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_the_nightly_run_ends_stuck_jobs(acme):
    job = stuck(ImportJob.Status.PENDING, hours_ago=3)
    run = jobs.nightly_run(tenant=acme.tenant, day=datetime.date(2026, 6, 30))
    assert run.summary["import_jobs"] == {"expired": 1}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_running_import_shows_its_progress_while_its_transaction_is_open(acme, monkeypatch):
    # given: a validator that looks at what a second reader of the job page would see, mid-way
    seen = {}
    real_validated = services._validated

    def validated_and_observed(*, kind, rows, progress):
        progress(len(rows))  # every row read and checked
        job = ImportJob.objects.get(original_filename="sales.csv")
        seen["status"] = job.status
        seen["percent"] = job.load_live_progress().progress_percent
        return real_validated(kind=kind, rows=rows, progress=progress)

    monkeypatch.setattr(services, "_validated", validated_and_observed)
    twenty_rows = CSV.splitlines()[0] + "\n" + "".join(f"S-{n},ACME-OWN,2026-03-01,甲,,10.00,\n" for n in range(20))
    # when
    job = start(acme, twenty_rows)
    # then: the cache carried the progress of the job in flight (90%: checked, not yet written)
    assert seen == {"status": ImportJob.Status.RUNNING, "percent": 90}
    assert job.status == ImportJob.Status.SUCCEEDED and job.load_live_progress().progress_percent == 100
