"""The settlement events (SPEC §4.11 and §4.6): a statement ready, approved or disputed reaches the members who
should hear of it, and a channel that is down never stops a run or a move."""

from __future__ import annotations

from django.core import mail

from notifications.models import Delivery, Notification, Webhook
from settlements.models import SettlementRun, Statement
from settlements.services.runs import settlement_run_start
from settlements.services.statements import statement_approve, statement_dispute
from tests.facts.helpers import load
from tests.settlements.helpers import compute, program

SECRET = "a-long-shared-secret-0123456789"


def quarter_with_sales(acme) -> None:
    program("RETRO")
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
    )


def inbox(membership) -> list[tuple[str, str, str]]:
    return list(Notification.objects.filter(recipient=membership).order_by("pk").values_list("event", "subject", "url"))


def test_a_run_tells_each_partners_administrators_that_their_statement_is_ready(acme, delivered):
    quarter_with_sales(acme)

    with delivered():
        run = settlement_run_start(period="2026-Q1", actor=acme.member("finance").user)

    run.refresh_from_db()
    assert run.status == SettlementRun.Status.SUCCEEDED
    statement = Statement.objects.get(partner=acme.own)
    [(event, subject, url)] = inbox(acme.member("partner_admin"))
    assert event == "statement_ready" and url == f"/t/acme/settlements/statements/{statement.pk}/"
    assert "2026" in subject
    assert inbox(acme.member("partner_user")) == []  # the partner's administrators, not every user
    assert inbox(acme.member("finance")) == []
    # partner administrators get it by e-mail too (the event is meant for them), in the tenant's language
    assert [message.to for message in mail.outbox] == [[acme.member("partner_admin").user.email]]
    assert "¥18,000.00" in mail.outbox[0].body


def test_a_run_that_changes_nothing_tells_nobody_again_one_that_changes_a_statement_does(acme):
    quarter_with_sales(acme)
    compute()
    compute()
    assert len(inbox(acme.member("partner_admin"))) == 1

    load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "乙", "amount": "100000"})
    compute()

    events = inbox(acme.member("partner_admin"))
    assert [event for event, _s, _u in events] == ["statement_ready", "statement_ready"]
    assert events[0][1] != events[1][1]  # "ready", then "updated"


def test_a_dispute_reaches_finance_and_the_administrators_inbox_with_the_reason(acme, delivered):
    quarter_with_sales(acme)
    compute()
    statement = Statement.objects.get(partner=acme.own)

    with delivered():
        statement_dispute(statement=statement, reason="少算了三月的返利", actor=acme.member("partner_admin").user)

    for role in ("finance", "admin"):
        notification = Notification.objects.get(recipient=acme.member(role), event="statement_disputed")
        assert "ACME-OWN" in notification.subject and "少算了三月的返利" in notification.body
        assert notification.url == f"/t/acme/settlements/statements/{statement.pk}/"
    assert not Notification.objects.filter(event="statement_disputed", recipient=acme.member("viewer")).exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [acme.member("finance").user.email, acme.member("admin").user.email]
    )


def test_an_approval_reaches_the_partners_administrators(acme):
    quarter_with_sales(acme)
    compute()
    statement = Statement.objects.get(partner=acme.own)

    statement_approve(statement=statement, actor=acme.member("finance").user)

    assert [event for event, _s, _u in inbox(acme.member("partner_admin"))] == ["statement_ready", "statement_approved"]


def test_the_run_and_a_dispute_still_succeed_when_e_mail_and_the_webhook_are_down(
    acme, delivered, smtp_down, nobody_listening, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    Webhook.objects.create(
        name="down", url=nobody_listening, secret=SECRET, events=["statement_ready", "statement_disputed"]
    )
    quarter_with_sales(acme)

    with delivered():
        run = settlement_run_start(period="2026-Q1", actor=acme.member("finance").user)
    statement = Statement.objects.get(partner=acme.own)
    with delivered():
        disputed = statement_dispute(statement=statement, reason="不对", actor=acme.member("partner_admin").user)

    run.refresh_from_db()
    assert run.status == SettlementRun.Status.SUCCEEDED and run.statements_count == 2
    assert disputed.status == "disputed" and Statement.objects.get(pk=statement.pk).status == "disputed"
    # the inbox has them all; every e-mail and webhook call failed, tried twice, and is in the log
    assert Notification.objects.filter(event="statement_disputed").count() == 2
    assert Notification.objects.filter(event="statement_ready").count() == 1
    deliveries = list(Delivery.objects.values_list("channel", "status", "attempts"))
    assert deliveries and all(status == "failed" and attempts == 2 for _c, status, attempts in deliveries)
    assert {channel for channel, _s, _a in deliveries} == {"email", "webhook"}
