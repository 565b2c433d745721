"""Deals, and the other partner's own member, for the deal tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from deals import services
from deals.models import Deal, DealStatus
from demo.catalog import unified_social_credit_code
from tenancy import services as tenancy_services
from tenancy.models import Membership
from tenancy.roles import Role
from tests.world import PASSWORD

CLOSE = datetime.date(2026, 12, 31)
TAX_ID = unified_social_credit_code("310000", "12345678")
OTHER_TAX_ID = unified_social_credit_code("440300", "87654321")


def other_partner_admin(world) -> Membership:
    """A partner administrator of the tenant's *other* partner (the shared world has members for ``own`` only)."""
    found = Membership.objects.filter(partner=world.other, role=Role.PARTNER_ADMIN).select_related("user").first()
    if found is not None:
        return found
    return tenancy_services.member_add(
        actor=world.member(Role.ADMIN),
        email=f"other-admin@{world.tenant.slug}.test",
        password=PASSWORD,
        role=Role.PARTNER_ADMIN,
        partner=world.other,
    ).membership


def register(member: Membership, customer: str, *, partner=None, tax_id: str = "", value: str = "1000.00"):
    """Register a deal as ``member`` (for its own partner, or ``partner`` for a vendor member)."""
    return services.deal_register(
        actor=member.user,
        partner=partner or member.partner,
        customer=customer,
        customer_tax_id=tax_id,
        value=Decimal(value),
        expected_close=CLOSE,
        products=["Servers"],
    )


def approved(world, customer: str, *, partner=None, tax_id: str = "") -> Deal:
    """A deal of ``partner`` (the own one by default) registered and approved by the channel manager."""
    manager = world.member(Role.CHANNEL_MANAGER)
    deal = register(manager, customer, partner=partner or world.own, tax_id=tax_id).deal
    deal = services.deal_approve(deal=deal, actor=manager.user)
    assert deal.status == DealStatus.APPROVED
    return deal


def snapshot(deal: Deal) -> tuple:
    fresh = Deal.objects.get(pk=deal.pk)
    return fresh.status, fresh.protected_until, fresh.transitions.count()
