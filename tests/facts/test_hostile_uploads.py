"""Hostile files: XLSX bombs, lying dimensions, DTDs, endless cells and rows. Each is refused with a
reason and its row, never a 500, and nothing is written."""

import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from facts.models import FactChange, ImportJob, Sale

HEADER = ["External id", "Partner code", "Date", "Customer", "Product category", "Amount", "Cost"]
CSV_HEADER = "external_id,partner,date,customer,product_category,amount,cost\n"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def claiming_one_row(xml: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:G2"', xml)


def workbook_bytes(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"X-{n}", "ACME-OWN", "2026-03-01", f"客户{n}", "", 100 + n, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str, change) -> bytes:
    """The same zip with one part changed: ``change(old bytes) → new bytes``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return buffer.getvalue()


def upload(membership, name: str, data: bytes, kind: str = "sales"):
    client = Client()
    client.force_login(membership.user)
    return client.post(
        f"/t/acme/data/{kind}/upload/",
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def the_failed_job() -> ImportJob:
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert Sale.objects.count() == 0 and FactChange.objects.count() == 0
    return job


def refuse_to_parse(monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", no_parsing)


# --- XLSX ----------------------------------------------------------------------------------------


def test_an_xlsx_bomb_is_refused_before_any_xml_is_parsed(acme, monkeypatch):
    # given: a small file whose sheet unpacks to 60 MB of XML (what openpyxl would have parsed row by row)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        source = zipfile.ZipFile(io.BytesIO(workbook_bytes(1)))
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open(SHEET, "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(60):
                sheet.write(row * (1024 * 1024 // len(row)))
            sheet.write(b"</sheetData></worksheet>")
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    refuse_to_parse(monkeypatch)
    # when
    started = time.monotonic()
    response = upload(acme.member("finance"), "bomb.xlsx", data)
    # then
    assert response.status_code == 200
    assert time.monotonic() - started < 5
    job = the_failed_job()
    assert job.errors == [{"row": 0, "field": "", "message": job.errors[0]["message"]}]
    assert "compressed" in job.errors[0]["message"] and SHEET in job.errors[0]["message"]


def test_a_workbook_that_unpacks_past_the_limit_is_refused_unopened(acme, settings, monkeypatch):
    settings.FACTS_MAX_XLSX_UNCOMPRESSED_BYTES = 20_000
    refuse_to_parse(monkeypatch)
    upload(acme.member("finance"), "big.xlsx", workbook_bytes(200))
    message = the_failed_job().errors[0]["message"]
    assert "unpacks to" in message and "the limit is" in message


def test_a_workbook_whose_dimension_lies_imports_every_row(acme):
    # given: three data rows, and a <dimension> that says there is one
    data = with_part(workbook_bytes(3), SHEET, claiming_one_row)
    assert b'ref="A1:G2"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    # when
    upload(acme.member("finance"), "liar.xlsx", data)
    # then: every row, or none; never a partial success
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.created_count, job.total_rows) == (3, 3)
    assert sorted(Sale.objects.values_list("external_id", flat=True)) == ["X-0", "X-1", "X-2"]


def test_the_real_size_not_the_dimension_sends_a_big_workbook_to_the_task(
    acme, settings, django_capture_on_commit_callbacks
):
    # given: a workbook that claims one row but unpacks past the threshold of the web request
    settings.FACTS_SYNC_IMPORT_BYTES = 30_000
    data = with_part(workbook_bytes(300), SHEET, claiming_one_row)
    # when: uploaded, the task not yet run
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(acme.member("finance"), "claims-one-row.xlsx", data)
    # then: queued, nothing parsed in the request
    assert len(callbacks) == 1
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, Sale.objects.count()) == (ImportJob.Status.PENDING, 0, 0)
    # and the task imports every row
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.SUCCEEDED, 300)


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")


def entity_bomb(xml: bytes) -> bytes:
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    assert not xml.startswith(b"<?xml")  # openpyxl writes no declaration: the DTD comes first
    return doctype + xml.replace(b"X-0", b"&b;")


def test_an_xlsx_with_a_dtd_and_entities_is_refused_cleanly(acme):
    response = upload(acme.member("finance"), "entities.xlsx", with_part(workbook_bytes(1), SHEET, entity_bomb))
    assert response.status_code == 200
    message = the_failed_job().errors[0]["message"]
    assert "document type" in message and SHEET in message


def test_even_past_the_dtd_check_openpyxl_refuses_the_entities():
    from defusedxml import DefusedXmlException

    data = with_part(workbook_bytes(1), SHEET, entity_bomb)
    with pytest.raises(ValueError) as refused:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        list(workbook.worksheets[0].iter_rows(values_only=True))
    assert isinstance(refused.value.__cause__, DefusedXmlException)


@pytest.mark.parametrize(
    "data",
    [b"external_id,partner\nS-1,ACME-OWN\n", workbook_bytes(2)[:-200], b"PK\x03\x04" + b"\x00" * 100],
    ids=["csv-named-xlsx", "truncated-zip", "zip-header-only"],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_a_reason(acme, data):
    response = upload(acme.member("finance"), "sales.xlsx", data)
    assert response.status_code == 200
    assert "not an Excel workbook" in the_failed_job().errors[0]["message"]


def test_a_workbook_jumping_to_row_a_billion_stops_at_the_row_limit(acme, settings):
    # openpyxl fills the rows a sheet skips with empty ones: a billion of them, unless the limit stops it
    settings.FACTS_MAX_UPLOAD_ROWS = 1000
    data = with_part(workbook_bytes(1), SHEET, lambda xml: xml.replace(b'<row r="2"', b'<row r="1000000000"'))
    started = time.monotonic()
    upload(acme.member("finance"), "far.xlsx", data)
    assert time.monotonic() - started < 5
    error = the_failed_job().errors[0]
    assert error["row"] == 1002 and "more than 1,000 rows" in error["message"]


def test_a_workbook_of_rows_as_wide_as_excel_allows_is_read_within_bounds(acme, settings):
    # one cell in the last column (XFD) of each row: openpyxl would make every row 16,384 cells wide
    settings.FACTS_SYNC_IMPORT_BYTES = 10 * 1024 * 1024
    rows = b"".join(
        b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n) for n in range(3, 20003)
    )
    data = with_part(workbook_bytes(1), SHEET, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"))
    started = time.monotonic()
    upload(acme.member("finance"), "wide.xlsx", data)
    assert time.monotonic() - started < 10
    job = ImportJob.objects.get()
    assert (job.status, job.created_count) == (ImportJob.Status.SUCCEEDED, 1)  # the far cells are not read


# --- CSV -----------------------------------------------------------------------------------------


def test_a_csv_with_a_200000_character_cell_is_refused_with_its_row(acme, settings):
    settings.FACTS_SYNC_IMPORT_BYTES = 10 * 1024 * 1024  # read in the request, to see the outcome here
    text = CSV_HEADER + "S-1,ACME-OWN,2026-03-01,甲,,1.00,\n" + f"S-2,ACME-OWN,2026-03-01,{'x' * 200_000},,1.00,\n"
    response = upload(acme.member("finance"), "long.csv", text.encode())
    assert response.status_code == 200
    error = the_failed_job().errors[0]
    assert error["row"] == 3
    assert "longer than 10,000 characters" in error["message"]
    assert "Row 3" in response.content.decode()


def test_a_cell_a_little_too_long_is_an_ordinary_cell_error(acme):
    text = CSV_HEADER + f"S-1,ACME-OWN,2026-03-01,{'x' * 600},,1.00,\n"
    upload(acme.member("finance"), "long.csv", text.encode())
    assert [(error["row"], error["field"]) for error in the_failed_job().errors] == [(2, "customer")]


def test_a_line_of_a_million_commas_is_refused_without_making_a_million_cells(acme, settings):
    settings.FACTS_SYNC_IMPORT_BYTES = 10 * 1024 * 1024  # read in the request, to see the outcome here
    text = CSV_HEADER + "," * 1_200_000 + "\n"
    upload(acme.member("finance"), "commas.csv", text.encode())
    error = the_failed_job().errors[0]
    assert error["row"] == 2 and "longer than 1,000,000 characters" in error["message"]


def test_reading_stops_as_soon_as_the_row_limit_is_passed(acme, settings):
    # given: three rows allowed; the fifth line would be an error of its own if it were read
    settings.FACTS_MAX_UPLOAD_ROWS = 3
    settings.FACTS_SYNC_IMPORT_BYTES = 10 * 1024 * 1024  # read in the request, to see the outcome here
    rows = "".join(f"S-{n},ACME-OWN,2026-03-01,客户,,1.00,\n" for n in range(4))
    text = CSV_HEADER + rows + f"S-9,ACME-OWN,2026-03-01,{'x' * 200_000},,1.00,\n"
    # when
    upload(acme.member("finance"), "many.csv", text.encode())
    # then: the row limit, at the first row past it; nothing after it was read
    errors = the_failed_job().errors
    assert len(errors) == 1
    assert errors[0]["row"] == 5 and "more than 3 rows" in errors[0]["message"]


def test_a_csv_in_neither_encoding_is_refused(acme):
    upload(acme.member("finance"), "binary.csv", CSV_HEADER.encode() + b"\xff\xfe\xfa\x80\x81\n")
    assert "neither UTF-8 nor GB18030" in the_failed_job().errors[0]["message"]
