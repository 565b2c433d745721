"""Roles (SPEC §1) and what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    FINANCE = "finance", _("Finance")
    RISK = "risk", _("Risk")
    VIEWER = "viewer", _("Viewer")
    PARTNER_ADMIN = "partner_admin", _("Partner administrator")
    PARTNER_USER = "partner_user", _("Partner user")


VENDOR_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.FINANCE, Role.RISK, Role.VIEWER})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})


class Capability(models.TextChoices):
    """Things a role may do beyond reading what it can see."""

    MANAGE_MEMBERS = "manage_members"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_PARTNERS = "manage_partners"
    MANAGE_TIERS = "manage_tiers"
    WRITE_FACTS = "write_facts"
    MANAGE_TARGETS = "manage_targets"
    MANAGE_PROGRAMS = "manage_programs"
    RUN_SETTLEMENTS = "run_settlements"
    MANAGE_RISK = "manage_risk"
    DISPUTE_STATEMENTS = "dispute_statements"
    REGISTER_DEALS = "register_deals"
    DECIDE_DEALS = "decide_deals"
    SEE_INTERNAL = "see_internal"
    MANAGE_LEADS = "manage_leads"
    ANSWER_LEADS = "answer_leads"
    CLOSE_LEADS = "close_leads"
    MANAGE_COMMUNICATION = "manage_communication"  # publish announcements, hold reviews, answer tickets
    GIVE_FEEDBACK = "give_feedback"  # partner side: read and acknowledge, open tickets, answer the pulse
    CONVERSE = "converse"  # both sides: write in a ticket, close it, update one's own side's action items
    MANAGE_FUNDS = "manage_funds"  # market development funds: set them up, decide partners' requests
    APPROVE_FUND_CLAIMS = "approve_fund_claims"
    REQUEST_FUNDS = "request_funds"  # ask for a fund and claim what was spent


CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.MANAGE_MEMBERS: frozenset({Role.ADMIN, Role.PARTNER_ADMIN}),
    Capability.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Capability.MANAGE_PARTNERS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.MANAGE_TIERS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.WRITE_FACTS: frozenset({Role.ADMIN, Role.FINANCE}),
    Capability.MANAGE_TARGETS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.MANAGE_PROGRAMS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.RUN_SETTLEMENTS: frozenset({Role.ADMIN, Role.FINANCE}),
    Capability.MANAGE_RISK: frozenset({Role.ADMIN, Role.RISK}),
    Capability.DISPUTE_STATEMENTS: frozenset({Role.PARTNER_ADMIN}),
    # A partner registers its deals and says how they ended; admins and channel managers do so on its behalf.
    Capability.REGISTER_DEALS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN, Role.PARTNER_USER}),
    Capability.DECIDE_DEALS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.SEE_INTERNAL: VENDOR_ROLES,
    # Leads (SPEC §1): the vendor's managers create and assign them, a partner's administrator accepts
    # or declines an offer, and an accepted lead is closed as won or lost by either side.
    Capability.MANAGE_LEADS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.ANSWER_LEADS: frozenset({Role.PARTNER_ADMIN}),
    Capability.CLOSE_LEADS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN}),
    Capability.MANAGE_COMMUNICATION: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.GIVE_FEEDBACK: PARTNER_ROLES,
    Capability.CONVERSE: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}) | PARTNER_ROLES,
    Capability.MANAGE_FUNDS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.APPROVE_FUND_CLAIMS: frozenset({Role.ADMIN, Role.FINANCE}),
    Capability.REQUEST_FUNDS: frozenset({Role.PARTNER_ADMIN}),
}


def role_can(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]
