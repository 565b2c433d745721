"""Every way a partner's status changes respects the gate: the API's PATCH and ``status/``, both pages, creation."""

from __future__ import annotations

import pytest

from partners.models import Partner, Tier
from tests.conftest import tenant_api

from .helpers import VALID_TAX_ID, item, prospect, state


def api_patch(api, member, partner, status):
    return api(member).patch(
        tenant_api("acme", f"partners/{partner.pk}/"), {"status": status, "reason": "推进"}, format="json"
    )


def api_status(api, member, partner, status):
    return api(member).post(
        tenant_api("acme", f"partners/{partner.pk}/status/"), {"status": status, "reason": "推进"}, format="json"
    )


def edit_page(page_client, member, partner, status):
    data = {
        "code": partner.code, "name": partner.name, "kind": partner.kind, "status": status, "tier": partner.tier_id,
        "region": partner.region, "industries": "", "tags": "", "credit_limit": "", "pilot_credit_limit": "",
        "pilot_ends_on": "", "payment_terms_days": str(partner.payment_terms_days), "tax_id": partner.tax_id,
        "manager": "", "joined_on": "", "internal_notes": "", "reason": "推进",
    }  # fmt: skip
    return page_client(member).post(f"/t/acme/partners/{partner.pk}/edit/", data)


def status_page(page_client, member, partner, status):
    return page_client(member).post(f"/t/acme/partners/{partner.pk}/status/", {"status": status, "reason": "推进"})


API_PATHS = [api_patch, api_status]
PAGE_PATHS = [edit_page, status_page]


@pytest.mark.parametrize("path", API_PATHS, ids=lambda path: path.__name__)
def test_the_api_refuses_a_step_the_checklist_does_not_allow_with_a_409_listing_the_missing_items(acme, api, path):
    # given: a prospect without a tax id
    partner = prospect()
    before = state(partner)
    # when
    response = path(api, acme.member("channel_manager"), partner, "onboarding")
    # then
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "diligence_incomplete"
    assert body["missing"] == [{"code": "tax_id", "name": item("tax_id").name, "gate": "onboarding"}]
    assert item("tax_id").name in body["message"]
    assert state(partner) == before


@pytest.mark.parametrize("path", API_PATHS, ids=lambda path: path.__name__)
def test_the_api_moves_the_partner_once_the_checklist_allows_it(acme, api, path):
    partner = prospect(tax_id=VALID_TAX_ID)

    response = path(api, acme.member("channel_manager"), partner, "onboarding")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "onboarding"
    assert Partner.objects.get(pk=partner.pk).status == "onboarding"


@pytest.mark.parametrize("path", API_PATHS, ids=lambda path: path.__name__)
def test_the_api_refuses_a_move_the_workflow_does_not_have_with_a_409(acme, api, path):
    partner = prospect(tax_id=VALID_TAX_ID)
    before = state(partner)

    response = path(api, acme.member("admin"), partner, "active")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "status_change_refused"
    assert state(partner) == before


@pytest.mark.parametrize("path", PAGE_PATHS, ids=lambda path: path.__name__)
def test_the_pages_refuse_a_step_the_checklist_does_not_allow_and_say_what_is_missing(acme, page_client, path):
    partner = prospect()
    before = state(partner)

    response = path(page_client, acme.member("channel_manager"), partner, "onboarding")

    assert response.status_code == 200  # the form again, with the refusal on it
    assert item("tax_id").name in response.content.decode()
    assert state(partner) == before


@pytest.mark.parametrize("path", PAGE_PATHS, ids=lambda path: path.__name__)
def test_the_pages_move_the_partner_once_the_checklist_allows_it(acme, page_client, path):
    partner = prospect(tax_id=VALID_TAX_ID)

    response = path(page_client, acme.member("channel_manager"), partner, "onboarding")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Partner.objects.get(pk=partner.pk).status == "onboarding"


def test_the_status_page_refuses_a_suspension_without_a_reason(acme, page_client):
    before = state(acme.own)

    response = page_client(acme.member("admin")).post(
        f"/t/acme/partners/{acme.own.pk}/status/", {"status": "suspended", "reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert state(acme.own) == before


def test_the_api_refuses_a_suspension_without_a_reason_with_a_400_on_the_field(acme, api):
    before = state(acme.own)

    response = api(acme.member("admin")).patch(
        tenant_api("acme", f"partners/{acme.own.pk}/"), {"status": "suspended"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"]["reason"]
    assert state(acme.own) == before


def test_a_channel_manager_cannot_create_a_partner_past_the_prospect_stage_on_the_page(acme, page_client):
    data = {"code": "NEW-9", "name": "跳级伙伴", "kind": "agent", "status": "active",
            "tier": Tier.objects.get(code="ordinary").pk, "payment_terms_days": "30"}  # fmt: skip

    response = page_client(acme.member("channel_manager")).post("/t/acme/partners/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert not Partner.objects.filter(code="NEW-9").exists()


def test_a_status_change_over_the_api_takes_the_pilots_terms(acme, api):
    from .helpers import ready_for_pilot

    partner = ready_for_pilot(prospect())
    body = {"status": "pilot", "reason": "试点", "pilot_credit_limit": "60000", "pilot_ends_on": "2999-01-31"}

    response = api(acme.member("channel_manager")).post(
        tenant_api("acme", f"partners/{partner.pk}/status/"), body, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["pilot_credit_limit"]) == ("pilot", "60000.00")
    assert response.json()["pilot_ends_on"] == "2999-01-31"


def test_a_channel_manager_asking_to_load_history_over_the_api_is_refused_with_a_403(acme, api):
    partner = prospect()
    before = state(partner)

    response = api(acme.member("channel_manager")).post(
        tenant_api("acme", f"partners/{partner.pk}/status/"),
        {"status": "active", "effective_on": "2024-01-01", "loading_history": True},
        format="json",
    )

    assert response.status_code == 403, response.content
    assert state(partner) == before
