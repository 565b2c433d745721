"""``notify`` (SPEC §4.11): one service delivers every event, by the channels each member chose, and never
gets in the way of the action that caused it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from notifications import events
from notifications.models import Delivery, Notification, Webhook
from notifications.selectors import manager_of, members_with_roles
from notifications.services import notify, preferences_set
from partners.models import Partner
from tenancy.context import tenant_scope
from tenancy.models import Membership


def inbox_of(membership) -> list[str]:
    return list(Notification.objects.filter(recipient=membership).values_list("subject", flat=True))


def test_each_recipient_gets_one_notification_however_often_they_are_named(acme, delivered):
    finance, admin = acme.member("finance"), acme.member("admin")

    with delivered():
        notify(
            event="statement_disputed",
            recipients=[finance, admin, finance],
            subject="争议",
            body="少算了",
            url="/t/acme/settlements/statements/1/",
        )

    assert inbox_of(finance) == ["争议"] and inbox_of(admin) == ["争议"]
    notification = Notification.objects.get(recipient=finance)
    assert (notification.event, notification.body, notification.url, notification.read_at) == (
        "statement_disputed",
        "少算了",
        "/t/acme/settlements/statements/1/",
        None,
    )
    assert Notification.objects.count() == 2


def test_e_mail_goes_by_default_to_the_roles_an_event_is_meant_for(acme, delivered):
    # given: a dispute is meant for finance (e-mail on by default), not for viewers (inbox only)
    finance, viewer = acme.member("finance"), acme.member("viewer")

    with delivered():
        notify(event="statement_disputed", recipients=[finance, viewer], subject="争议", body="")

    assert [message.to for message in mail.outbox] == [[finance.user.email]]
    assert inbox_of(viewer) == ["争议"]


def test_a_members_choices_are_respected(acme, delivered):
    finance, viewer = acme.member("finance"), acme.member("viewer")
    preferences_set(membership=finance, choices={"statement_disputed": (False, False)})
    preferences_set(membership=viewer, choices={"statement_disputed": (False, True)})

    with delivered():
        notify(event="statement_disputed", recipients=[finance, viewer], subject="争议", body="")

    assert inbox_of(finance) == [] and inbox_of(viewer) == []
    assert [message.to for message in mail.outbox] == [[viewer.user.email]]
    assert Delivery.objects.get().recipient == viewer


def test_another_tenants_member_and_an_inactive_member_hear_nothing(world, delivered):
    acme = world["acme"]
    outsider = world["globex"].member("finance")
    with tenant_scope(acme.tenant):
        viewer = acme.member("viewer")
        Membership.objects.filter(pk=viewer.pk).update(is_active=False)
        with delivered():
            notify(event="statement_disputed", recipients=[outsider, viewer], subject="争议", body="")
        assert Notification.objects.count() == 0 and Delivery.objects.count() == 0
    with tenant_scope(world["globex"].tenant):
        assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_link_outside_the_app_is_left_out(acme):
    notify(
        event="announcement",
        recipients=[acme.member("partner_user")],
        subject="公告",
        body="",
        url="https://evil.example/phish",
    )
    assert Notification.objects.get().url == ""


def test_text_the_database_cannot_store_is_cleaned_and_a_long_subject_shortened(acme):
    notify(
        event="announcement", recipients=[acme.member("partner_user")], subject="A\x00B\n" + "x" * 300, body="正文\x00"
    )
    notification = Notification.objects.get()
    assert notification.subject.startswith("AB x") and len(notification.subject) == 200
    assert notification.body == "正文"


def test_a_notification_that_cannot_be_recorded_never_breaks_the_action_that_caused_it(acme, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Notification.objects, "bulk_create", broken)

    notify(event="announcement", recipients=[acme.member("partner_user")], subject="公告", body="")
    notify(event="no_such_event", recipients=[acme.member("partner_user")], subject="?", body="")

    assert Partner.objects.count() == 2  # the caller's transaction is still usable
    assert "the disk is full" in caplog.text and "no_such_event" in caplog.text


def test_a_write_of_ours_the_database_refuses_is_rolled_back_alone_and_the_callers_stays(acme, monkeypatch):
    from notifications.services import dispatch

    # given: the caller has written something in its transaction
    Partner.objects.filter(pk=acme.own.pk).update(name="改过的名字")
    # and our write will be refused by PostgreSQL (a link longer than its column)
    cleaned = dispatch._content
    monkeypatch.setattr(dispatch, "_content", lambda *args: {**cleaned(*args), "url": "/" + "x" * 600})

    notify(event="announcement", recipients=[acme.member("partner_user")], subject="公告", body="")

    assert Partner.objects.get(pk=acme.own.pk).name == "改过的名字"
    assert not connection.needs_rollback and Notification.objects.count() == 0


def test_webhooks_subscribed_to_the_event_get_one_delivery_per_message_the_others_none(acme):
    subscribed = Webhook.objects.create(
        name="群", url="https://example.test/a", secret="s" * 16, events=["statement_disputed"]
    )
    Webhook.objects.create(name="Other", url="https://example.test/b", secret="s" * 16, events=["announcement"])
    Webhook.objects.create(
        name="Off", url="https://example.test/c", secret="s" * 16, events=["statement_disputed"], is_active=False
    )

    notify(
        event="statement_disputed",
        recipients=[acme.member("viewer")],
        subject="争议",
        body="正文",
        payload={"statement": 1},
    )

    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.webhook == subscribed and delivery.status == "pending"
    assert (delivery.subject, delivery.body, delivery.payload) == ("争议", "正文", {"statement": 1})


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(acme, delivered):
    from django.db import transaction

    with delivered():
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(event="statement_disputed", recipients=[acme.member("finance")], subject="争议", body="")
            raise RuntimeError("the action failed")

    assert mail.outbox == [] and Notification.objects.count() == 0


def test_the_selectors_name_the_roles_asked_for_and_a_partners_channel_manager(acme):
    manager = acme.member("channel_manager")
    Partner.objects.filter(pk=acme.own.pk).update(manager=manager.user)
    own = Partner.objects.get(pk=acme.own.pk)

    assert sorted(m.role for m in members_with_roles(["finance", "admin"])) == ["admin", "finance"]
    assert manager_of(own) == manager
    assert manager_of(acme.other) is None


def test_every_event_has_a_label_and_the_ones_the_brief_names_exist():
    named = {
        "alert_raised",
        "alert_escalated",
        "statement_ready",
        "statement_approved",
        "statement_disputed",
        "deal_conflict",
        "lead_offered",
        "announcement",
        "action_item_due",
        "ticket_answered",
        "invitation",
    }
    assert named <= set(events.EVENTS)
    assert all(str(event.label) for event in events.EVENTS.values())


def test_within_inbox_only_the_inbox_is_filled_and_nothing_is_sent(acme, delivered):
    from notifications.services import inbox_only

    Webhook.objects.create(name="群", url="https://example.test/a", secret="s" * 16, events=["statement_disputed"])

    with delivered(), inbox_only():
        notify(event="statement_disputed", recipients=[acme.member("finance")], subject="争议", body="")

    assert inbox_of(acme.member("finance")) == ["争议"]
    assert Delivery.objects.count() == 0 and mail.outbox == []
