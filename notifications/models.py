"""Notifications (SPEC §4.11): the in-app inbox, each member's choices, the tenant's webhooks, and
the log of every e-mail and webhook delivery.

One service (``notifications.services.notify``) writes all of them; nothing here sends anything.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

from . import events

SUBJECT_MAX_LENGTH = 200
URL_MAX_LENGTH = 500
WEBHOOK_URL_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 1000  # the excerpt of an answer kept in the log


class Notification(TenantOwned):
    """One message in one member's inbox: what happened, in words, and where to look."""

    recipient = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=64)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def event_label(self) -> str:
        return events.label_of(self.event)


class NotificationPreference(TenantOwned):
    """A member's choice for one event: in the inbox, by e-mail, both or neither.

    No row: the event's defaults (in-app on; e-mail on for the roles the event is meant for).
    """

    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=64)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "membership", "event"], name="notification_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.event}"


class WebhookKind(models.TextChoices):
    GENERIC = "generic", _("Generic JSON (signed)")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class Webhook(TenantOwned):
    """Where the tenant's events go beyond the app: a system of its own, or a DingTalk or WeCom group.

    ``secret`` signs what is sent (generic: HMAC-SHA256 of the body; DingTalk: its signed-secret
    mode); it is kept to sign with and never shown again once saved.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=WebhookKind.choices, default=WebhookKind.GENERIC)
    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address (URL)"), max_length=WEBHOOK_URL_MAX_LENGTH)
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=64), verbose_name=_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def event_labels(self) -> list[str]:
        return [events.label_of(code) for code in self.events]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(TenantOwned):
    """One e-mail or one webhook call: what is sent, how each attempt went, and when the next one is due.

    The content is kept with it, so a retry sends what the first attempt sent; ``uuid`` names the
    delivery to the receiver (``X-Qudao-Delivery``), the same on every attempt.
    """

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries", verbose_name=_("webhook")
    )
    recipient = models.ForeignKey(
        "tenancy.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    event = models.CharField(_("event"), max_length=64)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status_code = models.PositiveSmallIntegerField(_("last answer's status"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)  # an excerpt, at most ANSWER_MAX_LENGTH characters
    error = models.CharField(_("error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="delivery_of_webhook"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel="webhook", webhook__isnull=False)
                    | (models.Q(channel="email") & ~models.Q(email=""))
                ),
                name="delivery_has_an_addressee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.event} ({self.get_status_display()})"

    @property
    def event_label(self) -> str:
        return events.label_of(self.event)

    @property
    def is_finished(self) -> bool:
        return self.status != DeliveryStatus.PENDING
