"""``Idempotency-Key`` on the POSTs that start runs or move money (SPEC §6): done once, answered the same."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from facts.models import Sale
from qudao_api.models import IdempotencyKey
from settlements.models import SettlementRun, Statement, StatementEvent, StatementLine
from tenancy.context import tenant_scope
from tests.conftest import tenant_api
from tests.facts.helpers import load

from .helpers import compute, program


def post(client, path, payload, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(tenant_api("acme", path), payload, format="json", **extra)


def test_a_run_started_twice_with_one_key_is_started_once_and_answered_the_same(acme, api):
    finance = api(acme.member("finance"))

    first = post(finance, "settlement-runs/", {"period": "2026-Q1"}, key="run-2026-q1")
    again = post(finance, "settlement-runs/", {"period": "2026-Q1"}, key="run-2026-q1")

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert SettlementRun.objects.count() == 1
    # Without the key the second request is a new one: refused while the first run is under way.
    assert post(finance, "settlement-runs/", {"period": "2026-Q1"}).status_code == 409


def test_a_transition_sent_twice_with_one_key_is_made_once(drafts, api):
    finance = api(drafts.member("finance"))
    path = f"statements/{drafts.statement.pk}/approve/"

    first = post(finance, path, {}, key="approve-1")
    again = post(finance, path, {}, key="approve-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert StatementEvent.objects.filter(statement=drafts.statement, action="approved").count() == 1
    assert post(finance, path, {}).status_code == 409  # a new request: the statement is approved already


def test_an_adjustment_sent_twice_with_one_key_is_one_line(drafts, api):
    finance = api(drafts.member("finance"))
    path = f"statements/{drafts.statement.pk}/adjustments/"
    body = {"amount": "-100.00", "reason": "多付"}

    first = post(finance, path, body, key="adj-7")
    again = post(finance, path, body, key="adj-7")

    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert StatementLine.objects.filter(statement=drafts.statement, kind="adjustment").count() == 1
    assert Statement.objects.get(pk=drafts.statement.pk).total.to_eng_string() == "17900.00"


def test_a_bulk_post_sent_twice_with_one_key_answers_as_the_first_did(acme, api):
    finance = api(acme.member("finance"))
    rows = {"rows": [{"external_id": "S-1", "partner": "ACME-OWN", "date": "2026-01-05", "customer": "甲",
                      "amount": "100.00"}]}  # fmt: skip

    first = post(finance, "sales/bulk/", rows, key="sales-batch-1")
    again = post(finance, "sales/bulk/", rows, key="sales-batch-1")

    assert first.status_code == again.status_code == 200
    assert first.json()["created"] == 1 and again.json() == first.json()  # not "unchanged": it was not sent again
    assert Sale.objects.count() == 1


def test_the_same_key_with_another_body_or_path_is_a_422_and_nothing_is_done(drafts, api):
    finance = api(drafts.member("finance"))
    path = f"statements/{drafts.statement.pk}/adjustments/"
    post(finance, path, {"amount": "-100.00", "reason": "多付"}, key="adj-8")
    lines = StatementLine.objects.count()

    other_body = post(finance, path, {"amount": "-200.00", "reason": "多付"}, key="adj-8", HTTP_ACCEPT_LANGUAGE="en")
    other_path = post(finance, f"statements/{drafts.other_statement.pk}/adjustments/",
                      {"amount": "-100.00", "reason": "多付"}, key="adj-8")  # fmt: skip

    assert other_body.status_code == other_path.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    assert "another request" in other_body.json()["message"]
    assert StatementLine.objects.count() == lines


def test_a_key_is_each_users_own(drafts, api):
    path = f"statements/{drafts.statement.pk}/adjustments/"
    post(api(drafts.member("finance")), path, {"amount": "1.00", "reason": "a"}, key="shared")
    response = post(api(drafts.member("admin")), path, {"amount": "2.00", "reason": "b"}, key="shared")
    assert response.status_code == 201
    assert StatementLine.objects.filter(statement=drafts.statement, kind="adjustment").count() == 2


def test_a_request_that_failed_leaves_no_key_so_it_can_be_sent_again(drafts, api):
    finance = api(drafts.member("finance"))
    path = f"statements/{drafts.statement.pk}/adjustments/"

    failed = post(finance, path, {"amount": "0", "reason": "零"}, key="adj-9")
    assert failed.status_code == 400
    assert not IdempotencyKey.objects.filter(key="adj-9").exists()

    assert post(finance, path, {"amount": "5.00", "reason": "补"}, key="adj-9").status_code == 201


@pytest.mark.parametrize("key", ["x" * 256, "bad\x07key", "tab\tkey", "", "   "])
def test_a_bad_key_is_a_400_and_nothing_is_done(drafts, api, key):
    before = StatementLine.objects.count(), StatementEvent.objects.count()
    response = post(api(drafts.member("finance")), f"statements/{drafts.statement.pk}/adjustments/",
                    {"amount": "5.00", "reason": "补"}, key=key)  # fmt: skip
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert (StatementLine.objects.count(), StatementEvent.objects.count()) == before


def test_a_key_of_255_characters_is_fine(drafts, api):
    response = post(api(drafts.member("finance")), f"statements/{drafts.statement.pk}/approve/", {}, key="k" * 255)
    assert response.status_code == 200


# --- two at once --------------------------------------------------------------------------------


def _waiting_on_a_lock() -> int:
    """Sessions of the runtime role waiting on a lock (another role's wait events are hidden from it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_the_second_waits_for_the_first_and_replays_it(world, monkeypatch):
    acme = world["acme"]
    with tenant_scope(acme.tenant):  # committed: the two requests run in transactions of their own
        program("RETRO")
        load("sales", {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"})
        compute(actor=acme.member("finance").user)
        statement = Statement.objects.get(partner=acme.own)

    from settlements.services import statements as services

    inside, release = threading.Event(), threading.Event()
    adjust = services.statement_adjust

    def slow_adjust(**kwargs):
        inside.set()
        release.wait(timeout=10)  # the first request holds its transaction (and its key) open
        return adjust(**kwargs)

    monkeypatch.setattr(services, "statement_adjust", slow_adjust)
    answers = {}

    def send(name):
        try:
            client = APIClient()
            client.force_authenticate(user=acme.member("finance").user)
            answers[name] = client.post(
                tenant_api("acme", f"statements/{statement.pk}/adjustments/"),
                {"amount": "-100.00", "reason": "多付"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="at-once",
            )
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    deadline = time.monotonic() + 10
    while _waiting_on_a_lock() < 1 and time.monotonic() < deadline:  # the second waits on the first's key
        time.sleep(0.05)
    assert _waiting_on_a_lock() == 1
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert answers["first"].status_code == answers["second"].status_code == 201
    assert answers["second"].json() == answers["first"].json()
    assert answers["second"]["Idempotent-Replayed"] == "true"
    with tenant_scope(acme.tenant):
        assert StatementLine.objects.filter(statement=statement, kind="adjustment").count() == 1
