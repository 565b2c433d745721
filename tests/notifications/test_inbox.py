"""The in-app inbox (SPEC §4.11): each member's own notifications, an unread count, marked read one or all."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from notifications.services import notify
from tests.conftest import tenant_api

STATEMENT = "/t/acme/settlements/statements/7/"


def tell(*members, subject="对账单已生成", url=STATEMENT, event="statement_ready"):
    notify(event=event, recipients=list(members), subject=subject, body="请查看", url=url)


def read_states(membership) -> list:
    return list(Notification.objects.filter(recipient=membership).order_by("pk").values_list("pk", "read_at"))


# --- API -------------------------------------------------------------------------------------------


def test_the_list_shows_a_member_only_their_own_notifications_with_the_unread_count(acme, api):
    partner_admin, finance = acme.member("partner_admin"), acme.member("finance")
    tell(partner_admin, subject="one")
    tell(partner_admin, subject="two")
    tell(finance, subject="finance's own")

    body = api(partner_admin).get(tenant_api("acme", "notifications/")).json()

    assert [row["subject"] for row in body["results"]] == ["two", "one"]  # newest first
    assert body["count"] == 2 and body["unread"] == 2
    assert body["results"][0]["event"] == "statement_ready" and body["results"][0]["read"] is False
    assert body["results"][0]["event_label"] not in ("", "statement_ready")  # a label, never the code


def test_the_unread_filter_and_the_count_after_one_is_read(acme, api):
    member = acme.member("viewer")
    tell(member, subject="one")
    tell(member, subject="two")
    first = Notification.objects.filter(subject="one").get()
    client = api(member)

    answer = client.post(tenant_api("acme", f"notifications/{first.pk}/read/"))

    assert answer.status_code == 200 and answer.json()["read"] is True and answer.json()["read_at"]
    body = client.get(tenant_api("acme", "notifications/?unread=true")).json()
    assert [row["subject"] for row in body["results"]] == ["two"] and body["unread"] == 1


def test_reading_again_keeps_the_first_time_it_was_read(acme, api):
    member = acme.member("viewer")
    tell(member)
    notification = Notification.objects.get()
    client = api(member)
    client.post(tenant_api("acme", f"notifications/{notification.pk}/read/"))
    first = Notification.objects.get().read_at

    client.post(tenant_api("acme", f"notifications/{notification.pk}/read/"))

    assert Notification.objects.get().read_at == first


def test_another_members_notification_is_a_404_and_stays_unread(acme, api):
    tell(acme.member("finance"))
    theirs = Notification.objects.get()
    before = read_states(acme.member("finance"))

    for path in (f"notifications/{theirs.pk}/", f"notifications/{theirs.pk}/read/"):
        call = api(acme.member("admin")).post if path.endswith("read/") else api(acme.member("admin")).get
        answer = call(tenant_api("acme", path))
        assert answer.status_code == 404, path
        assert "对账单" not in answer.content.decode()

    assert read_states(acme.member("finance")) == before


def test_another_tenants_notification_is_a_404(world, api):
    from tenancy.context import tenant_scope

    with tenant_scope(world["globex"].tenant):
        tell(world["globex"].member("admin"), subject="globex secret")
        theirs = Notification.objects.get()
    with tenant_scope(world["acme"].tenant):
        answer = api(world["acme"].member("admin")).post(tenant_api("acme", f"notifications/{theirs.pk}/read/"))
    assert answer.status_code == 404
    with tenant_scope(world["globex"].tenant):
        assert Notification.objects.get().read_at is None


def test_read_all_marks_only_the_members_own(acme, api):
    viewer, finance = acme.member("viewer"), acme.member("finance")
    tell(viewer)
    tell(viewer)
    tell(finance)

    answer = api(viewer).post(tenant_api("acme", "notifications/read-all/"))

    assert answer.status_code == 200 and answer.json() == {"marked": 2, "unread": 0}
    assert all(read_at for _pk, read_at in read_states(viewer))
    assert all(read_at is None for _pk, read_at in read_states(finance))


def test_a_partner_user_has_an_inbox_of_their_own(acme, api):
    partner_user = acme.member("partner_user")
    tell(partner_user, event="announcement", subject="新政策")

    body = api(partner_user).get(tenant_api("acme", "notifications/")).json()

    assert [row["subject"] for row in body["results"]] == ["新政策"]


def _queries_of_the_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(tenant_api("acme", "notifications/"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_takes_the_same_queries_for_3_and_30_notifications(acme, api):
    member = acme.member("finance")
    client = api(member)
    for _ in range(3):
        tell(member)
    small = _queries_of_the_list(client)
    for _ in range(27):
        tell(member)
    assert _queries_of_the_list(client) == small


# --- pages -----------------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_next_to_the_members_name(acme, page_client):
    member = acme.member("finance")
    tell(member)
    tell(member)

    page = page_client(member).get("/t/acme/").content.decode()

    assert 'class="badge inbox-count">2<' in page
    assert page.index(member.user.email) < page.index("inbox-count")


def test_the_header_shows_no_count_when_nothing_is_unread(acme, page_client):
    page = page_client(acme.member("finance")).get("/t/acme/").content.decode()
    assert "inbox-count" not in page and "/t/acme/notifications/" in page


def test_the_inbox_page_lists_the_members_own_notifications_and_links_to_them(acme, page_client):
    member, other = acme.member("partner_admin"), acme.member("finance")
    tell(member, subject="您的对账单已生成")
    tell(other, subject="finance only")

    response = page_client(member).get("/t/acme/notifications/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "您的对账单已生成" in page and "finance only" not in page
    assert list(response.context["object_list"]) == list(Notification.objects.filter(recipient=member))


def test_opening_a_notification_marks_it_read_and_goes_to_the_thing(acme, page_client):
    member = acme.member("partner_admin")
    tell(member)
    notification = Notification.objects.get()

    response = page_client(member).post(f"/t/acme/notifications/{notification.pk}/read/", {"open": "1"})

    assert response.status_code == 302 and response["Location"] == STATEMENT
    assert Notification.objects.get().read_at is not None


def test_marking_read_on_the_page_goes_back_to_the_inbox(acme, page_client):
    member = acme.member("viewer")
    tell(member)
    notification = Notification.objects.get()

    response = page_client(member).post(f"/t/acme/notifications/{notification.pk}/read/")

    assert response.status_code == 302 and response["Location"] == "/t/acme/notifications/"
    assert Notification.objects.get().read_at is not None


def test_another_members_notification_cannot_be_marked_read_on_the_page(acme, page_client):
    tell(acme.member("finance"))
    theirs = Notification.objects.get()

    response = page_client(acme.member("viewer")).post(f"/t/acme/notifications/{theirs.pk}/read/", {"open": "1"})

    assert response.status_code == 404 and Notification.objects.get().read_at is None


def test_mark_all_read_on_the_page(acme, page_client):
    member = acme.member("viewer")
    tell(member)
    tell(member)

    response = page_client(member).post("/t/acme/notifications/read-all/", follow=True)

    assert response.status_code == 200
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert 'class="badge inbox-count"' not in response.content.decode()


def test_the_unread_tab_shows_only_unread_ones(acme, page_client):
    member = acme.member("viewer")
    tell(member, subject="old news")
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    tell(member, subject="fresh news")

    page = page_client(member).get("/t/acme/notifications/?unread=true").content.decode()

    assert "fresh news" in page and "old news" not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_inbox_page_is_paginated_and_takes_the_same_queries_for_3_and_60(acme, page_client, language):
    member = acme.member("finance")
    client = page_client(member, language)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/t/acme/notifications/")
        assert response.status_code == 200
        return len(captured), len(response.context["object_list"])

    for _ in range(3):
        tell(member)
    small, shown = queries()
    for _ in range(57):
        tell(member)
    large, shown_large = queries()
    assert (shown, shown_large) == (3, 25)
    assert large == small
