"""Reads: who should hear of something, a member's inbox and choices, a webhook's log."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db.models import QuerySet

from tenancy.models import Membership

from . import events
from .models import Delivery, Notification, NotificationPreference, Webhook


def members_with_roles(roles: Iterable[str]) -> QuerySet[Membership]:
    """The tenant's active members holding one of ``roles`` (finance and admins, say), with their users."""
    return Membership.objects.filter(role__in=list(roles), is_active=True).select_related("user")


def partner_members(partner, roles: Iterable[str]) -> QuerySet[Membership]:
    """The active members of ``partner`` holding one of ``roles`` (its administrators, say)."""
    return members_with_roles(roles).filter(partner=partner)


def manager_of(partner) -> Membership | None:
    """The membership of the partner's channel manager in this tenant, if it has one who is still a member."""
    if partner.manager_id is None:
        return None
    return Membership.objects.filter(user_id=partner.manager_id, is_active=True).select_related("user").first()


# --- the inbox -----------------------------------------------------------------------------------


def inbox(membership: Membership) -> QuerySet[Notification]:
    """A member's own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(recipient=membership).order_by("-created_at", "-id")


def unread_count(membership: Membership) -> int:
    """How many of the member's notifications are unread: one query (the header's badge)."""
    return Notification.objects.filter(recipient=membership, read_at__isnull=True).count()


# --- preferences -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Choice:
    """One row of the preferences grid: an event and whether it reaches the member in the app, by e-mail."""

    event: events.Event
    in_app: bool
    email: bool

    @property
    def code(self) -> str:
        return self.event.code

    @property
    def label(self) -> str:
        return str(self.event.label)


def default_choice(event: events.Event, role: str) -> tuple[bool, bool]:
    """``(in_app, email)`` for a member who has not chosen: in the app always, by e-mail if it is meant for the role."""
    return True, event.emails_by_default(role)


def preferences_of(membership: Membership) -> list[Choice]:
    """The member's grid: every event a member may choose for, with their choice or the default."""
    saved = {row.event: row for row in NotificationPreference.objects.filter(membership=membership)}
    grid = []
    for event in events.choosable():
        row = saved.get(event.code)
        in_app, email = (row.in_app, row.email) if row else default_choice(event, membership.role)
        grid.append(Choice(event=event, in_app=in_app, email=email))
    return grid


def channels_for(memberships: Iterable[Membership], event: events.Event) -> dict[int, tuple[bool, bool]]:
    """``membership id → (in_app, email)`` for one event, for many members: one query."""
    members = list(memberships)
    if not members:
        return {}
    saved = {
        membership_id: (in_app, email)
        for membership_id, in_app, email in NotificationPreference.objects.filter(
            membership__in=[member.pk for member in members], event=event.code
        ).values_list("membership_id", "in_app", "email")
    }
    return {member.pk: saved.get(member.pk) or default_choice(event, member.role) for member in members}


# --- webhooks ---------------------------------------------------------------------------------------


def webhooks_for(event_code: str) -> list[Webhook]:
    """The tenant's active webhooks subscribed to ``event_code``."""
    return list(Webhook.objects.filter(is_active=True, events__contains=[event_code]).order_by("pk"))


def deliveries_of(webhook: Webhook) -> QuerySet[Delivery]:
    """A webhook's delivery log, newest first."""
    return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")
