"""The history of fact rows: a re-sent row that changes keeps its old values, who and through which
import; an identical one records nothing; the row's page shows it to whom may see it."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from facts import services
from facts.models import FactChange, ImportJob, Sale
from tenancy.context import tenant_scope
from tests.conftest import tenant_api

HEADER = "external_id,partner,date,customer,product_category,amount,cost\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload_csv(acme, text: str) -> ImportJob:
    return services.import_job_start(
        kind="sales", upload=SimpleUploadedFile("sales.csv", text.encode()), actor=acme.member("finance").user
    )


def sale_line(external_id="S-1", amount="1200.00", partner="ACME-OWN", customer="华东电子") -> str:
    return f"{external_id},{partner},2026-11-02,{customer},服务器,{amount},\n"


def page(membership, path: str):
    client = Client()
    client.force_login(membership.user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en")


def test_resending_a_row_with_a_changed_amount_records_the_old_amount_with_the_user_and_job(acme):
    # given
    first = upload_csv(acme, HEADER + sale_line(amount="1200.00"))
    sale = Sale.objects.get(external_id="S-1")
    # when
    second = upload_csv(acme, HEADER + sale_line(amount="1350.00"))
    # then
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 1, 0)
    change = FactChange.objects.get()
    assert (change.kind, change.fact_id, change.external_id) == ("sales", sale.pk, "S-1")
    assert change.old_values["amount"] == "1200.00" and change.new_values["amount"] == "1350.00"
    assert change.changed_fields() == ["amount"]
    assert change.old_values["date"] == "2026-11-02"
    assert change.changed_by == acme.member("finance").user
    assert change.import_job_id == second.pk != first.pk
    assert Sale.objects.get().amount == Decimal("1350.00")


def test_a_change_through_the_api_records_the_user_and_no_import(acme, api):
    row = {"external_id": "S-1", "partner": "ACME-OWN", "date": "2026-11-02", "customer": "甲", "amount": "5.00"}
    client = api(acme.member("admin"))
    client.post(tenant_api("acme", "sales/bulk/"), {"rows": [row]}, format="json")
    response = client.post(tenant_api("acme", "sales/bulk/"), {"rows": [{**row, "customer": "乙"}]}, format="json")
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    change = FactChange.objects.get()
    assert (change.changed_by, change.import_job) == (acme.member("admin").user, None)
    assert (change.old_values["customer"], change.new_values["customer"]) == ("甲", "乙")


def test_resending_an_identical_row_records_nothing(acme):
    upload_csv(acme, HEADER + sale_line())
    again = upload_csv(acme, HEADER + sale_line())
    assert again.status == ImportJob.Status.SUCCEEDED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert FactChange.objects.count() == 0


def test_the_write_takes_the_same_statements_for_2_and_40_changed_rows(acme):
    def batch(size: int, amount: str) -> list:
        rows = [
            {"external_id": f"H{size}-{n}", "partner": "ACME-OWN", "date": "2026-11-02", "customer": "c"}
            for n in range(size)
        ]
        return list(enumerate(({**row, "amount": amount} for row in rows), start=1))

    counts = []
    for size in (2, 40):
        services.facts_import(kind="sales", rows=batch(size, "1.00"))
        with CaptureQueriesContext(connection) as queries:
            result = services.facts_import(kind="sales", rows=batch(size, "2.00"), actor=acme.member("finance").user)
        assert (result.created, result.updated) == (0, size)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert FactChange.objects.count() == 42


def test_the_row_page_shows_the_fields_and_the_history(acme):
    upload_csv(acme, HEADER + sale_line(amount="1200.00"))
    job = upload_csv(acme, HEADER + sale_line(amount="1350.00"))
    sale = Sale.objects.get()
    body = page(acme.member("viewer"), f"/t/acme/data/sales/{sale.pk}/").content.decode()
    assert "华东电子" in body and "ACME-OWN" in body
    assert "Amount: ¥1,200.00 → ¥1,350.00" in body
    assert "finance@acme.test" in body
    assert f"import #{job.pk}" in body
    # finance may open the import the change came from
    body = page(acme.member("finance"), f"/t/acme/data/sales/{sale.pk}/").content.decode()
    assert f'href="/t/acme/data/imports/{job.pk}/"' in body


def test_the_list_links_each_row_to_its_page(acme):
    upload_csv(acme, HEADER + sale_line())
    sale = Sale.objects.get()
    body = page(acme.member("viewer"), "/t/acme/data/sales/").content.decode()
    assert f'href="/t/acme/data/sales/{sale.pk}/"' in body


def test_a_partner_user_sees_its_own_rows_history_without_vendor_emails(acme):
    upload_csv(acme, HEADER + sale_line(amount="1200.00"))
    job = upload_csv(acme, HEADER + sale_line(amount="1350.00"))
    sale = Sale.objects.get()
    response = page(acme.member("partner_user"), f"/t/acme/data/sales/{sale.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amount: ¥1,200.00 → ¥1,350.00" in body
    assert "the vendor" in body
    assert "finance@acme.test" not in body and "@acme.test" not in body.replace("partner-user@acme.test", "")
    assert f"import #{job.pk}" not in body


def test_a_row_once_another_partners_shows_none_of_that_partners_values(acme):
    # given: a sale first loaded for the other partner, then re-sent for the partner user's own
    upload_csv(acme, HEADER + sale_line(partner="ACME-OTHER", customer="其他客户"))
    upload_csv(acme, HEADER + sale_line(partner="ACME-OWN", customer="自己的客户"))
    sale = Sale.objects.get()
    # when
    body = page(acme.member("partner_user"), f"/t/acme/data/sales/{sale.pk}/").content.decode()
    # then
    assert "自己的客户" in body
    assert "其他客户" not in body and "ACME-OTHER" not in body
    assert "belonged to another partner" in body
    # while the vendor sees the move
    body = page(acme.member("viewer"), f"/t/acme/data/sales/{sale.pk}/").content.decode()
    assert "ACME-OTHER → ACME-OWN" in body


def test_another_partners_row_and_another_tenants_row_are_404(acme, world):
    upload_csv(acme, HEADER + sale_line(external_id="S-OTHER", partner="ACME-OTHER"))
    theirs = Sale.objects.get()
    assert page(acme.member("partner_user"), f"/t/acme/data/sales/{theirs.pk}/").status_code == 404
    globex = world["globex"]
    with tenant_scope(globex.tenant):
        services.facts_import(
            kind="sales",
            rows=[
                (
                    1,
                    {
                        "external_id": "G-1",
                        "partner": "GLOBEX-OWN",
                        "date": "2026-11-02",
                        "customer": "g",
                        "amount": "1",
                    },
                )
            ],
        )
        foreign = Sale.objects.get(external_id="G-1")
    assert page(acme.member("admin"), f"/t/acme/data/sales/{foreign.pk}/").status_code == 404
    assert page(acme.member("admin"), f"/t/globex/data/sales/{foreign.pk}/").status_code == 404


def test_the_row_page_takes_the_same_queries_for_1_and_10_changes(acme):
    counts = []
    for start, changes in ((0, 1), (1, 9)):
        if start == 0:
            upload_csv(acme, HEADER + sale_line(amount="100.00"))
        for n in range(changes):
            upload_csv(acme, HEADER + sale_line(amount=f"{200 + start + n}.00"))
        sale = Sale.objects.get()
        client = Client()
        client.force_login(acme.member("viewer").user)
        client.get(f"/t/acme/data/sales/{sale.pk}/")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/t/acme/data/sales/{sale.pk}/").status_code == 200
        counts.append(len(queries))
    assert FactChange.objects.count() == 10
    assert counts[0] == counts[1]
