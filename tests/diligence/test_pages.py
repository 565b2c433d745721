"""The due diligence pages: a partner's checklist, the pipeline, the checklist settings; vendor members only."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diligence.models import ChecklistItem, PartnerCheck
from partners import services as partner_services
from tenancy.models import Tenant

from .helpers import DAY, VALID_TAX_ID, in_pilot, item, prospect, state, tick, today


def checklist_page(partner) -> str:
    return f"/t/acme/partners/{partner.pk}/diligence/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_vendor_member_sees_a_partners_checklist_and_what_its_next_step_misses(acme, page_client, language):
    partner = prospect()
    tick(partner, "references", actor=acme.member("channel_manager").user, note="两家客户评价良好")

    response = page_client(acme.member("viewer"), language).get(checklist_page(partner))

    assert response.status_code == 200
    page = response.content.decode()
    for code in ("tax_id", "references", "contract", "credit_limit", "site_visit"):
        assert item(code).name in page
    assert "两家客户评价良好" in page
    assert acme.member("channel_manager").user.email in page
    steps = response.context["next_steps"]
    assert [(step.status, [missing.code for missing in step.missing]) for step in steps] == [("onboarding", ["tax_id"])]
    assert 'name="item"' not in page  # a viewer reads, and gets no forms


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_side_members_get_no_checklist_page_and_no_summary(acme, page_client, role):
    client = page_client(acme.member(role))

    assert client.get(checklist_page(acme.own)).status_code == 403
    assert client.get(checklist_page(acme.other)).status_code == 404
    detail = client.get(f"/t/acme/partners/{acme.own.pk}/")
    assert detail.status_code == 200
    assert "diligence-summary" not in detail.content.decode()
    assert "/diligence/" not in detail.content.decode()


def test_the_partner_page_shows_vendors_the_next_step(acme, page_client):
    partner = prospect()

    page = page_client(acme.member("channel_manager")).get(f"/t/acme/partners/{partner.pk}/").content.decode()

    assert "diligence-summary" in page
    assert item("tax_id").name in page


def test_a_channel_manager_ticks_on_the_page_and_the_tick_is_recorded(acme, page_client):
    partner = prospect()
    client = page_client(acme.member("channel_manager"))

    response = client.post(
        f"/t/acme/partners/{partner.pk}/diligence/tick/", {"item": item("references").pk, "note": "口碑良好"}
    )

    assert response.status_code == 302
    check = PartnerCheck.objects.get(partner=partner, item=item("references"))
    assert (check.is_ticked, check.note, check.changed_by) == (True, "口碑良好", acme.member("channel_manager").user)
    assert "口碑良好" in client.get(checklist_page(partner)).content.decode()


def test_an_untick_on_the_page_without_a_reason_says_so_and_nothing_changes(acme, page_client):
    partner = prospect()
    tick(partner, "references")
    before = state(partner)
    client = page_client(acme.member("channel_manager"))

    response = client.post(f"/t/acme/partners/{partner.pk}/diligence/untick/", {"item": item("references").pk})

    assert response.status_code == 302
    assert state(partner) == before
    shown = list(get_messages(response.wsgi_request))
    assert [message.level_tag for message in shown] == ["error"]


def test_a_viewer_cannot_tick_on_the_page(acme, page_client):
    partner = prospect()
    before = state(partner)

    response = page_client(acme.member("viewer")).post(
        f"/t/acme/partners/{partner.pk}/diligence/tick/", {"item": item("references").pk}
    )

    assert response.status_code == 403
    assert state(partner) == before


def test_a_pilot_that_ended_undecided_says_so_on_its_checklist(acme, page_client):
    partner = in_pilot(prospect())
    partner_services.partner_update(partner=partner, actor=None, pilot_ends_on=today() - 3 * DAY)

    page = page_client(acme.member("viewer"), "en").get(checklist_page(partner)).content.decode()

    assert "nobody has decided yet" in page


def test_the_status_page_lists_what_each_step_forward_misses(acme, page_client):
    partner = prospect()

    response = page_client(acme.member("channel_manager")).get(
        f"/t/acme/partners/{partner.pk}/status/?status=onboarding"
    )

    assert response.status_code == 200
    assert response.context["form"].initial["status"] == "onboarding"
    assert item("tax_id").name in response.content.decode()


# --- the pipeline -------------------------------------------------------------------------------


def test_the_pipeline_shows_partners_on_their_way_in_with_their_progress(acme, page_client):
    # given: a prospect with a valid tax id and references ticked, a pilot, and the world's active partners
    ready = prospect("P-READY", tax_id=VALID_TAX_ID)
    tick(ready, "references")
    pilot = in_pilot(prospect("P-PILOT"))
    # when
    response = page_client(acme.member("viewer")).get("/t/acme/diligence/")
    # then
    assert response.status_code == 200
    rows = {row.partner.code: row for row in response.context["rows"]}
    assert set(rows) == {"P-READY", "P-PILOT"}
    assert (rows["P-READY"].met, rows["P-READY"].required) == (2, 4)
    assert rows["P-READY"].next_step.is_ready
    assert (rows["P-PILOT"].met, rows["P-PILOT"].next_step.status) == (3, "active")
    assert [missing.code for missing in rows["P-PILOT"].next_step.missing] == ["credit_limit"]
    assert pilot.code in response.content.decode()


def test_the_pipeline_filters_pilots_that_ended_undecided(acme, page_client):
    ended = in_pilot(prospect("P-ENDED"))
    partner_services.partner_update(partner=ended, actor=None, pilot_ends_on=today() - DAY)
    in_pilot(prospect("P-RUNNING"))
    client = page_client(acme.member("viewer"))

    ended_rows = client.get("/t/acme/diligence/", {"pilot": "ended"}).context["rows"]
    running_rows = client.get("/t/acme/diligence/", {"pilot": "running", "q": "p-run"}).context["rows"]

    assert [row.partner.code for row in ended_rows] == ["P-ENDED"]
    assert [row.partner.code for row in running_rows] == ["P-RUNNING"]


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pipeline_takes_as_many_queries_for_three_partners_as_for_a_full_page(acme, page_client):
    client = page_client(acme.member("viewer"))
    for index in range(3):
        tick(prospect(f"Q-{index:03d}"), "references")
    few = _page_queries(client, "/t/acme/diligence/")
    for index in range(3, 40):
        tick(prospect(f"Q-{index:03d}", tax_id=VALID_TAX_ID if index % 2 else ""), "references")
    assert _page_queries(client, "/t/acme/diligence/") == few


# --- the checklist settings ---------------------------------------------------------------------


def test_every_vendor_member_reads_the_checklist_settings_and_only_administrators_get_the_pilot_setting(
    acme, page_client
):
    viewer = page_client(acme.member("viewer")).get("/t/acme/diligence/checklist/")
    assert viewer.status_code == 200
    assert item("site_visit").name in viewer.content.decode()
    assert "pilot_form" not in viewer.context
    admin = page_client(acme.member("admin")).get("/t/acme/diligence/checklist/")
    assert "pilot_form" in admin.context
    assert page_client(acme.member("partner_admin")).get("/t/acme/diligence/checklist/").status_code == 403


def test_an_administrator_lets_partners_skip_the_pilot_and_a_channel_manager_may_not(acme, page_client):
    refused = page_client(acme.member("channel_manager")).post(
        "/t/acme/diligence/settings/", {"partners_may_skip_pilot": "on"}
    )
    assert refused.status_code == 403
    assert not Tenant.objects.get(pk=acme.tenant.pk).partners_may_skip_pilot

    saved = page_client(acme.member("admin")).post("/t/acme/diligence/settings/", {"partners_may_skip_pilot": "on"})

    assert saved.status_code == 302
    assert Tenant.objects.get(pk=acme.tenant.pk).partners_may_skip_pilot


def test_a_channel_manager_adds_and_edits_an_item_on_the_pages(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    form = {"code": "bank", "name": "对公账户核验", "description": "", "gate": "pilot", "is_required": "on",
            "automatic_check": "", "position": "25", "is_active": "on"}  # fmt: skip

    created = client.post("/t/acme/diligence/checklist/new/", form)
    assert created.status_code == 302, created.content.decode()[:3000]
    bank = ChecklistItem.objects.get(code="bank")
    edited = client.post(f"/t/acme/diligence/checklist/{bank.pk}/edit/", {**form, "code": "other", "name": "对公账户"})

    assert edited.status_code == 302
    bank.refresh_from_db()
    assert (bank.code, bank.name, bank.gate, bank.is_required) == ("bank", "对公账户", "pilot", True)
