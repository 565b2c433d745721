"""The upload page: CSV in UTF-8 (with or without BOM) and GB18030, XLSX, errors in a table."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from facts.models import ImportJob, Sale

CHINESE_HEADER = "外部编号,伙伴编码,日期,客户,产品类别,金额,成本\n"


def upload(client, kind, name, data):
    return client.post(
        f"/t/acme/data/{kind}/upload/", {"file": SimpleUploadedFile(name, data)}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )


def logged_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_a_gb18030_csv_from_chinese_excel_imports(acme):
    text = CHINESE_HEADER + "S-1,ACME-OWN,2026/3/31,华东电子有限公司,服务器,1234.50,1000\n"
    response = upload(logged_in(acme.member("finance")), "sales", "销售.csv", text.encode("gb18030"))
    assert response.status_code == 200
    sale = Sale.objects.get(external_id="S-1")
    assert sale.customer == "华东电子有限公司"
    assert str(sale.amount) == "1234.50"
    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED


def test_a_utf8_csv_with_bom_and_english_headers_imports(acme):
    header = "external_id,partner,date,customer,product_category,amount,cost\r\n"
    text = header + "S-9,ACME-OTHER,2026-01-02,Beta,,-5.00,\r\n"
    upload(logged_in(acme.member("admin")), "sales", "sales.csv", ("\ufeff" + text).encode("utf-8"))
    assert Sale.objects.get(external_id="S-9").amount < 0


def test_an_xlsx_imports_with_real_dates_and_numbers(acme):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["External id", "Partner code", "Invoice number", "Issue date", "Due date", "Amount"])
    sheet.append(["I-1", "ACME-OWN", "FP-001", datetime.date(2026, 1, 5), datetime.datetime(2026, 2, 4), 8800.5])
    sheet.append([None, None, None, None, None, None])  # blank rows are skipped
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(logged_in(acme.member("finance")), "invoices", "invoices.xlsx", buffer.getvalue())
    assert response.status_code == 200
    from facts.models import Invoice

    invoice = Invoice.objects.get(number="FP-001")
    assert (str(invoice.amount), invoice.due_date.isoformat()) == ("8800.50", "2026-02-04")


def test_a_bad_file_shows_every_error_by_line_and_writes_nothing(acme):
    text = (
        CHINESE_HEADER
        + "S-1,ACME-OWN,2026-03-31,甲,服务器,100,\n"
        + "S-2,NOBODY,2026-03-31,乙,服务器,100,\n"
        + "S-3,ACME-OWN,31/03/2026,丙,服务器,abc,\n"
    )
    response = upload(logged_in(acme.member("finance")), "sales", "bad.csv", text.encode("utf-8"))
    page = response.content.decode()
    assert "Nothing was written" in page
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert [(error["row"], error["field"]) for error in job.errors] == [(3, "partner"), (4, "date"), (4, "amount")]
    assert "No partner with code “NOBODY”." in page
    assert Sale.objects.count() == 0


def test_a_file_missing_a_required_column_is_refused_with_the_column_named(acme):
    upload(logged_in(acme.member("finance")), "sales", "x.csv", b"external_id,partner\nS-1,ACME-OWN\n")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "Date" in job.errors[0]["message"] and "Amount" in job.errors[0]["message"]  # labels, not field names


def test_a_file_of_another_type_or_too_large_is_refused(acme, settings):
    client = logged_in(acme.member("finance"))
    response = upload(client, "sales", "sales.pdf", b"%PDF-1.4")
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    settings.FACTS_MAX_UPLOAD_BYTES = 10
    response = upload(client, "sales", "sales.csv", CHINESE_HEADER.encode() * 3)
    assert "the limit is" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_large_file_imports_as_a_task_and_shows_its_progress(acme, settings, django_capture_on_commit_callbacks):
    settings.FACTS_SYNC_IMPORT_BYTES = 100
    lines = "".join(f"L-{n},ACME-OWN,2026-03-{n + 1:02d},客户{n},服务器,{n}.00,\n" for n in range(5))
    client = logged_in(acme.member("finance"))
    with django_capture_on_commit_callbacks(execute=True):
        big_file = SimpleUploadedFile("big.csv", (CHINESE_HEADER + lines).encode())
        response = client.post("/t/acme/data/sales/upload/", {"file": big_file})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.SUCCEEDED  # tasks run in-process without a broker
    assert (job.created_count, job.total_rows) == (5, 5)
    progress = client.get(f"/t/acme/data/imports/{job.pk}/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert b"5 new rows, 0 updated." in progress.content and b"Upload another file" in progress.content
    assert Sale.objects.count() == 5


def test_exports_neutralise_formulas_but_keep_numbers(acme):
    from tests.facts.helpers import load

    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-01", "customer": '=HYPERLINK("http://x","y")', "amount": "-10.00"},
        {"partner": "ACME-OWN", "date": "2026-01-02", "customer": "@SUM(A1)", "product_category": "+1", "amount": "5"},
    )
    client = logged_in(acme.member("viewer"))
    csv_text = b"".join(client.get("/t/acme/data/sales/?export=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text and "'+1" in csv_text
    assert ",-10.00," in csv_text  # a negative amount stays a number
    workbook = load_workbook(io.BytesIO(client.get("/t/acme/data/sales/?export=xlsx").content))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://x","y")' in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)


def test_the_list_filters_and_a_partner_user_sees_only_its_own_rows(acme):
    from tests.facts.helpers import load

    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-01", "customer": "mine", "amount": "1"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "theirs", "amount": "2"},
    )
    vendor = logged_in(acme.member("viewer")).get("/t/acme/data/sales/?date_from=2026-01-15").content.decode()
    assert "theirs" in vendor and "mine" not in vendor
    partner = logged_in(acme.member("partner_user")).get("/t/acme/data/sales/").content.decode()
    assert "mine" in partner and "theirs" not in partner


def test_templates_download_with_the_headers_in_the_users_language(acme):
    client = logged_in(acme.member("finance"))
    response = client.get("/t/acme/data/payments/template/?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.content.decode("utf-8-sig").splitlines()[0] == "External id,Partner code,Date,Amount,Invoice number"
    workbook = load_workbook(io.BytesIO(client.get("/t/acme/data/payments/template/").content))
    assert next(workbook.active.iter_rows(values_only=True))[0]


def test_a_template_carries_one_example_row_and_uploaded_unchanged_it_writes_nothing(acme):
    client = logged_in(acme.member("finance"))
    for kind in ("sales", "invoices", "payments", "writeoffs"):
        lines = client.get(f"/t/acme/data/{kind}/template/?format=csv").content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2 and "EXAMPLE" in lines[1]
    template = client.get("/t/acme/data/sales/template/?format=csv", HTTP_ACCEPT_LANGUAGE="en").content
    upload(client, "sales", "sales-template.csv", template)
    job = ImportJob.objects.get(original_filename="sales-template.csv")
    assert job.status == ImportJob.Status.FAILED
    assert "EXAMPLE" in job.errors[0]["message"]
    assert not Sale.objects.exists()


def test_a_rejected_file_names_the_columns_as_the_file_wrote_them_and_offers_to_upload_again(acme):
    client = logged_in(acme.member("finance"))
    bad = CHINESE_HEADER + "B-1,ACME-OWN,2026-02-30,客户,服务器,12.00,\n"  # there is no 30 February
    upload(client, "sales", "bad.csv", bad.encode())
    job = ImportJob.objects.get(original_filename="bad.csv")
    page = client.get(f"/t/acme/data/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>日期</td>" in page  # the user's own header, not the field name "date"
    assert "The file was rejected: 1 problem." in page and "rows checked" not in page
    assert "/t/acme/data/sales/upload/" in page and "Upload again" in page


def test_the_list_filter_matches_what_people_type_and_rows_show_the_partner_name(acme):
    from tests.facts.helpers import load

    day = {"date": "2026-03-01"}
    load(
        "sales",
        {**day, "partner": "ACME-OWN", "customer": "North Star Ltd", "amount": "1200", "external_id": "ERP-77-001"},
        {**day, "partner": "ACME-OTHER", "customer": "South Wind", "amount": "800", "external_id": "ERP-88-002"},
    )
    client = logged_in(acme.member("finance"))
    for query, expected in [
        ("partner=acme-own", "North Star"),  # the code in another case
        ("partner=Own Partner", "North Star"),  # part of the name
        ("external_id=77", "North Star"),  # part of an external id
        ("customer=north", "North Star"),
    ]:
        page = client.get(f"/t/acme/data/sales/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert expected in page and "South Wind" not in page, query
    page = client.get("/t/acme/data/sales/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ACME-OWN Acme Own Partner" in page and "¥1,200.00" in page
