"""The bulk endpoints: one validator, all or nothing, idempotent by external id."""

from decimal import Decimal

import pytest

from facts.models import Invoice, Payment, Sale, WriteOff
from tests.conftest import tenant_api


def sale(partner_code="ACME-OWN", **overrides):
    row = {
        "external_id": "S-1",
        "partner": partner_code,
        "date": "2026-03-31",
        "customer": "上海客户",
        "product_category": "servers",
        "amount": "1234.50",
        "cost": "1000.00",
    }
    row.update(overrides)
    return row


def post_rows(client, kind, rows):
    return client.post(tenant_api("acme", f"{kind}/bulk/"), {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_finance_creates_then_updates_sales_by_external_id(acme, api):
    client = api(acme.member("finance"))
    response = post_rows(client, "sales", [sale(), sale(external_id="S-2", amount="-20.00")])
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    # re-sending: a row with a new amount is updated, a row as it was is left alone
    response = post_rows(client, "sales", [sale(amount="99.99"), sale(external_id="S-2", amount="-20.00")])
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    assert Sale.objects.count() == 2
    assert Sale.objects.get(external_id="S-1").amount == Decimal("99.99")
    assert Sale.objects.get(external_id="S-2").amount == Decimal("-20.00")


def test_every_bad_row_is_reported_with_row_field_and_message_and_nothing_is_written(acme, api):
    client = api(acme.member("admin"))
    rows = [
        sale(),  # row 1 is fine
        sale(external_id="S-2", partner_code="NOPE"),  # row 2: unknown partner
        sale(external_id="S-3", date="2026-02-30"),  # row 3: not a calendar day
        sale(external_id="S-4", amount="12.345"),  # row 4: three decimals
        sale(external_id="S-1"),  # row 5: duplicate external id in the batch
        {**sale(external_id="S-6"), "customer": ""},  # row 6: required field missing
        {**sale(external_id="S-7"), "colour": "red"},  # row 7: unknown field
        sale(external_id="S-8", cost="-1"),  # row 8: negative cost
    ]
    response = post_rows(client, "sales", rows)
    assert response.status_code == 400
    body = response.json()
    assert "nothing was written" in body["message"]
    assert [(error["row"], error["field"]) for error in body["errors"]] == [
        (2, "partner"),
        (3, "date"),
        (4, "amount"),
        (5, "external_id"),
        (6, "customer"),
        (7, "colour"),
        (8, "cost"),
    ]
    assert all(error["message"] for error in body["errors"])
    assert Sale.objects.count() == 0


def test_invoice_rules_due_date_positive_amount_and_unique_number(acme, api):
    client = api(acme.member("finance"))
    invoice = {
        "external_id": "I-1",
        "partner": "ACME-OWN",
        "number": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "amount": "100.00",
    }
    assert post_rows(client, "invoices", [invoice]).status_code == 200
    response = post_rows(
        client,
        "invoices",
        [
            {**invoice, "external_id": "I-2"},  # number taken by I-1
            {**invoice, "external_id": "I-3", "number": "INV-3", "due_date": "2025-12-31"},
            {**invoice, "external_id": "I-4", "number": "INV-4", "amount": "0"},
        ],
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (1, "number"),
        (2, "due_date"),
        (3, "amount"),
    ]
    assert Invoice.objects.count() == 1


def test_a_payment_may_name_only_an_existing_invoice_of_the_same_partner(acme, api):
    client = api(acme.member("finance"))
    post_rows(
        client,
        "invoices",
        [
            {
                "external_id": "I-1",
                "partner": "ACME-OTHER",
                "number": "OTHER-1",
                "issue_date": "2026-01-01",
                "due_date": "2026-01-31",
                "amount": "100.00",
            }
        ],
    )
    response = post_rows(
        client,
        "payments",
        [
            {"external_id": "P-1", "partner": "ACME-OWN", "date": "2026-02-01", "amount": "10", "invoice": "OTHER-1"},
            {"external_id": "P-2", "partner": "ACME-OWN", "date": "2026-02-01", "amount": "10", "invoice": "NONE"},
        ],
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "invoice"), (2, "invoice")]
    assert Payment.objects.count() == 0
    ok = post_rows(
        client,
        "payments",
        [{"external_id": "P-3", "partner": "ACME-OTHER", "date": "2026-02-01", "amount": 10.5, "invoice": "OTHER-1"}],
    )
    assert ok.status_code == 200
    assert Payment.objects.get().invoice.number == "OTHER-1"


def test_write_offs_need_a_positive_amount(acme, api):
    client = api(acme.member("finance"))
    response = post_rows(
        client, "writeoffs", [{"external_id": "W-1", "partner": "ACME-OWN", "date": "2026-01-01", "amount": "-5"}]
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "amount"
    assert WriteOff.objects.count() == 0


def test_the_rows_must_be_a_list_within_the_limit(acme, api, settings):
    client = api(acme.member("finance"))
    response = client.post(tenant_api("acme", "sales/bulk/"), {"rows": "nope"}, format="json")
    assert response.status_code == 400
    settings.FACTS_MAX_API_ROWS = 2
    response = post_rows(client, "sales", [sale(external_id=f"S-{n}") for n in range(3)])
    assert response.status_code == 400
    assert "At most 2 rows" in response.json()["errors"][0]["message"]
    assert Sale.objects.count() == 0


@pytest.mark.parametrize("role", ["channel_manager", "risk", "viewer", "partner_admin", "partner_user"])
def test_only_admin_and_finance_write_facts(acme, api, role):
    response = post_rows(api(acme.member(role)), "sales", [sale()])
    assert response.status_code == 403
    assert Sale.objects.count() == 0


def test_errors_come_in_the_users_language(acme, api):
    client = api(acme.member("finance"))
    english = client.post(
        tenant_api("acme", "sales/bulk/"),
        {"rows": [sale(partner_code="NOPE")]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    chinese = client.post(
        tenant_api("acme", "sales/bulk/"),
        {"rows": [sale(partner_code="NOPE")]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert english.json()["errors"][0]["message"] == "No partner with code “NOPE”."
    assert english.json()["errors"][0]["message"] != chinese.json()["errors"][0]["message"]


def test_a_partner_user_lists_only_its_own_sales(acme, api):
    post_rows(api(acme.member("finance")), "sales", [sale(), sale(external_id="S-2", partner_code="ACME-OTHER")])
    response = api(acme.member("partner_user")).get(tenant_api("acme", "sales/"))
    assert [row["external_id"] for row in response.json()["results"]] == ["S-1"]
    other = Sale.objects.get(external_id="S-2")
    assert api(acme.member("partner_user")).get(tenant_api("acme", f"sales/{other.pk}/")).status_code == 404


def test_receivables_endpoint_lists_aging_per_partner(acme, api):
    finance = api(acme.member("finance"))
    post_rows(
        finance,
        "invoices",
        [
            {
                "external_id": "I-1",
                "partner": "ACME-OWN",
                "number": "R-1",
                "issue_date": "2026-01-01",
                "due_date": "2026-01-31",
                "amount": "500.00",
            }
        ],
    )
    response = finance.get(tenant_api("acme", "receivables/?date=2026-03-15"))
    rows = {row["partner"]: row for row in response.json()["results"]}
    assert rows["ACME-OWN"]["outstanding"] == "500.00"
    assert rows["ACME-OWN"]["aging"]["days_31_60"] == "500.00"
    assert rows["ACME-OTHER"]["outstanding"] == "0.00"
    assert finance.get(tenant_api("acme", "receivables/?date=31/03")).status_code == 400
    mine = api(acme.member("partner_user")).get(tenant_api("acme", "receivables/?date=2026-03-15")).json()
    assert [row["partner"] for row in mine["results"]] == ["ACME-OWN"]
