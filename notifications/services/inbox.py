"""A member's own inbox and choices: reading notifications, and which events reach them how."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound
from tenancy.models import Membership

from .. import events, selectors
from ..models import Notification, NotificationPreference


def notification_read(*, membership: Membership, notification_id: int) -> Notification:
    """Mark one of the member's own notifications read (read once: the first time is kept); another's is a 404."""
    with transaction.atomic():
        notification = selectors.inbox(membership).select_for_update().filter(pk=notification_id).first()
        if notification is None:
            raise NotFound(_("Not found."))
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_read_all(*, membership: Membership) -> int:
    """Mark every unread notification of the member read; returns how many were unread."""
    now = timezone.now()
    with transaction.atomic():
        return selectors.inbox(membership).filter(read_at__isnull=True).update(read_at=now, updated_at=now)


def preferences_set(*, membership: Membership, choices: Mapping[str, tuple[bool, bool]]) -> list[selectors.Choice]:
    """Save the member's ``event → (in_app, email)`` choices (events left out keep theirs); returns the grid."""
    known = {event.code for event in events.choosable()}
    unknown = sorted(code for code in choices if code not in known)
    if unknown:
        raise ValidationError({"event": _("Unknown event: %(codes)s.") % {"codes": ", ".join(unknown)}})
    rows = [
        NotificationPreference(membership=membership, event=code, in_app=bool(in_app), email=bool(email))
        for code, (in_app, email) in choices.items()
    ]
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["tenant", "membership", "event"],
            update_fields=["in_app", "email", "updated_at"],
        )
    return selectors.preferences_of(membership)
