"""Business reviews: figures kept as they stood, the vendor's copy, action items by side, .ics, overdue, reminders."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.dates import tenant_today
from communication import services
from communication.models import ActionItem, Review
from notifications.models import Notification
from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from risk.models import Alert
from tests.conftest import tenant_api
from tests.facts.helpers import load

DAY = datetime.date(2026, 3, 2)


def schedule(acme, partner=None, period="2026-Q1", **fields):
    return services.review_schedule(
        actor=acme.member("channel_manager").user, partner=partner or acme.own, period=period,
        held_on=fields.pop("held_on", DAY), **fields,
    )  # fmt: skip


def alert_on(partner):
    return Alert.objects.create(
        partner=partner, rule="overdue", severity="warning", raised_on=DAY, evaluated_on=DAY,
        raised_at=datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC), evidence={},
    )  # fmt: skip


def test_a_review_keeps_the_periods_figures_as_they_stood(acme):
    load("sales", {"partner": acme.own.code, "date": "2026-01-15", "amount": "1000.00", "customer": "C1"})
    load("payments", {"partner": acme.own.code, "date": "2026-02-01", "amount": "400.00"})
    alert_on(acme.own)

    review = schedule(acme)
    load("sales", {"partner": acme.own.code, "date": "2026-02-15", "amount": "5000.00", "customer": "C2"})
    review.refresh_from_db()

    assert (review.figures["sales"], review.figures["collections"]) == ("1000.00", "400.00")
    assert set(review.figures["aging"]) == {"current", "days_1_30", "days_31_60", "days_61_90", "days_over_90"}
    assert [alert["rule"] for alert in review.vendor_figures["open_alerts"]] == ["overdue"]


def test_a_partner_never_sees_the_vendors_copy_of_the_figures(acme, api, page_client):
    alert_on(acme.own)
    review = schedule(acme)

    over_api = api(acme.member("partner_admin")).get(tenant_api("acme", f"reviews/{review.pk}/"))
    vendor = api(acme.member("viewer")).get(tenant_api("acme", f"reviews/{review.pk}/"))
    page = page_client(acme.member("partner_user")).get(f"/t/acme/reviews/{review.pk}/").content.decode()

    assert over_api.status_code == 200 and "vendor_figures" not in over_api.json()
    assert "open_alerts" not in over_api.content.decode()
    assert vendor.json()["vendor_figures"]["open_alerts"]
    assert "Open risk alerts" not in page


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_a_partner_never_reads_another_partners_review(acme, api, page_client, role):
    review = schedule(acme, partner=acme.other, attendees="their people")
    client = api(acme.member(role))

    listed = client.get(tenant_api("acme", "reviews/")).json()
    assert listed["count"] == 0
    assert client.get(tenant_api("acme", f"reviews/{review.pk}/")).status_code == 404
    assert client.get(tenant_api("acme", f"reviews/{review.pk}/ics/")).status_code == 404
    assert page_client(acme.member(role)).get(f"/t/acme/reviews/{review.pk}/").status_code == 404


def test_one_review_per_partner_and_period(acme, api):
    schedule(acme)

    response = api(acme.member("channel_manager")).post(
        tenant_api("acme", "reviews/"), {"partner": acme.own.code, "period": "2026-Q1", "held_on": "2026-04-03"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 400
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"partner": "ACME-OWN", "period": "2026-Q5", "held_on": "2026-04-03"},
        {"partner": "ACME-OWN", "period": "2026-Q1", "held_on": "2026-02-30"},
        {"partner": "NOPE", "period": "2026-Q1", "held_on": "2026-04-03"},
        {"partner": "ACME-OWN", "period": "2026-Q1", "held_on": "2026-04-03", "minutes": "a\x00b"},
        {"partner": "ACME-OWN", "period": "99999999999999999999", "held_on": "2026-04-03"},
    ],
)
def test_bad_review_input_is_a_400_never_a_500(acme, api, body):
    response = api(acme.member("channel_manager")).post(tenant_api("acme", "reviews/"), body, format="json")

    assert response.status_code == 400, response.content
    assert not Review.objects.exists()


def test_both_sides_update_their_own_sides_items_only(acme, api):
    review = schedule(acme)
    ours = services.action_item_create(actor=None, review=review, title="Send stock plan", owner_side="partner",
                                       due_on=DAY)  # fmt: skip
    theirs = services.action_item_create(actor=None, review=review, title="Approve MDF", owner_side="vendor",
                                         due_on=DAY)  # fmt: skip
    partner = api(acme.member("partner_user"))

    done = partner.patch(tenant_api("acme", f"action-items/{ours.pk}/"), {"status": "done"}, format="json")
    refused = partner.patch(tenant_api("acme", f"action-items/{theirs.pk}/"), {"status": "done"}, format="json")
    retitled = partner.patch(tenant_api("acme", f"action-items/{ours.pk}/"), {"title": "x"}, format="json")
    vendor = api(acme.member("channel_manager")).patch(
        tenant_api("acme", f"action-items/{theirs.pk}/"), {"status": "done", "note": "approved"}, format="json"
    )

    assert done.status_code == 200 and done.json()["status"] == "done"
    assert refused.status_code == 403
    assert retitled.status_code == 400
    assert vendor.status_code == 200
    assert dict(ActionItem.objects.values_list("title", "status")) == {"Send stock plan": "done", "Approve MDF": "done"}


def test_a_partner_does_not_see_another_partners_items(acme, api):
    review = schedule(acme, partner=acme.other)
    item = services.action_item_create(actor=None, review=review, title="Secret", owner_side="partner", due_on=DAY)
    client = api(acme.member("partner_admin"))

    assert (
        client.patch(tenant_api("acme", f"action-items/{item.pk}/"), {"status": "done"}, format="json").status_code
        == 404
    )
    assert client.get(tenant_api("acme", "action-items/")).json()["count"] == 0


def test_the_owner_must_be_of_the_items_side(acme, api):
    review = schedule(acme)
    client = api(acme.member("channel_manager"))

    wrong = client.post(
        tenant_api("acme", f"reviews/{review.pk}/actions/"),
        {"title": "Plan", "owner_side": "partner", "owner": acme.member("finance").user.email, "due_on": "2026-04-30"},
        format="json",
    )
    right = client.post(
        tenant_api("acme", f"reviews/{review.pk}/actions/"),
        {"title": "Plan", "owner_side": "partner", "owner": acme.member("partner_admin").user.email,
         "due_on": "2026-04-30"},
        format="json",
    )  # fmt: skip

    assert wrong.status_code == 400 and "owner" in wrong.json()["errors"]
    assert right.status_code == 201 and right.json()["owner"] == acme.member("partner_admin").user.email


def test_a_review_exports_as_ics(acme, api):
    review = schedule(acme, held_on=datetime.date(2026, 4, 10), attendees="张三, 李四; Bob")
    services.action_item_create(actor=None, review=review, title="Send plan", owner_side="partner",
                                due_on=datetime.date(2026, 4, 30))  # fmt: skip

    response = api(acme.member("partner_user")).get(tenant_api("acme", f"reviews/{review.pk}/ics/"))

    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20260410" in text and "DTSTART;VALUE=DATE:20260430" in text
    assert "张三\\, 李四\\; Bob" in text.replace("\r\n ", "")


def test_overdue_items_show_on_both_home_pages(acme, page_client):
    today = tenant_today(acme.tenant)
    review = schedule(acme)
    services.action_item_create(actor=None, review=review, title="Overdue stock plan", owner_side="partner",
                                due_on=today - datetime.timedelta(days=2))  # fmt: skip
    services.action_item_create(actor=None, review=review, title="Future thing", owner_side="vendor",
                                due_on=today + datetime.timedelta(days=20))  # fmt: skip

    portal = page_client(acme.member("partner_user")).get("/t/acme/").content.decode()
    dashboard = page_client(acme.member("channel_manager")).get("/t/acme/").content.decode()

    assert "Overdue stock plan" in portal and "Overdue stock plan" in dashboard
    assert "Future thing" not in portal and "Future thing" not in dashboard


def test_another_partners_overdue_items_never_reach_a_portal_home(acme, page_client):
    review = schedule(acme, partner=acme.other)
    services.action_item_create(actor=None, review=review, title="Their overdue thing", owner_side="partner",
                                due_on=datetime.date(2020, 1, 1))  # fmt: skip

    assert "Their overdue thing" not in page_client(acme.member("partner_user")).get("/t/acme/").content.decode()


def test_items_coming_due_are_announced_once_to_their_side(acme):
    review = schedule(acme)
    partner_item = services.action_item_create(actor=None, review=review, title="Plan", owner_side="partner",
                                               due_on=DAY + datetime.timedelta(days=2))  # fmt: skip
    services.action_item_create(actor=None, review=review, title="Later", owner_side="partner",
                                due_on=DAY + datetime.timedelta(days=30))  # fmt: skip

    first = services.action_items_coming_due(DAY)
    second = services.action_items_coming_due(DAY)

    assert (first, second) == ({"reminded": 1}, {"reminded": 0})
    told = Notification.objects.filter(event="action_item_due")
    assert set(told.values_list("recipient__role", flat=True)) == {"partner_admin", "partner_user"}
    partner_item.refresh_from_db()
    assert partner_item.reminded_on == DAY


def _partners_with_items(acme, count: int, start: int) -> None:
    ordinary = Tier.objects.get(code="ordinary")
    for index in range(start, start + count):
        partner = partner_services.partner_create(
            actor=None, code=f"RV-{index:03d}", name=f"Reviewed {index}", kind=PartnerKind.RESELLER, tier=ordinary,
            status=PartnerStatus.ACTIVE,
        )  # fmt: skip
        review = Review.objects.create(partner=partner, period="2026-Q1", starts_on=DAY, ends_on=DAY, held_on=DAY,
                                       figures={}, figures_as_of=DAY)  # fmt: skip
        ActionItem.objects.create(review=review, partner=partner, title="x", owner_side="vendor", due_on=DAY)


def test_the_reminder_step_query_count_does_not_grow_with_partners(acme):
    _partners_with_items(acme, 3, 0)
    with CaptureQueriesContext(connection) as few:
        services.action_items_coming_due(DAY)
    _partners_with_items(acme, 30, 100)
    with CaptureQueriesContext(connection) as many:
        services.action_items_coming_due(DAY)

    assert len(many) == len(few)


def test_the_nightly_run_includes_the_reminder_step(acme):
    from scoring.jobs import nightly_run

    run = nightly_run(tenant=acme.tenant, day=DAY, triggered_by="command")

    assert run.summary["action_items"] == {"reminded": 0}
