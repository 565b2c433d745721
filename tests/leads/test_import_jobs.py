"""The lead upload as a job: small files at once, large ones as a task with progress; all or nothing; set-based."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.progress import progress_publish
from leads import services
from leads.inputs import settings_of_tenant
from leads.models import Assignment, Lead, LeadEvent, LeadImportJob, LeadStatus
from leads.tasks import run_lead_import_job
from notifications.models import Delivery
from partners.models import Tier
from tenancy.roles import Role

from .helpers import REGION, partner, score


def _csv(rows: int, *, start: int = 0, region: str = REGION, bad: dict[int, str] | None = None) -> bytes:
    lines = ["Company,Region,Industry,Value,Contact"]
    for n in range(start, start + rows):
        value = (bad or {}).get(n, f"{1000 + n}.50")
        lines.append(f"Customer {n},{region},制造,{value},Buyer {n}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def start(acme, data: bytes, name: str = "leads.csv") -> LeadImportJob:
    return services.lead_import_start(actor=acme.member(Role.ADMIN).user, upload=SimpleUploadedFile(name, data))


def written() -> tuple[int, int, int, int]:
    return Lead.objects.count(), Assignment.objects.count(), LeadEvent.objects.count(), Delivery.objects.count()


def job_page(job: LeadImportJob) -> str:
    return reverse("leads:import", kwargs={"tenant_slug": "acme", "pk": job.pk})


def test_a_small_file_is_made_at_once_and_its_leads_distributed(acme):
    partner("SW-0001")
    partner("SW-0002")
    job = start(acme, _csv(4))
    assert (job.status, job.offered_count, job.unassigned_count) == (LeadImportJob.Status.SUCCEEDED, 4, 0)
    assert (job.total_rows, job.processed_rows, job.uploaded_by) == (4, 4, acme.member(Role.ADMIN).user)
    holders = list(Lead.objects.order_by("id").values_list("partner__code", "status", "value"))
    assert holders == [
        ("SW-0001", LeadStatus.OFFERED, Decimal("1000.50")),
        ("SW-0002", LeadStatus.OFFERED, Decimal("1001.50")),
        ("SW-0001", LeadStatus.OFFERED, Decimal("1002.50")),
        ("SW-0002", LeadStatus.OFFERED, Decimal("1003.50")),
    ]
    actions = list(LeadEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["created"] * 4 + ["offered"] * 4


def test_a_large_file_goes_to_a_task_through_the_real_queue(acme, settings, django_capture_on_commit_callbacks):
    settings.FACTS_SYNC_IMPORT_BYTES = 10
    partner("SW-0001")
    with django_capture_on_commit_callbacks(execute=True):
        job = start(acme, _csv(3))
        assert job.status == LeadImportJob.Status.PENDING and Lead.objects.count() == 0  # nothing in the request
    job.refresh_from_db()
    assert (job.status, job.offered_count, job.finished_at is not None) == (LeadImportJob.Status.SUCCEEDED, 3, True)
    assert Lead.objects.filter(partner__code="SW-0001").count() == 3
    Lead.objects.all().delete()
    run_lead_import_job(acme.tenant.pk, job.pk)  # delivered again: imports nothing twice
    assert Lead.objects.count() == 0


def test_a_large_upload_page_redirects_to_its_job_which_shows_progress(acme, settings, page_client):
    settings.FACTS_SYNC_IMPORT_BYTES = 10
    client = page_client(acme.member(Role.ADMIN))
    answer = client.post(
        reverse("leads:upload", kwargs={"tenant_slug": "acme"}), {"file": SimpleUploadedFile("leads.csv", _csv(3))}
    )
    job = LeadImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == job_page(job)
    # the worker is at work: the page (and its htmx part) shows the rows checked so far, and polls for more
    LeadImportJob.objects.filter(pk=job.pk).update(status=LeadImportJob.Status.RUNNING)
    progress_publish(tenant_id=acme.tenant.pk, kind=LeadImportJob.PROGRESS_KIND, pk=job.pk, done=120, total=400)
    part = client.get(job_page(job), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="30"' in part and "120 of 400 rows checked" in part and f'hx-get="{job_page(job)}"' in part
    assert "<html" not in part


def test_the_task_publishes_its_progress_as_it_goes(acme, settings, monkeypatch):
    settings.FACTS_SYNC_IMPORT_BYTES = 10
    partner("SW-0001")
    seen = []
    real = services.progress_publish

    def record(**kwargs):
        seen.append((kwargs["done"], kwargs["total"]))
        real(**kwargs)

    monkeypatch.setattr(services, "progress_publish", record)
    job = start(acme, _csv(20))
    services.lead_import_run(job=job)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert {total for _done, total in seen} == {20} and seen[0][0] == 0 and seen[-1][0] == 18
    job.refresh_from_db()
    assert (job.status, job.progress_percent) == (LeadImportJob.Status.SUCCEEDED, 100)


def test_a_file_with_any_bad_cell_is_rejected_whole_naming_each_row_and_column(acme):
    partner("SW-0001")
    before = written()
    job = start(acme, _csv(6, bad={1: "abc", 4: "-5"}).replace(b"Customer 2,", b",", 1))
    assert job.status == LeadImportJob.Status.FAILED
    assert [(error["row"], error["column"]) for error in job.errors_with_columns] == [
        (3, "Value"),
        (4, "Company"),
        (6, "Value"),
    ]
    assert written() == before


def test_a_failure_after_the_leads_were_written_undoes_them_all(acme, monkeypatch):
    partner("SW-0001")
    real = services.notices.leads_offered

    def notify_then_fail(ids):
        real(ids)
        assert Lead.objects.count() == 5  # written…
        raise RuntimeError("mail queue full")

    monkeypatch.setattr(services.notices, "leads_offered", notify_then_fail)
    before = written()
    job = start(acme, _csv(5))
    assert job.status == LeadImportJob.Status.FAILED and "failed unexpectedly" in job.errors[0]["message"]
    assert written() == before  # …and undone, notices too


def _queries_to_import(acme, rows: int, start_at: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        job = start(acme, _csv(rows, start=start_at))
    assert job.status == LeadImportJob.Status.SUCCEEDED and job.offered_count == rows
    return len(queries)


def test_the_queries_of_an_upload_do_not_grow_with_its_rows(acme):
    found = settings_of_tenant()
    found.cap = 1000
    found.save()
    for code in ("SW-0001", "SW-0002", "SW-0003"):
        partner(code)
    few = _queries_to_import(acme, 5, 0)
    many = _queries_to_import(acme, 300, 100)
    assert few == many
    rows = [{"company": f"C{n}", "region": REGION, "industry": "制造", "value": Decimal("1")} for n in range(400)]
    with CaptureQueriesContext(connection) as queries:
        services.leads_create_batch(actor=None, rows=rows[:4])
    small = len(queries)
    with CaptureQueriesContext(connection) as queries:
        services.leads_create_batch(actor=None, rows=rows)
    assert len(queries) == small


@pytest.mark.parametrize(
    ("language", "words"), [("en", ("Imported", "3 leads made")), ("zh-hans", ("已导入", "已创建 3 条线索"))]
)
def test_the_job_page_in_both_languages(acme, page_client, language, words):
    partner("SW-0001")
    job = start(acme, _csv(3))
    body = page_client(acme.member(Role.ADMIN), language).get(job_page(job)).content.decode()
    assert all(word in body for word in words)
    rejected = start(acme, _csv(2, bad={0: "abc"}), name="bad.csv")
    body = page_client(acme.member(Role.ADMIN), language).get(job_page(rejected)).content.decode()
    assert ("Rejected" if language == "en" else "已拒绝") in body and '<td class="num">2</td>' in body
    upload = page_client(acme.member(Role.ADMIN), language).get(reverse("leads:upload", kwargs={"tenant_slug": "acme"}))
    assert "bad.csv" in upload.content.decode()  # among the recent uploads
    assert "10,000" in upload.content.decode() and "10000" not in upload.content.decode()  # the row limit, grouped


def test_a_partner_member_cannot_see_an_upload(acme, page_client):
    job = start(acme, _csv(1))
    assert page_client(acme.member(Role.PARTNER_ADMIN)).get(job_page(job)).status_code in (403, 404)


def _outcome() -> list[tuple]:
    """Each lead's holder and status, and its assignment's rule and candidates with their reasons, in order."""
    leads = list(Lead.objects.order_by("id"))
    assignments = {a.lead_id: a for a in Assignment.objects.all()}
    return [
        (
            lead.company,
            lead.status,
            lead.partner_id,
            lead.unassigned_reason,
            assignments[lead.pk].rule,
            [(c["partner_id"], c["reason"], c["open_leads"]) for c in assignments[lead.pk].candidates],
        )
        for lead in leads
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_law_a_set_based_batch_distributes_as_one_lead_at_a_time_would(acme, seed):
    """The batch (decided first, written once) equals ``lead_create`` called for each row in turn."""
    rng = random.Random(seed)  # test data, not secrets
    regions, industries = ["东", "西", "南"], ["制造", "零售", "医疗"]
    tier = Tier.objects.get(code="ordinary")
    for n in range(rng.randint(3, 12)):
        made = partner(
            f"LW-{n:02d}", region=rng.choice(regions), industries=rng.sample(industries, rng.randint(1, 2)), tier=tier
        )
        if rng.random() < 0.6:
            score(made, str(rng.choice([50, 60, 70])))
    found = settings_of_tenant()
    found.cap = rng.randint(1, 3)
    found.save()
    rows = [
        {"company": f"L{n}", "region": rng.choice([*regions, "北"]), "industry": rng.choice(industries),
         "value": Decimal(rng.randint(0, 999))}
        for n in range(rng.randint(5, 25))
    ]  # fmt: skip
    services.leads_create_batch(actor=None, rows=rows)
    batch = _outcome()
    LeadEvent.objects.all().delete()
    Assignment.objects.all().delete()
    Lead.objects.all().delete()
    for row in rows:
        services.lead_create(actor=None, **row)
    one_by_one = _outcome()
    assert batch == one_by_one


def test_a_stuck_lead_upload_expires_with_its_reason_and_a_late_worker_makes_nothing(acme, settings):
    settings.FACTS_IMPORT_TIMEOUT_SECONDS = 2 * 60 * 60
    stuck = LeadImportJob.objects.create(status=LeadImportJob.Status.RUNNING, original_filename="stuck.csv")
    alive = LeadImportJob.objects.create(status=LeadImportJob.Status.RUNNING, original_filename="alive.csv")
    LeadImportJob.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=3))
    assert services.lead_import_jobs_expire() == 1
    stuck.refresh_from_db()
    alive.refresh_from_db()
    assert (stuck.status, alive.status) == (LeadImportJob.Status.FAILED, LeadImportJob.Status.RUNNING)
    assert "120" in stuck.errors[0]["message"]  # in the tenant's language (no reader is there)
    run_lead_import_job(acme.tenant.pk, stuck.pk)  # the lost task arrives after all
    assert Lead.objects.count() == 0
