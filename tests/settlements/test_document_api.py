"""The API of statement documents (SPEC §6): ``statements/{id}/pdf/``, ``statements/export/``, ``export-jobs/``."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settlements.models import ExportJob
from tenancy.context import tenant_scope
from tests.conftest import tenant_api

from .printing import pdf_text, statement


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def statements(acme):
    return {"own": statement(acme.own), "other": statement(acme.other)}


# --- statements/{id}/pdf/ ----------------------------------------------------------------------------


def test_a_partner_user_gets_its_own_statements_pdf(acme, api, statements):
    response = api(acme.member("partner_user")).get(tenant_api("acme", f"statements/{statements['own'].pk}/pdf/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "settlement-ACME-OWN-2026-Q1.pdf" in response["Content-Disposition"]
    assert "AcmeOwnPartner" in pdf_text(response.content)


def test_asking_for_a_pdf_by_its_media_type_works_and_errors_still_answer_in_json(acme, api, statements):
    client = api(acme.member("partner_user"))

    mine = client.get(tenant_api("acme", f"statements/{statements['own'].pk}/pdf/"), HTTP_ACCEPT="application/pdf")
    theirs = client.get(tenant_api("acme", f"statements/{statements['other'].pk}/pdf/"), HTTP_ACCEPT="application/pdf")

    assert mine.status_code == 200 and mine.content.startswith(b"%PDF-")
    assert theirs.status_code == 404 and theirs.json()["message"]
    assert not theirs.content.startswith(b"%PDF")


def test_another_tenants_statement_pdf_is_a_404(world, api, statements):
    globex = world["globex"]
    with tenant_scope(globex.tenant):
        theirs = statement(globex.own)

    response = api(world["acme"].member("admin")).get(tenant_api("acme", f"statements/{theirs.pk}/pdf/"))

    assert response.status_code == 404


def test_a_vendor_viewer_reads_any_partners_pdf(acme, api, statements):
    response = api(acme.member("viewer")).get(tenant_api("acme", f"statements/{statements['other'].pk}/pdf/"))

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


# --- statements/export/ ------------------------------------------------------------------------------


def test_finance_exports_the_statements_the_filters_select(acme, api, statements):
    statement(acme.own, period="2025-Q4")
    client = api(acme.member("finance"))

    response = client.get(tenant_api("acme", "statements/export/?period=2026-Q1&partner=ACME-OWN&format=csv"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statements-2026-Q1.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert {row[0] for row in rows[1:]} == {"ACME-OWN"} and len(rows) == 3
    everything = client.get(tenant_api("acme", "statements/export/"))  # all periods, CSV
    assert len(list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode("utf-8-sig"))))) == 7


def test_the_api_export_in_xlsx(acme, api, statements):
    response = api(acme.member("admin")).get(tenant_api("acme", "statements/export/?period=2026-Q1&format=xlsx"))

    assert response.status_code == 200
    assert response.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("query", "field"),
    [("period=2026-13", "period"), ("format=pdf", "format"), ("status=lost", "status"), ("partner=NOPE", "partner")],
)
def test_a_bad_filter_is_a_400_naming_the_field(acme, api, statements, query, field):
    response = api(acme.member("finance")).get(tenant_api("acme", f"statements/export/?{query}"))

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("role", ["viewer", "channel_manager", "partner_admin"])
def test_only_finance_and_administrators_export_through_the_api(acme, api, statements, role):
    assert api(acme.member(role)).get(tenant_api("acme", "statements/export/?period=2026-Q1")).status_code == 403


# --- export-jobs/ ------------------------------------------------------------------------------------


def test_finance_queues_a_zip_reads_its_progress_and_downloads_it(
    acme, api, statements, django_capture_on_commit_callbacks
):
    client = api(acme.member("finance"))

    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(tenant_api("acme", "export-jobs/"), {"period": "2026-Q1"}, format="json")

    assert queued.status_code == 202
    assert queued.json()["status"] == "pending" and queued.json()["period"] == "2026-Q1"
    job = client.get(tenant_api("acme", f"export-jobs/{queued.json()['id']}/")).json()
    assert job["status"] == "succeeded" and job["progress"] == 100 and job["statements_count"] == 2
    assert job["created_by"] == acme.member("finance").user.email
    download = client.get(job["download_url"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 2


def test_a_zip_not_finished_cannot_be_downloaded_yet(acme, api, statements):
    job = ExportJob.objects.create(period="2026-Q1", status="running")

    response = api(acme.member("finance")).get(tenant_api("acme", f"export-jobs/{job.pk}/download/"))

    assert response.status_code == 409 and response.json()["message"]


def test_a_zip_of_a_bad_period_is_a_400_on_the_period_and_nothing_is_queued(acme, api, statements):
    client = api(acme.member("finance"))

    for body in ({"period": "2024-Q1"}, {"period": "Q1"}, {}):
        response = client.post(tenant_api("acme", "export-jobs/"), body, format="json")
        assert response.status_code == 400 and "period" in response.json()["errors"]
    assert ExportJob.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "risk", "partner_admin", "partner_user"])
def test_only_finance_and_administrators_queue_or_read_zips(acme, api, statements, role):
    job = ExportJob.objects.create(period="2026-Q1", status="failed", error="x")
    client = api(acme.member(role))

    assert client.post(tenant_api("acme", "export-jobs/"), {"period": "2026-Q1"}, format="json").status_code == 403
    assert client.get(tenant_api("acme", "export-jobs/")).status_code == 403
    assert client.get(tenant_api("acme", f"export-jobs/{job.pk}/")).status_code == 403
    assert ExportJob.objects.count() == 1


def test_the_zips_list_takes_the_same_queries_for_2_and_20_jobs(acme, api):
    client = api(acme.member("finance"))
    counts = []
    for size in (2, 18):
        ExportJob.objects.bulk_create([ExportJob(period="2026-Q1", status="failed", error="x") for _ in range(size)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(tenant_api("acme", "export-jobs/"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["count"] == 20
    assert counts[0] == counts[1]


def test_the_schema_describes_the_document_paths(world, api):
    response = api(world["acme"].member("viewer")).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    paths = response.json()["paths"]
    assert (
        "application/pdf" in paths["/api/v1/t/{tenant_slug}/statements/{id}/pdf/"]["get"]["responses"]["200"]["content"]
    )
    assert "/api/v1/t/{tenant_slug}/statements/export/" in paths
    assert "post" in paths["/api/v1/t/{tenant_slug}/export-jobs/"]
    assert "/api/v1/t/{tenant_slug}/export-jobs/{id}/download/" in paths
