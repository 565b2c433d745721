"""The pages of statement documents: a statement's PDF, a period's CSV/XLSX, the zip of its PDFs."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from partners.models import Partner, PartnerKind, Tier
from settlements.models import ExportJob
from tenancy.context import tenant_scope

from .printing import pdf_text, statement

D = Decimal


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def logged_in(membership, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(membership.user)
    return client


@pytest.fixture
def statements(acme):
    """ACME-OWN's and ACME-OTHER's statements of Q1 2026."""
    own = statement(acme.own)
    other = statement(acme.other, lines=[
        {"kind": "rebate", "source_code": "Q-REBATE", "source_version": 1, "basis": D("50000.00"),
         "rate_percent": D("1.5000"), "amount": D("750.00"), "explanation": "1.5% of ¥50,000.00 sales."},
        {"kind": "adjustment", "amount": D("-10.00"), "reason": '=HYPERLINK("http://evil.example","x")'},
    ])  # fmt: skip
    return {"own": own, "other": other}


# --- the PDF -----------------------------------------------------------------------------------------


def test_a_partner_user_opens_its_own_statements_pdf(acme, statements):
    response = logged_in(acme.member("partner_user")).get(f"/t/acme/settlements/statements/{statements['own'].pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="settlement-ACME-OWN-2026-Q1.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert "AcmeOwnPartner" in pdf_text(response.content)


def test_a_partner_user_gets_a_404_for_another_partners_statement_never_the_file(acme, statements):
    response = logged_in(acme.member("partner_admin")).get(
        f"/t/acme/settlements/statements/{statements['other'].pk}/pdf/"
    )

    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")
    assert b"ACME-OTHER" not in response.content


def test_another_tenants_statement_is_a_404_under_either_tenant(world, statements):
    globex = world["globex"]
    with tenant_scope(globex.tenant):
        theirs = statement(globex.own)
    admin = logged_in(world["acme"].member("admin"))

    assert admin.get(f"/t/acme/settlements/statements/{theirs.pk}/pdf/").status_code == 404
    assert admin.get(f"/t/globex/statements/{statements['own'].pk}/pdf/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "channel_manager", "finance", "risk", "viewer"])
def test_every_vendor_role_reads_every_partners_pdf(acme, statements, role):
    response = logged_in(acme.member(role)).get(f"/t/acme/settlements/statements/{statements['other'].pk}/pdf/")

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


# --- the period's spreadsheet -------------------------------------------------------------------------


def rows_of_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_finance_downloads_a_periods_statements_as_csv_one_row_per_line(acme, statements):
    statement(acme.own, period="2025-Q4")  # another period: not in the file

    response = logged_in(acme.member("finance")).get("/t/acme/settlements/statements/export/?period=2026-Q1&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statements-2026-Q1.csv"'
    header, *rows = rows_of_csv(response)
    assert header == ["Partner code", "Partner", "Period", "Status", "Kind", "Source", "Version", "Basis", "Rate (%)",
                      "Amount", "Currency", "Explanation", "Reason", "Statement total"]  # fmt: skip
    assert [row[:2] for row in rows] == [["ACME-OTHER", "Acme Other Partner"]] * 2 + [
        ["ACME-OWN", "Acme Own Partner"]
    ] * 2
    other_rebate, other_adjustment = rows[0], rows[1]  # the PDF's order: rebates first, adjustments last
    assert other_rebate == ["ACME-OTHER", "Acme Other Partner", "Q1 2026", "Draft", "Rebate", "Q-REBATE", "1",
                            "50000.00", "1.5", "750.00", "CNY", "1.5% of ¥50,000.00 sales.", "", "740.00"]  # fmt: skip
    assert other_adjustment[4] == "Adjustment" and other_adjustment[9] == "-10.00"  # a negative amount stays a number
    assert other_adjustment[12] == '\'=HYPERLINK("http://evil.example","x")'  # neutralised, never a formula


def test_the_spreadsheet_speaks_the_readers_language(acme, statements):
    english = rows_of_csv(
        logged_in(acme.member("finance"), "en").get("/t/acme/settlements/statements/export/?period=2026-Q1&format=csv")
    )
    chinese = rows_of_csv(
        logged_in(acme.member("finance"), "zh-hans").get(
            "/t/acme/settlements/statements/export/?period=2026-Q1&format=csv"
        )
    )

    assert english[1][2] == "Q1 2026" and chinese[1][2] == "2026 年第 1 季度"
    assert chinese[0][:2] == ["渠道伙伴代码", "渠道伙伴"]


def test_finance_downloads_a_periods_statements_as_xlsx_with_numbers_as_numbers(acme, statements):
    response = logged_in(acme.member("admin")).get("/t/acme/settlements/statements/export/?period=2026-Q1&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statements-2026-Q1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Partner code" and header[-1] == "Statement total"
    assert len(rows) == 4
    rebate = next(row for row in rows if row[4] == "Rebate" and row[0] == "ACME-OTHER")
    assert rebate[7] == 50000 and rebate[8] == 1.5 and rebate[9] == 750 and rebate[13] == 740
    values = [value for row in rows for value in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)


def test_without_a_period_the_export_page_offers_the_periods_that_have_statements(acme, statements):
    statement(acme.own, period="2025-Q4")

    response = logged_in(acme.member("finance")).get("/t/acme/settlements/statements/export/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="2026-Q1">Q1 2026</option>' in page and '<option value="2025-Q4">Q4 2025</option>' in page
    assert page.index("2026-Q1") < page.index("2025-Q4")  # latest first


@pytest.mark.parametrize(
    ("query", "field_words"),
    [("period=2026-Q5&format=csv", "Q5"), ("period=2026-Q1&format=pdf", "pdf"), ("format=csv", "required")],
)
def test_a_bad_export_request_is_a_400_that_says_which_field_and_why(acme, statements, query, field_words):
    response = logged_in(acme.member("finance")).get(f"/t/acme/settlements/statements/export/?{query}")

    assert response.status_code == 400
    assert field_words in response.content.decode()


@pytest.mark.parametrize("role", ["channel_manager", "risk", "viewer", "partner_admin", "partner_user"])
def test_only_finance_and_administrators_export(acme, statements, role):
    response = logged_in(acme.member(role)).get("/t/acme/settlements/statements/export/?period=2026-Q1&format=csv")

    assert response.status_code == 403


def _partners_with_statements(acme, start: int, count: int) -> None:
    tier = Tier.objects.get(code="ordinary")
    for n in range(start, start + count):
        partner = Partner.objects.create(code=f"QC-{n:03d}", name=f"Q {n}", kind=PartnerKind.AGENT, tier=tier)
        statement(partner)


def test_the_export_takes_the_same_queries_for_3_and_30_statements(acme):
    client = logged_in(acme.member("finance"))
    counts = []
    for start, size in ((0, 3), (3, 27)):
        _partners_with_statements(acme, start, size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/t/acme/settlements/statements/export/?period=2026-Q1&format=csv")
            rows = rows_of_csv(response)
        assert len(rows) == 1 + 2 * (start + size)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the zip of a period's PDFs ------------------------------------------------------------------------


def test_finance_makes_the_zip_follows_its_progress_and_downloads_it(
    acme, statements, django_capture_on_commit_callbacks
):
    client = logged_in(acme.member("finance"))

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/t/acme/settlements/statements/export/pdf-zip/", {"period": "2026-Q1"})

    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/t/acme/settlements/exports/{job.pk}/"
    page = client.get(f"/t/acme/settlements/exports/{job.pk}/").content.decode()
    assert "Finished" in page and "2 statements in the zip." in page
    progress = client.get(f"/t/acme/settlements/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b'value="100"' in progress.content and b"hx-trigger" not in progress.content  # finished: no more polling
    download = client.get(f"/t/acme/settlements/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="statements-2026-Q1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == ["settlement-ACME-OTHER-2026-Q1.pdf", "settlement-ACME-OWN-2026-Q1.pdf"]


def test_a_running_zip_is_polled_and_its_download_waits(acme, statements):
    job = ExportJob.objects.create(period="2026-Q1", status="running")
    client = logged_in(acme.member("finance"))

    progress = client.get(f"/t/acme/settlements/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    download = client.get(f"/t/acme/settlements/exports/{job.pk}/download/")

    assert b'hx-trigger="every 1s"' in progress.content
    assert download.status_code == 302 and download["Location"] == f"/t/acme/settlements/exports/{job.pk}/"


def test_a_zip_of_a_period_without_statements_is_refused_on_the_form_and_nothing_starts(acme, statements):
    response = logged_in(acme.member("finance")).post(
        "/t/acme/settlements/statements/export/pdf-zip/", {"period": "2024-Q1"}
    )

    assert response.status_code == 400
    assert "There are no statements for Q1 2024." in response.content.decode()
    assert ExportJob.objects.count() == 0


@pytest.mark.parametrize("role", ["channel_manager", "viewer", "partner_admin"])
def test_only_finance_and_administrators_make_zips_or_open_them(acme, statements, role):
    job = ExportJob.objects.create(period="2026-Q1", status="failed", error="x")
    client = logged_in(acme.member(role))

    assert client.post("/t/acme/settlements/statements/export/pdf-zip/", {"period": "2026-Q1"}).status_code == 403
    assert client.get(f"/t/acme/settlements/exports/{job.pk}/").status_code == 403
    assert client.get(f"/t/acme/settlements/exports/{job.pk}/download/").status_code == 403
    assert ExportJob.objects.count() == 1


def test_another_tenants_zip_is_a_404(world):
    globex = world["globex"]
    with tenant_scope(globex.tenant):
        theirs = ExportJob.objects.create(period="2026-Q1", status="succeeded")

    client = logged_in(world["acme"].member("admin"))

    assert client.get(f"/t/acme/settlements/exports/{theirs.pk}/").status_code == 404
    assert client.get(f"/t/acme/settlements/exports/{theirs.pk}/download/").status_code == 404


def test_the_export_page_lists_the_recent_zips_and_ends_a_dead_one(acme, statements):
    import datetime

    from django.utils import timezone

    dead = ExportJob.objects.create(period="2026-Q1", status="running")
    ExportJob.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))

    page = logged_in(acme.member("finance")).get("/t/acme/settlements/statements/export/").content.decode()

    assert f"/t/acme/settlements/exports/{dead.pk}/" in page and "Failed" in page


def test_the_nav_links_the_exports_for_finance_only(acme, statements):
    assert (
        "/t/acme/settlements/statements/export/" in logged_in(acme.member("finance")).get("/t/acme/").content.decode()
    )
    assert (
        "/t/acme/settlements/statements/export/"
        not in logged_in(acme.member("viewer")).get("/t/acme/").content.decode()
    )
