"""Each member chooses which events reach them by which channel (SPEC §4.11): a grid, and its defaults."""

from __future__ import annotations

from notifications.models import NotificationPreference
from notifications.selectors import preferences_of
from tests.conftest import tenant_api


def grid(membership) -> dict[str, tuple[bool, bool]]:
    return {choice.code: (choice.in_app, choice.email) for choice in preferences_of(membership)}


def test_by_default_everything_is_in_the_app_and_e_mail_is_on_for_the_roles_an_event_is_meant_for(acme):
    finance, partner_admin = grid(acme.member("finance")), grid(acme.member("partner_admin"))

    assert all(in_app for in_app, _email in finance.values())
    assert finance["statement_disputed"] == (True, True) and finance["statement_ready"] == (True, False)
    assert partner_admin["statement_ready"] == (True, True) and partner_admin["statement_disputed"] == (True, False)
    assert "invitation" not in finance and "test" not in finance  # not a member's to choose


def test_the_grid_page_shows_a_checkbox_per_event_and_channel_and_saves_them(acme, page_client):
    member = acme.member("finance")
    client = page_client(member)

    page = client.get("/t/acme/notifications/preferences/").content.decode()
    assert 'name="statement_disputed-email" id="id_statement_disputed-email" checked' in page
    assert 'name="statement_ready-email" id="id_statement_ready-email">' in page

    # only these two boxes stay ticked: every other one is off
    response = client.post(
        "/t/acme/notifications/preferences/", {"statement_ready-in_app": "on", "statement_ready-email": "on"}
    )

    assert response.status_code == 302
    saved = grid(member)
    assert saved["statement_ready"] == (True, True)
    assert saved["statement_disputed"] == (False, False) and saved["announcement"] == (False, False)


def test_the_api_reads_the_grid_and_a_put_changes_only_what_it_names(acme, api):
    member = acme.member("partner_admin")
    client = api(member)

    answer = client.get(tenant_api("acme", "notifications/preferences/"), HTTP_ACCEPT_LANGUAGE="en").json()
    rows = {row["event"]: row for row in answer}
    assert rows["statement_ready"] == {
        "event": "statement_ready",
        "label": "Statement ready",
        "in_app": True,
        "email": True,
    }

    answer = client.put(
        tenant_api("acme", "notifications/preferences/"),
        [{"event": "statement_ready", "email": False}, {"event": "announcement", "in_app": False}],
        format="json",
    )

    assert answer.status_code == 200
    assert grid(member)["statement_ready"] == (True, False)
    assert grid(member)["announcement"] == (False, True)
    assert grid(member)["statement_approved"] == (True, True)  # not named: as it was


def test_an_unknown_event_is_a_400_that_says_which_and_nothing_is_saved(acme, api):
    answer = api(acme.member("viewer")).put(
        tenant_api("acme", "notifications/preferences/"),
        [{"event": "statement_ready", "email": True}, {"event": "no-such-event"}],
        format="json",
    )

    assert answer.status_code == 400, answer.json()
    assert answer.json()["errors"]["1"]["event"]  # the second item's event
    assert NotificationPreference.objects.count() == 0


def test_a_members_choices_are_their_own(acme, api):
    api(acme.member("viewer")).put(
        tenant_api("acme", "notifications/preferences/"), [{"event": "announcement", "in_app": False}], format="json"
    )
    assert grid(acme.member("partner_user"))["announcement"] == (True, True)
    assert NotificationPreference.objects.get().membership == acme.member("viewer")
