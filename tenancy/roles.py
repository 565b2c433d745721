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
    SEE_INTERNAL = "see_internal"
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
    Capability.REGISTER_DEALS: frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER}),
    Capability.SEE_INTERNAL: VENDOR_ROLES,
    Capability.MANAGE_FUNDS: frozenset({Role.ADMIN, Role.CHANNEL_MANAGER}),
    Capability.APPROVE_FUND_CLAIMS: frozenset({Role.ADMIN, Role.FINANCE}),
    Capability.REQUEST_FUNDS: frozenset({Role.PARTNER_ADMIN}),
}


def role_can(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]
