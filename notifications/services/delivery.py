"""Sending one delivery: an e-mail or a webhook call, once per attempt, its answer logged.

``delivery_attempt`` is the task's body. It reads the delivery in one short tenant scope, sends
outside any transaction (a receiver that takes its time holds no database row or connection's
transaction), then records the outcome in another scope: sent; failed for good (refused address,
a 4xx, a robot's error); or, on no answer, a 5xx or a 429, waiting for its next attempt after an
exponential backoff, until ``NOTIFICATIONS_MAX_ATTEMPTS``. A delivery is sent at least once; a task
delivered twice may send twice, and the receiver knows a repeat by ``X-Qudao-Delivery``.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.errors import PermissionDenied
from tenancy.context import require_tenant, tenant_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import Capability, role_can

from .. import transport
from ..models import Channel, Delivery, DeliveryStatus, Webhook, WebhookKind

logger = logging.getLogger(__name__)


def backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: the base, then twice as long each time."""
    return settings.NOTIFICATIONS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)


def delivery_attempt(*, tenant_id: int, delivery_id: int) -> int | None:
    """Attempt a waiting delivery once; returns the seconds until its next attempt, or None when it is done."""
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None  # sent, given up, or gone with its webhook: a repeated task does nothing
    with translation.override(tenant.language):
        answer = send(delivery, tenant)
    with tenant_scope(tenant):
        return _record(delivery_id, answer)


def send(delivery: Delivery, tenant: Tenant) -> transport.Answer:
    """Send ``delivery`` once, by its channel; whatever happens is an ``Answer``, never an exception."""
    try:
        if delivery.channel == Channel.EMAIL:
            return _send_email(delivery, tenant)
        webhook = delivery.webhook
        if webhook is None or not webhook.is_active:
            return transport.Answer(ok=False, error=_("The webhook is switched off."))
        outbound = transport.build_request(webhook=webhook, delivery=delivery, tenant_slug=tenant.slug)
        return transport.post(outbound, robot=webhook.kind != WebhookKind.GENERIC)
    except Exception as error:  # a bug or a surprise of the far end: logged, failed, retried
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return transport.Answer(ok=False, retry=True, error=transport.excerpt(f"{type(error).__name__}: {error}", 500))


def _send_email(delivery: Delivery, tenant: Tenant) -> transport.Answer:
    message = EmailMessage(
        subject=_("[%(tenant)s] %(subject)s") % {"tenant": tenant.name, "subject": delivery.subject},
        body=email_text(delivery, tenant),
        to=[delivery.email],
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:  # the address is refused: it will not be accepted later
        reason = _("The address was refused: %(error)s") % {"error": error}
        return transport.Answer(ok=False, error=transport.excerpt(reason, 500))
    except (smtplib.SMTPException, OSError) as error:
        reason = _("The mail server did not take it: %(error)s") % {"error": error}
        return transport.Answer(ok=False, retry=True, error=transport.excerpt(reason, 500))
    return transport.Answer(ok=True)


def email_text(delivery: Delivery, tenant: Tenant) -> str:
    """The plain-text e-mail: the message, the link to it, and (to a member) why it came and where to change that."""
    parts = [delivery.body] if delivery.body else []
    link = transport.absolute_url(delivery.url)
    if link:
        parts.append(link)
    if delivery.recipient_id is not None:
        preferences = transport.absolute_url(reverse("notifications:preferences", kwargs={"tenant_slug": tenant.slug}))
        parts.append(
            "-- \n"
            + _("You receive this e-mail from %(tenant)s on Qudao. Choose what reaches you by e-mail: %(link)s")
            % {"tenant": tenant.name, "link": preferences}
        )
    return "\n\n".join(parts) + "\n"


def _record(delivery_id: int, answer: transport.Answer) -> int | None:
    """Write how the attempt went; returns the seconds until the next attempt (None: finished)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        now = timezone.now()
        delivery.attempts += 1
        delivery.status_code = answer.status_code
        delivery.answer = answer.text
        delivery.error = answer.error
        wait = None
        if answer.ok:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        elif answer.retry and delivery.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
            wait = backoff(delivery.attempts)
            delivery.next_attempt_at = now + datetime.timedelta(seconds=wait)
        else:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = DeliveryStatus.FAILED, now, None
        delivery.save(
            update_fields=["attempts", "status_code", "answer", "error", "status", "finished_at", "next_attempt_at",
                           "updated_at"]
        )  # fmt: skip
    if not answer.ok:
        logger.warning(
            "Delivery %s (%s, %s), attempt %s: %s", delivery.pk, delivery.channel, delivery.event, delivery.attempts,
            answer.error,
        )  # fmt: skip
    return wait


def webhook_send_test(*, webhook: Webhook, actor: Membership) -> Delivery:
    """Send a test message to ``webhook`` now, once (no retry), and return its delivery with the answer.

    For the administrator who has just set a webhook up: what the receiver answered, or why it
    could not be reached, is on the delivery (and in the webhook's log).
    """
    if not role_can(actor.role, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only the tenant's administrators manage webhooks."))
    tenant = require_tenant()
    with transaction.atomic():
        delivery = Delivery(
            channel=Channel.WEBHOOK,
            webhook=webhook,
            event="test",
            subject=_("Test message from Qudao"),
            body=_("If you can read this, the webhook “%(name)s” of %(tenant)s works. Sent by %(who)s.")
            % {"name": webhook.name, "tenant": tenant.name, "who": actor.user.email},
            url=reverse("notifications:webhook", kwargs={"tenant_slug": tenant.slug, "pk": webhook.pk}),
        )
        delivery.save()
    # Sent even when the webhook is switched off: that is how one tries it before switching it on.
    try:
        outbound = transport.build_request(webhook=webhook, delivery=delivery, tenant_slug=tenant.slug)
        answer = transport.post(outbound, robot=webhook.kind != WebhookKind.GENERIC)
    except Exception as error:
        logger.exception("The test of webhook %s failed unexpectedly", webhook.pk)
        answer = transport.Answer(ok=False, error=transport.excerpt(f"{type(error).__name__}: {error}", 500))
    answer = transport.Answer(ok=answer.ok, status_code=answer.status_code, text=answer.text, error=answer.error)
    _record(delivery.pk, answer)  # a test is tried once: no retry
    delivery.refresh_from_db()
    return delivery
