"""Feedback tickets: open → answered → closed, reopened by the partner, the SLA, ratings, attachments, walls."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communication import selectors, services
from communication.models import Ticket, TicketMessage, TicketStatusChange
from notifications.models import Notification
from tests.conftest import tenant_api


def open_ticket(acme, role="partner_user", **fields):
    fields.setdefault("category", "pricing")
    fields.setdefault("subject", "Price of model X")
    fields.setdefault("body", "Why did it change?")
    return services.ticket_open(actor=acme.member(role), **fields)


def pdf(name="proof.pdf", size=None):
    content = b"%PDF-1.4\n%test\n" if size is None else b"%PDF" + b"0" * (size - 4)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_ticket_goes_open_answered_closed_and_a_partner_message_reopens_it(acme):
    ticket = open_ticket(acme)
    assert ticket.status == "open"

    services.ticket_message_add(actor=acme.member("channel_manager"), ticket=ticket, body="It follows the new list.")
    ticket.refresh_from_db()
    assert ticket.status == "answered" and ticket.first_answered_at is not None
    first_answer = ticket.first_answered_at

    services.ticket_close(actor=acme.member("partner_user"), ticket=ticket, rating=4)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == ("closed", 4)

    services.ticket_message_add(actor=acme.member("partner_admin"), ticket=ticket, body="One more question")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.closed_at is None
    services.ticket_message_add(actor=acme.member("admin"), ticket=ticket, body="Answered again")
    ticket.refresh_from_db()
    assert ticket.first_answered_at == first_answer  # the SLA measures the first answer only
    moves = list(TicketStatusChange.objects.filter(ticket=ticket).values_list("from_status", "to_status"))
    assert moves == [("", "open"), ("open", "answered"), ("answered", "closed"), ("closed", "open"),
                     ("open", "answered")]  # fmt: skip


def test_the_answer_is_due_within_the_tenants_sla_and_late_answers_are_listed(acme):
    services.settings_update(tenant=acme.tenant, ticket_sla_hours=4)
    inside = open_ticket(acme, subject="Inside")
    outside = open_ticket(acme, subject="Outside")
    waiting = open_ticket(acme, subject="Waiting")
    assert inside.answer_due_at - inside.opened_at == datetime.timedelta(hours=4)
    # given: answered after 3 hours, after 5 hours, and not yet after 6 hours
    opened = timezone.now() - datetime.timedelta(hours=6)
    for ticket in (inside, outside, waiting):
        Ticket.objects.filter(pk=ticket.pk).update(opened_at=opened, answer_due_at=opened + datetime.timedelta(hours=4))
    Ticket.objects.filter(pk=inside.pk).update(first_answered_at=opened + datetime.timedelta(hours=3))
    Ticket.objects.filter(pk=outside.pk).update(first_answered_at=opened + datetime.timedelta(hours=5))

    breached = set(selectors.breached(Ticket.objects.all()).values_list("subject", flat=True))

    assert breached == {"Outside", "Waiting"}


def test_the_breached_filter_and_the_hours_to_first_answer_over_the_api(acme, api):
    ticket = open_ticket(acme)
    Ticket.objects.filter(pk=ticket.pk).update(first_answered_at=ticket.opened_at + datetime.timedelta(hours=30))

    listed = api(acme.member("viewer")).get(tenant_api("acme", "tickets/?breached=yes")).json()

    assert [row["id"] for row in listed["results"]] == [ticket.pk]
    assert listed["results"][0]["hours_to_first_answer"] == "30.00" and listed["results"][0]["is_sla_breached"]


def test_the_vendor_hears_of_a_new_ticket_and_the_partner_of_the_answer(acme):
    ticket = open_ticket(acme)
    assert set(Notification.objects.filter(event="ticket_opened").values_list("recipient__role", flat=True)) == {
        "admin"
    }

    services.ticket_message_add(actor=acme.member("channel_manager"), ticket=ticket, body="Answer")

    told = set(Notification.objects.filter(event="ticket_answered").values_list("recipient__role", flat=True))
    assert told == {"partner_admin", "partner_user"}


@pytest.mark.parametrize("rating", [0, 6, "five", True])
def test_a_rating_outside_1_to_5_is_a_400_and_the_ticket_stays_open(acme, api, rating):
    ticket = open_ticket(acme)

    response = api(acme.member("partner_user")).post(
        tenant_api("acme", f"tickets/{ticket.pk}/close/"), {"rating": rating}, format="json"
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == ("open", None)


def test_only_the_partner_rates(acme, api):
    ticket = open_ticket(acme)

    response = api(acme.member("channel_manager")).post(
        tenant_api("acme", f"tickets/{ticket.pk}/close/"), {"rating": 5}, format="json"
    )

    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_a_vendor_member_cannot_open_a_ticket_and_a_viewer_cannot_answer(acme, api):
    ticket = open_ticket(acme)

    opened = api(acme.member("admin")).post(
        tenant_api("acme", "tickets/"), {"category": "other", "subject": "s", "body": "b"}, format="json"
    )
    answered = api(acme.member("viewer")).post(
        tenant_api("acme", f"tickets/{ticket.pk}/messages/"), {"body": "hi"}, format="json"
    )

    assert (opened.status_code, answered.status_code) == (403, 403)
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_a_partner_never_reads_another_partners_ticket_or_its_files(acme, api, page_client, role):
    now = timezone.now()
    theirs = Ticket.objects.create(partner=acme.other, category="conflict", subject="Their secret", opened_at=now,
                                   answer_due_at=now)  # fmt: skip
    message = TicketMessage(ticket=theirs, partner=acme.other, side="partner", body="secret body")
    message.attachment = pdf()
    message.save()
    client = api(acme.member(role))

    assert client.get(tenant_api("acme", "tickets/")).json()["count"] == 0
    assert client.get(tenant_api("acme", f"tickets/{theirs.pk}/")).status_code == 404
    assert client.get(tenant_api("acme", f"tickets/{theirs.pk}/messages/")).status_code == 404
    posted = client.post(tenant_api("acme", f"tickets/{theirs.pk}/messages/"), {"body": "x"}, format="json")
    assert posted.status_code == 404
    pages = page_client(acme.member(role))
    assert pages.get(f"/t/acme/tickets/{theirs.pk}/").status_code == 404
    assert pages.get(f"/t/acme/tickets/files/{message.pk}/").status_code == 404
    assert TicketMessage.objects.filter(ticket=theirs).count() == 1


def test_attachments_follow_the_contract_file_limits(acme, api, settings):
    settings.CONTRACT_MAX_UPLOAD_BYTES = 1024
    client = api(acme.member("partner_user"))
    base = {"category": "product", "subject": "Broken unit", "body": "See photo"}

    accepted = client.post(tenant_api("acme", "tickets/"), {**base, "attachment": pdf()}, format="multipart")
    wrong_type = client.post(tenant_api("acme", "tickets/"), {**base, "attachment": pdf("run.exe")}, format="multipart")
    too_big = client.post(tenant_api("acme", "tickets/"), {**base, "attachment": pdf(size=4096)}, format="multipart")

    assert accepted.status_code == 201, accepted.content
    assert wrong_type.status_code == 400 and "attachment" in wrong_type.json()["errors"]
    assert too_big.status_code == 400 and "attachment" in too_big.json()["errors"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"category": "gossip", "subject": "s", "body": "b"},
        {"category": "other", "subject": "s\x00", "body": "b"},
        {"category": "other", "subject": "s", "body": ""},
        {"category": "other", "subject": "x" * 1000, "body": "b"},
    ],
)
def test_bad_ticket_input_is_a_400(acme, api, body):
    response = api(acme.member("partner_user")).post(tenant_api("acme", "tickets/"), body, format="json")

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_the_partner_opens_answers_and_closes_on_the_pages(acme, page_client):
    client = page_client(acme.member("partner_user"))

    created = client.post(
        "/t/acme/tickets/new/", {"category": "settlement", "subject": "Statement Q1", "body": "Line 3 is wrong"}
    )
    ticket = Ticket.objects.get()
    assert created.status_code == 302 and created["Location"].endswith(f"/tickets/{ticket.pk}/")
    vendor = page_client(acme.member("channel_manager"))
    vendor.post(f"/t/acme/tickets/{ticket.pk}/reply/", {"body": "Fixed in the next run"})
    client = page_client(acme.member("partner_user"))
    client.post(f"/t/acme/tickets/{ticket.pk}/close/", {"rating": "5"})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == ("closed", 5)
    page = client.get(f"/t/acme/tickets/{ticket.pk}/").content.decode()
    assert "Fixed in the next run" in page
