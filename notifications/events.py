"""The events Qudao tells people about (SPEC §4.11): one registry, read by ``notify``, the preferences
grid and the webhooks form.

Each event has a code (what callers pass to ``notify`` and what webhooks receive as ``event``), a
label in the reader's language, and the roles for whom it arrives by e-mail unless they say
otherwise (in-app is on for everyone by default). A later feature adds its events here.
"""

from __future__ import annotations

import dataclasses

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenancy.roles import PARTNER_ROLES, VENDOR_ROLES, Role

EVERYONE = VENDOR_ROLES | PARTNER_ROLES


@dataclasses.dataclass(frozen=True)
class Event:
    """Something that happened that some members should hear of."""

    code: str
    label: str | Promise
    email_roles: frozenset[str] = frozenset()  # whose e-mail is on by default
    member_choosable: bool = True  # shown on the preferences grid (an invitation is for someone not yet a member)
    subscribable: bool = True  # a webhook may subscribe to it (the test event is sent on demand only)

    def emails_by_default(self, role: str) -> bool:
        return role in self.email_roles


EVENTS: dict[str, Event] = {}


def register(event: Event) -> Event:
    if event.code in EVENTS:
        raise ValueError(f"the notification event {event.code!r} is registered already")
    EVENTS[event.code] = event
    return event


ALERT_RAISED = register(Event("alert_raised", _("Risk alert raised"), frozenset({Role.RISK, Role.CHANNEL_MANAGER})))
ALERT_ESCALATED = register(
    Event("alert_escalated", _("Risk alert escalated"), frozenset({Role.RISK, Role.CHANNEL_MANAGER, Role.ADMIN}))
)
STATEMENT_READY = register(Event("statement_ready", _("Statement ready"), frozenset({Role.PARTNER_ADMIN})))
STATEMENT_APPROVED = register(Event("statement_approved", _("Statement approved"), frozenset({Role.PARTNER_ADMIN})))
STATEMENT_DISPUTED = register(
    Event("statement_disputed", _("Statement disputed"), frozenset({Role.FINANCE, Role.ADMIN}))
)
DEAL_CONFLICT = register(
    Event("deal_conflict", _("Deal registration conflict"), frozenset({Role.CHANNEL_MANAGER, Role.ADMIN}))
)
DEAL_DECIDED = register(Event("deal_decided", _("Deal approved or rejected"), PARTNER_ROLES))
LEAD_OFFERED = register(Event("lead_offered", _("Lead offered"), PARTNER_ROLES))
LEAD_DECLINED = register(Event("lead_declined", _("Lead declined"), frozenset({Role.CHANNEL_MANAGER})))
LEAD_LAPSED = register(Event("lead_lapsed", _("Lead lapsed"), frozenset({Role.CHANNEL_MANAGER})))
ANNOUNCEMENT = register(Event("announcement", _("Announcement"), PARTNER_ROLES))
ACTION_ITEM_DUE = register(Event("action_item_due", _("Action item due"), EVERYONE))
TICKET_ANSWERED = register(Event("ticket_answered", _("Ticket answered"), PARTNER_ROLES))
TICKET_OPENED = register(Event("ticket_opened", _("New ticket"), frozenset({Role.CHANNEL_MANAGER, Role.ADMIN})))
FUND_REQUESTED = register(
    Event("fund_requested", _("Fund request submitted"), frozenset({Role.CHANNEL_MANAGER, Role.ADMIN}))
)
FUND_REQUEST_DECIDED = register(
    Event("fund_request_decided", _("Fund request decided"), frozenset({Role.PARTNER_ADMIN}))
)
FUND_CLAIMED = register(Event("fund_claimed", _("Fund claim submitted"), frozenset({Role.FINANCE})))
FUND_CLAIM_DECIDED = register(Event("fund_claim_decided", _("Fund claim decided"), frozenset({Role.PARTNER_ADMIN})))
EXIT_REVIEW = register(Event("exit_review", _("Exit review"), frozenset({Role.CHANNEL_MANAGER, Role.ADMIN})))
INVITATION = register(Event("invitation", _("Invitation"), EVERYONE, member_choosable=False, subscribable=False))
TEST = register(Event("test", _("Test message"), member_choosable=False, subscribable=False))


def get(code: str) -> Event:
    """The event of ``code``; an unknown code is a bug in the caller (KeyError)."""
    return EVENTS[code]


def label_of(code: str) -> str:
    """The event's label, or the code itself for an event no longer registered (old inbox rows)."""
    event = EVENTS.get(code)
    return str(event.label) if event else code


def choosable() -> list[Event]:
    """The events on a member's preferences grid, in registry order."""
    return [event for event in EVENTS.values() if event.member_choosable]


def subscribable_choices() -> list[tuple[str, str]]:
    """``(code, label)`` of the events a webhook may subscribe to."""
    return [(event.code, event.label) for event in EVENTS.values() if event.subscribable]
