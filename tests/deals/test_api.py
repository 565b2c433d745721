"""``deals/`` (SPEC §6): POST answers with the conflicts, each side sees what it may, bad input is a 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Deal, DealStatus
from tests.conftest import tenant_api
from tests.test_authorization_matrix import PARTNER_SIDE_SECRETS

from .helpers import TAX_ID, approved, other_partner_admin, register

BODY = {"customer": "Api Customer Co., Ltd.", "value": "250000.00", "expected_close": "2026-11-30", "products": ["X1"]}


def test_a_partner_registers_and_the_answer_lists_conflicts_as_the_day_only(acme, api):
    first = register(acme.member("channel_manager"), "Api Customer", partner=acme.other, tax_id=TAX_ID).deal
    response = api(acme.member("partner_user")).post(tenant_api("acme", "deals/"), BODY, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["partner"], data["status"], data["value"], data["products"]) == (
        acme.own.code, "submitted", "250000.00", ["X1"],
    )  # fmt: skip
    assert data["conflicts"] == [{"registered_on": first.created_at.astimezone(acme.tenant.zone).date().isoformat()}]
    text = response.content.decode()
    assert not [secret for secret in (*PARTNER_SIDE_SECRETS, TAX_ID, 'Api Customer"') if secret in text]


def test_the_vendor_sees_the_conflicts_in_full(acme, api):
    mine = register(acme.member("partner_admin"), "Full View Customer").deal
    theirs = register(other_partner_admin(acme), "FULL VIEW CUSTOMER Inc.").deal
    data = api(acme.member("viewer")).get(tenant_api("acme", f"deals/{mine.pk}/")).json()
    assert [(c["deal"], c["partner"], c["customer"], c["matched_by"]) for c in data["conflicts"]] == [
        (theirs.pk, acme.other.code, "FULL VIEW CUSTOMER Inc.", ["name"])
    ]
    assert [step["action"] for step in data["transitions"]] == ["registered"]


def test_a_vendor_member_registers_on_a_partners_behalf_and_must_name_it(acme, api):
    client = api(acme.member("channel_manager"))
    response = client.post(tenant_api("acme", "deals/"), BODY, format="json")
    assert response.status_code == 400 and "partner" in response.json()["errors"]
    response = client.post(tenant_api("acme", "deals/"), {**BODY, "partner": acme.other.code}, format="json")
    assert response.status_code == 201 and response.json()["partner"] == acme.other.code


def test_a_partner_cannot_name_another_partner(acme, api):
    count = Deal.objects.count()
    response = api(acme.member("partner_admin")).post(
        tenant_api("acme", "deals/"), {**BODY, "partner": acme.other.code}, format="json"
    )
    assert response.status_code == 400
    assert acme.other.name not in response.content.decode()
    assert Deal.objects.count() == count


def test_partners_list_only_their_own_deals_and_never_another_partners_name(acme, api):
    register(acme.member("partner_admin"), "Listed Customer")
    register(other_partner_admin(acme), "Listed Customer Ltd")
    response = api(acme.member("partner_user")).get(tenant_api("acme", "deals/"))
    assert response.status_code == 200
    assert {row["partner"] for row in response.json()["results"]} == {acme.own.code}
    assert response.json()["results"][0]["conflicts"] and "partner" not in response.json()["results"][0]["conflicts"][0]
    assert not [secret for secret in PARTNER_SIDE_SECRETS if secret in response.content.decode()]


def test_another_partners_or_tenants_deal_is_a_404(acme, world, api):
    theirs = register(other_partner_admin(acme), "Hidden Customer").deal
    client = api(acme.member("partner_admin"))
    assert client.get(tenant_api("acme", f"deals/{theirs.pk}/")).status_code == 404
    assert client.post(tenant_api("acme", f"deals/{theirs.pk}/won/"), {"amount": "1"}, format="json").status_code == 404
    assert api(world["globex"].member("admin")).get(tenant_api("globex", f"deals/{theirs.pk}/")).status_code == 404


def test_decisions_and_outcomes_through_the_api(acme, api):
    deal = register(acme.member("partner_admin"), "Flow Customer").deal
    vendor, partner = api(acme.member("channel_manager")), api(acme.member("partner_admin"))
    assert partner.post(tenant_api("acme", f"deals/{deal.pk}/approve/"), {}, format="json").status_code == 403
    response = vendor.post(tenant_api("acme", f"deals/{deal.pk}/approve/"), {}, format="json")
    assert response.status_code == 200 and response.json()["days_left"] == 90
    response = partner.post(tenant_api("acme", f"deals/{deal.pk}/won/"), {"amount": "99.90"}, format="json")
    assert (response.status_code, response.json()["won_amount"]) == (200, "99.90")
    response = vendor.post(tenant_api("acme", f"deals/{deal.pk}/reject/"), {"reason": "late"}, format="json")
    assert response.status_code == 409 and response.json()["message"]


def test_reject_and_lost_need_a_reason(acme, api):
    deal = register(acme.member("partner_admin"), "Reason Customer").deal
    response = api(acme.member("admin")).post(tenant_api("acme", f"deals/{deal.pk}/reject/"), {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.SUBMITTED
    won = approved(acme, "Lost Reason Customer")
    response = api(acme.member("partner_admin")).post(tenant_api("acme", f"deals/{won.pk}/lost/"), {"reason": " "})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": "nul\x00byte"}, "customer"),
        ({"customer": ""}, "customer"),
        ({"value": "1e999999999"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": "99999999999999999"}, "value"),
        ({"expected_close": "2026-02-30"}, "expected_close"),
        ({"expected_close": "10000-01-01"}, "expected_close"),
        ({"customer_tax_id": "91310000MA1FL1234Y"}, "customer_tax_id"),
        ({"products": "not a list"}, "products"),
        ({"products": ["x"] * 21}, "products"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(acme, api, changes, field):
    count = Deal.objects.count()
    response = api(acme.member("partner_admin")).post(tenant_api("acme", "deals/"), {**BODY, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Deal.objects.count() == count


def test_won_needs_a_positive_amount(acme, api):
    deal = approved(acme, "Amount Customer")
    client = api(acme.member("partner_admin"))
    for amount in ("0", "-1", "abc", "1e999999999"):
        response = client.post(tenant_api("acme", f"deals/{deal.pk}/won/"), {"amount": amount}, format="json")
        assert response.status_code == 400, amount
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED


def test_a_submitted_deal_changes_by_patch_and_is_checked_again(acme, api):
    register(other_partner_admin(acme), "Patch Target")
    deal = register(acme.member("partner_admin"), "Patch Origin").deal
    response = api(acme.member("partner_admin")).patch(
        tenant_api("acme", f"deals/{deal.pk}/"), {"customer": "PATCH TARGET co ltd"}, format="json"
    )
    assert response.status_code == 200 and len(response.json()["conflicts"]) == 1


def test_the_list_takes_as_many_queries_for_5_deals_as_for_40(acme, api):
    client = api(acme.member("viewer"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tenant_api("acme", "deals/")).status_code == 200
        return len(queries)

    manager = acme.member("channel_manager")
    for index in range(5):
        register(manager, f"Count Customer {index}", partner=acme.own if index % 2 else acme.other)
    small = count()
    for index in range(5, 40):
        register(manager, f"Count Customer {index % 7}", partner=acme.own if index % 2 else acme.other)
    assert count() == small
