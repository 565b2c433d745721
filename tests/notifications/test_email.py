"""E-mail (SPEC §4.11): a plain-text message per recipient, through a real SMTP server, retried when it is down."""

from __future__ import annotations

import pytest

from notifications.models import Delivery
from notifications.services import notify
from tenancy.services import member_add
from tests.world import PASSWORD

STATEMENT = "/t/acme/settlements/statements/7/"


def test_an_e_mail_reaches_a_real_smtp_server_with_the_subject_the_body_and_the_full_link(
    acme, smtp_server, delivered, settings
):
    settings.SITE_URL = "https://qudao.example.com"
    finance = acme.member("finance")

    with delivered():
        notify(
            event="statement_disputed",
            recipients=[finance],
            subject="ACME-OWN 对 2026年第1季度 的对账单有异议",
            body="partner-admin@acme.test 写道：少算了返利",
            url=STATEMENT,
        )

    assert smtp_server.envelopes == [(settings.DEFAULT_FROM_EMAIL, [finance.user.email])]
    message = smtp_server.messages[0]
    assert message["Subject"] == "[Acme] ACME-OWN 对 2026年第1季度 的对账单有异议"
    assert message["To"] == finance.user.email
    assert message.get_content_type() == "text/plain"
    text = message.get_content()
    assert "少算了返利" in text
    assert f"https://qudao.example.com{STATEMENT}" in text
    assert "https://qudao.example.com/t/acme/notifications/preferences/" in text  # where to change it
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.email) == (
        "email",
        "sent",
        1,
        finance.user.email,
    )


def test_each_recipient_gets_an_e_mail_of_their_own(acme, smtp_server, delivered):
    finance, admin = acme.member("finance"), acme.member("admin")

    with delivered():
        notify(event="statement_disputed", recipients=[finance, admin], subject="争议", body="正文")

    assert sorted(recipients for _sender, recipients in smtp_server.envelopes) == sorted(
        [[finance.user.email], [admin.user.email]]
    )


def test_when_the_mail_server_is_down_the_e_mail_is_retried_then_given_up_and_logged(
    acme, smtp_down, delivered, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3

    with delivered():
        notify(event="statement_disputed", recipients=[acme.member("finance")], subject="争议", body="")

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.error and delivery.finished_at is not None


def test_the_backoff_doubles_from_the_base(settings):
    from notifications.services.delivery import backoff

    settings.NOTIFICATIONS_RETRY_SECONDS = 60
    assert [backoff(attempt) for attempt in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_retry_waits_for_its_backoff(acme, smtp_down, settings):
    from notifications.services.delivery import delivery_attempt

    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    notify(event="statement_disputed", recipients=[acme.member("finance")], subject="争议", body="")
    delivery = Delivery.objects.get()

    wait = delivery_attempt(tenant_id=acme.tenant.pk, delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert wait == 30 and delivery.status == "pending" and delivery.attempts == 1
    assert 25 <= (delivery.next_attempt_at - delivery.updated_at).total_seconds() <= 30


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_invitation_is_an_e_mail_to_the_invited_address_in_the_tenants_language(
    world, smtp_server, delivered, language
):
    from django.contrib.auth import get_user_model

    from tenancy.context import tenant_scope

    slug = "acme" if language == "zh-hans" else "globex"
    tenant_world = world[slug]
    get_user_model().objects.create_user(email="someone@elsewhere.test", password=PASSWORD)
    with tenant_scope(tenant_world.tenant), delivered():
        member_add(actor=tenant_world.member("admin"), email="someone@elsewhere.test", role="viewer")

    message = smtp_server.messages[0]
    assert message["To"] == "someone@elsewhere.test"
    assert tenant_world.tenant.name in message["Subject"]
    if language == "en":
        assert "invited" in message["Subject"]
    with tenant_scope(tenant_world.tenant):
        delivery = Delivery.objects.get()
    assert (delivery.event, delivery.recipient, delivery.status) == ("invitation", None, "sent")
