"""Due diligence over the API: ``partners/{id}/checklist/`` (GET, ``tick/``, ``untick/``) and ``checklist-items/``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diligence import services as diligence_services
from diligence.models import ChecklistItem, PartnerCheck
from tests.conftest import tenant_api

from .helpers import VALID_TAX_ID, prospect, state, tick


def checklist_url(partner, path: str = "") -> str:
    return tenant_api("acme", f"partners/{partner.pk}/checklist/{path}")


def test_a_vendor_member_reads_a_partners_checklist_with_its_next_step(acme, api):
    partner = prospect(tax_id=VALID_TAX_ID)
    tick(partner, "references", actor=acme.member("channel_manager").user, note="已核实")

    response = api(acme.member("viewer")).get(checklist_url(partner))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["partner"], body["status"]) == (partner.code, "prospect")
    items = {entry["item"]: entry for entry in body["items"]}
    assert list(items) == ["tax_id", "references", "contract", "credit_limit", "site_visit"]
    assert items["tax_id"]["is_met"] and not items["tax_id"]["is_ticked"]  # met by the data
    assert (
        items["references"]["is_ticked"]
        and items["references"]["changed_by"] == acme.member("channel_manager").user.email
    )
    assert [event["action"] for event in items["references"]["history"]] == ["ticked"]
    assert not items["contract"]["is_met"]
    assert body["next_steps"] == [{"status": "onboarding", "label": body["next_steps"][0]["label"], "is_ready": True,
                                   "missing": []}]  # fmt: skip


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_side_members_never_see_a_checklist(acme, api, role):
    own = api(acme.member(role)).get(checklist_url(acme.own))
    other = api(acme.member(role)).get(checklist_url(acme.other))

    assert own.status_code == 403
    assert other.status_code == 404
    assert "tax_id" not in own.content.decode() + other.content.decode()


def test_a_channel_manager_ticks_and_unticks_over_the_api(acme, api):
    partner = prospect()
    client = api(acme.member("channel_manager"))

    ticked = client.post(checklist_url(partner, "tick/"), {"item": "references", "note": "口碑良好"}, format="json")
    assert ticked.status_code == 200, ticked.content
    unticked = client.post(checklist_url(partner, "untick/"), {"item": "references", "reason": "需复核"}, format="json")
    assert unticked.status_code == 200, unticked.content

    references = next(entry for entry in unticked.json()["items"] if entry["item"] == "references")
    assert not references["is_ticked"] and references["note"] == "需复核"
    assert [(e["action"], e["note"]) for e in references["history"]] == [("unticked", "需复核"), ("ticked", "口碑良好")]


def test_an_untick_without_a_reason_is_a_400_and_nothing_changes(acme, api):
    partner = prospect()
    tick(partner, "references")
    before = state(partner)

    response = api(acme.member("admin")).post(checklist_url(partner, "untick/"), {"item": "references"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["reason"]
    assert state(partner) == before


@pytest.mark.parametrize("role", ["viewer", "finance", "risk"])
def test_a_vendor_member_who_may_only_read_cannot_tick(acme, api, role):
    partner = prospect()
    before = state(partner)

    response = api(acme.member(role)).post(checklist_url(partner, "tick/"), {"item": "references"}, format="json")

    assert response.status_code == 403
    assert state(partner) == before


def test_an_unknown_item_code_is_a_field_error(acme, api):
    response = api(acme.member("admin")).post(checklist_url(prospect(), "tick/"), {"item": "astrology"}, format="json")
    assert response.status_code == 400
    assert "astrology" in response.json()["errors"]["item"][0]


def test_evidence_goes_up_as_multipart_and_comes_down_only_to_vendor_members(acme, api, client):
    partner = prospect()
    upload = SimpleUploadedFile("考察报告.pdf", b"%PDF-1.4\n%report\n", content_type="application/pdf")

    response = api(acme.member("channel_manager")).post(
        checklist_url(partner, "tick/"),
        {"item": "site_visit", "note": "仓库整洁", "evidence": upload},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    visit = next(entry for entry in response.json()["items"] if entry["item"] == "site_visit")
    url = visit["evidence_url"]
    assert url and visit["history"][0]["evidence_name"] == "考察报告.pdf"
    client.force_login(acme.member("viewer").user)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%report\n"
    client.force_login(acme.member("partner_admin").user)
    assert client.get(url).status_code == 404  # another partner's evidence: not there at all


def test_a_file_of_a_type_not_accepted_is_a_400_on_the_evidence_and_nothing_changes(acme, api):
    partner = prospect()
    before = state(partner)
    upload = SimpleUploadedFile("visit.exe", b"MZ", content_type="application/octet-stream")

    response = api(acme.member("admin")).post(
        checklist_url(partner, "tick/"), {"item": "site_visit", "evidence": upload}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"]["evidence"]
    assert state(partner) == before


# --- checklist-items/ ---------------------------------------------------------------------------


def items_url(path: str = "") -> str:
    return tenant_api("acme", f"checklist-items/{path}")


def test_a_channel_manager_adds_an_item_and_every_vendor_member_reads_it(acme, api):
    payload = {
        "code": "bank-account",
        "name": "对公账户核验",
        "gate": "pilot",
        "evidence_required": True,
        "position": 25,
    }

    created = api(acme.member("channel_manager")).post(items_url(), payload, format="json")

    assert created.status_code == 201, created.content
    listed = api(acme.member("viewer")).get(items_url(), {"gate": "pilot"}).json()
    assert [entry["code"] for entry in listed["results"]] == ["references", "bank-account", "contract"]


def test_items_are_vendor_only_and_read_only_for_roles_that_do_not_manage_partners(acme, api):
    assert api(acme.member("partner_admin")).get(items_url()).status_code == 403
    before = ChecklistItem.objects.count()
    response = api(acme.member("finance")).post(items_url(), {"code": "x", "name": "x", "gate": "pilot"}, format="json")
    assert response.status_code == 403
    assert ChecklistItem.objects.count() == before


def test_an_items_code_cannot_change_but_its_name_and_step_can(acme, api):
    references = ChecklistItem.objects.get(code="references")
    client = api(acme.member("admin"))

    refused = client.patch(items_url(f"{references.pk}/"), {"code": "refs"}, format="json")
    changed = client.patch(items_url(f"{references.pk}/"), {"name": "背景调查", "gate": "onboarding"}, format="json")

    assert refused.status_code == 400 and refused.json()["errors"]["code"]
    assert changed.status_code == 200, changed.content
    references.refresh_from_db()
    assert (references.code, references.name, references.gate) == ("references", "背景调查", "onboarding")


def test_a_duplicate_code_is_a_400(acme, api):
    before = ChecklistItem.objects.count()
    response = api(acme.member("admin")).post(
        items_url(), {"code": "references", "name": "重复", "gate": "pilot"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["code"]
    assert ChecklistItem.objects.count() == before


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_item_list_takes_as_many_queries_for_ten_items_as_for_forty(acme, api):
    client = api(acme.member("viewer"))
    for index in range(5):
        diligence_services.checklist_item_create(code=f"extra-{index}", name=f"附加 {index}", gate="active")
    few = _queries(client, items_url())
    for index in range(5, 40):
        diligence_services.checklist_item_create(code=f"extra-{index}", name=f"附加 {index}", gate="active")
    assert _queries(client, items_url()) == few


def test_a_checklist_takes_as_many_queries_with_few_ticks_as_with_many(acme, api):
    partner = prospect()
    client = api(acme.member("viewer"))
    tick(partner, "references")
    few = _queries(client, checklist_url(partner))
    for index in range(8):
        item = diligence_services.checklist_item_create(code=f"more-{index}", name=f"更多 {index}", gate="pilot")
        diligence_services.partner_check_tick(partner=partner, item=item, actor=acme.member("admin").user)
    assert PartnerCheck.objects.filter(partner=partner).count() == 9
    assert _queries(client, checklist_url(partner)) == few
