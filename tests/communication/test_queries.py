"""The communication lists answer in a fixed number of queries, whatever their length."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communication import services
from communication.models import Review, Ticket, TicketMessage
from tests.conftest import tenant_api

DAY = datetime.date(2026, 3, 2)


def _announcements(acme, count):
    for index in range(count):
        services.announcement_publish(actor=None, title=f"Notice {index}", body="text")


def _tickets(acme, count):
    now = timezone.now()
    for index in range(count):
        ticket = Ticket.objects.create(partner=acme.own, category="other", subject=f"T{index}", opened_at=now,
                                       answer_due_at=now)  # fmt: skip
        TicketMessage.objects.create(ticket=ticket, partner=acme.own, side="partner", body="b")


def _reviews(acme, count):
    start = Review.objects.count()
    for index in range(start, start + count):
        Review.objects.create(partner=acme.own, period=f"20{10 + index}-Q1", starts_on=DAY, ends_on=DAY, held_on=DAY,
                              figures={}, figures_as_of=DAY)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "make", "role"),
    [
        ("announcements/", _announcements, "viewer"),
        ("announcements/", _announcements, "partner_user"),
        ("tickets/", _tickets, "viewer"),
        ("reviews/", _reviews, "partner_user"),
    ],
)
def test_list_endpoints_do_not_grow_their_queries_with_rows(acme, api, path, make, role):
    client = api(acme.member(role))
    make(acme, 2)
    client.get(tenant_api("acme", path))  # warm up (the session's first look at the membership)
    with CaptureQueriesContext(connection) as few:
        assert client.get(tenant_api("acme", path)).status_code == 200
    make(acme, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(tenant_api("acme", path)).status_code == 200

    assert len(many) == len(few)


@pytest.mark.parametrize("path", ["/t/acme/announcements/", "/t/acme/tickets/", "/t/acme/reviews/"])
def test_list_pages_do_not_grow_their_queries_with_rows(acme, page_client, path):
    client = page_client(acme.member("channel_manager"))
    make = {"announcements": _announcements, "tickets": _tickets, "reviews": _reviews}[path.split("/")[3]]
    make(acme, 2)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    make(acme, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200

    assert len(many) == len(few)
