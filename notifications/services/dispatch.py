"""``notify``: the one way every app tells people that something happened (SPEC §4.11).

A call records, in the caller's transaction, an inbox notification for each recipient who wants
one, an e-mail delivery for each who wants e-mail, and a delivery for each of the tenant's active
webhooks subscribed to the event; once the caller's transaction commits, each delivery is a task
of its own (in-process without a broker) that sends, retries with backoff and logs its answer.

It never raises into the caller and never makes it wait on a network: whatever goes wrong here is
logged, the caller's work stands (a savepoint keeps a failed write of ours out of its transaction),
and a channel that is down is a failed delivery in the log, not an error in the action that caused it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence

from django.db import transaction

from common.tasks import enqueue_many
from tenancy.context import require_tenant
from tenancy.models import Membership

from .. import events, selectors
from ..models import SUBJECT_MAX_LENGTH, URL_MAX_LENGTH, Channel, Delivery, Notification

logger = logging.getLogger(__name__)

_inbox_only: contextvars.ContextVar[bool] = contextvars.ContextVar("qudao_notifications_inbox_only", default=False)


@contextlib.contextmanager
def inbox_only() -> Iterator[None]:
    """Within it, ``notify`` fills inboxes but sends nothing (no e-mail, no webhook call).

    For the demo's made-up history: its people find it in their inboxes; nobody gets two quarters
    of e-mails printed on the console while it is made.
    """
    token = _inbox_only.set(True)
    try:
        yield
    finally:
        _inbox_only.reset(token)


@dataclasses.dataclass(frozen=True)
class Message:
    """One thing to tell: to whom, in words already in the tenant's language, and where to look."""

    recipients: Iterable[Membership]
    subject: str
    body: str
    url: str = ""
    payload: dict | None = None
    to_webhooks: bool = True  # False: for the people only (one of several digests of one happening)


def notify(
    *,
    event: str,
    recipients: Iterable[Membership],
    subject: str,
    body: str,
    url: str = "",
    payload: dict | None = None,
) -> None:
    """Tell ``recipients`` (members of the tenant in scope) that ``event`` happened.

    ``event`` is a code of ``notifications.events``; ``subject`` and ``body`` are worded by the
    caller in the tenant's language; ``url`` is a path inside the app (``/t/acme/…``) that the
    inbox links to and e-mails and webhooks give in full; ``payload`` is extra data for the
    generic webhook. Each member hears of it by the channels they chose (or the event's defaults),
    once however often they are named; the tenant's webhooks subscribed to the event get it once.
    """
    notify_each(event=event, messages=[Message(recipients, subject, body, url, payload)])


def notify_each(*, event: str, messages: Iterable[Message]) -> None:
    """Many messages of one event at once (a settlement run's statements), in a fixed number of queries."""
    try:
        tenant = require_tenant()
        with transaction.atomic():
            delivery_ids = _record(event=events.get(event), messages=list(messages))
    except Exception:  # never the caller's problem: the action that notifies has happened
        logger.exception("The notifications of the event %r could not be recorded", event)
        return
    queue(tenant_id=tenant.pk, delivery_ids=delivery_ids)


def notify_address(*, event: str, email: str, subject: str, body: str, url: str = "") -> None:
    """An e-mail to an address that is no member of the tenant (yet): an invitation.

    There is no inbox to put it in and no choice to read, so it is an e-mail delivery only,
    logged and retried like any other.
    """
    try:
        tenant = require_tenant()
        with transaction.atomic():
            delivery = Delivery(
                channel=Channel.EMAIL, email=email, event=events.get(event).code, **_content(subject, body, url, None)
            )
            delivery.save()
    except Exception:
        logger.exception("The %r e-mail to %s could not be recorded", event, email)
        return
    queue(tenant_id=tenant.pk, delivery_ids=[delivery.pk])


def queue(*, tenant_id: int, delivery_ids: Sequence[int]) -> None:
    """Send each delivery as a task once the caller's transaction has committed (nothing if it rolls back)."""
    if not delivery_ids:
        return
    ids = list(delivery_ids)

    def send_each() -> None:
        from ..tasks import deliver

        try:
            # Without a broker, in a background thread: a slow or dead receiver never holds up the request.
            enqueue_many(deliver, [(tenant_id, delivery_id) for delivery_id in ids])
        except Exception:  # a broker that is down: the deliveries stay waiting in the log
            logger.exception("The deliveries %s could not be queued", ids)

    transaction.on_commit(send_each, robust=True)


# --- recording --------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return str(text or "").replace("\x00", "")


def _content(subject: str, body: str, url: str, payload: dict | None) -> dict:
    """What is said, fit to store and to send: a one-line subject, a path inside the app or no link."""
    one_line = " ".join(_clean(subject).split())
    if len(one_line) > SUBJECT_MAX_LENGTH:
        one_line = one_line[: SUBJECT_MAX_LENGTH - 1] + "…"
    path = _clean(url).strip()
    if path and (not path.startswith("/") or path.startswith("//") or len(path) > URL_MAX_LENGTH):
        logger.warning("A notification's link must be a path inside the app; %r is left out", path[:100])
        path = ""
    return {"subject": one_line, "body": _clean(body).strip(), "url": path, "payload": payload or {}}


def _record(*, event: events.Event, messages: list[Message]) -> list[int]:
    """Write the inbox rows and the deliveries of ``messages``; returns the deliveries' ids."""
    messages = [dataclasses.replace(message, recipients=list(message.recipients)) for message in messages]
    named = {recipient.pk for message in messages for recipient in message.recipients}
    members: dict[int, Membership] = {}
    if named:
        # Of the tenant in scope (the manager's wall), active, with the e-mail address to write to.
        members = {m.pk: m for m in Membership.objects.filter(pk__in=named, is_active=True).select_related("user")}
    channels = selectors.channels_for(members.values(), event)
    sending = not _inbox_only.get()
    webhooks = selectors.webhooks_for(event.code) if event.subscribable and sending else []
    notifications: list[Notification] = []
    deliveries: list[Delivery] = []
    for message in messages:
        content = _content(message.subject, message.body, message.url, message.payload)
        seen: set[int] = set()
        for recipient in message.recipients:
            member = members.get(recipient.pk)
            if member is None or member.pk in seen:
                continue
            seen.add(member.pk)
            in_app, by_email = channels[member.pk]
            if in_app:
                notifications.append(
                    Notification(recipient=member, event=event.code, subject=content["subject"],
                                 body=content["body"], url=content["url"])
                )  # fmt: skip
            if sending and by_email and member.user.is_active and member.user.email:
                deliveries.append(
                    Delivery(channel=Channel.EMAIL, recipient=member, email=member.user.email, event=event.code,
                             **content)
                )  # fmt: skip
        if message.to_webhooks:
            deliveries += [
                Delivery(channel=Channel.WEBHOOK, webhook=webhook, event=event.code, **content) for webhook in webhooks
            ]
    Notification.objects.bulk_create(notifications)
    return [delivery.pk for delivery in Delivery.objects.bulk_create(deliveries)]
