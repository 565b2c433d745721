"""Every write of notifications. ``notify`` is the one entry point other apps call (SPEC §4.11)."""

from .delivery import delivery_attempt, webhook_send_test
from .dispatch import Message, inbox_only, notify, notify_address, notify_each
from .inbox import notification_read, notifications_read_all, preferences_set
from .webhooks import webhook_create, webhook_delete, webhook_update

__all__ = [
    "Message",
    "delivery_attempt",
    "inbox_only",
    "notification_read",
    "notifications_read_all",
    "notify",
    "notify_address",
    "notify_each",
    "preferences_set",
    "webhook_create",
    "webhook_delete",
    "webhook_send_test",
    "webhook_update",
]
