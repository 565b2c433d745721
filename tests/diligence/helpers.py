"""Partners on their way in, and what to compare to show that nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from common.dates import tenant_today
from diligence import services as diligence_services
from diligence.models import ChecklistItem, PartnerCheck, PartnerCheckEvent
from partners import services as partner_services
from partners.models import Partner, PartnerKind, StatusChange, Tier
from tenancy.context import require_tenant

VALID_TAX_ID = "91350100M000100Y43"
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return tenant_today(require_tenant())


def prospect(code: str = "P-001", **fields) -> Partner:
    """A new prospect of the tenant in scope (nothing of its checklist met unless ``fields`` say so)."""
    return partner_services.partner_create(
        actor=None,
        code=code,
        name=f"伙伴 {code}",
        kind=PartnerKind.AGENT,
        tier=Tier.objects.get(code="ordinary"),
        **fields,
    )


def item(code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(code=code)


def tick(partner: Partner, code: str, actor=None, note: str = "", evidence=None) -> PartnerCheck:
    return diligence_services.partner_check_tick(
        partner=partner, item=item(code), actor=actor, note=note, evidence=evidence
    )


def add_contract(partner: Partner, number: str = "CT-1") -> None:
    partner_services.contract_create(
        partner=partner, number=number, starts_on=today() - 10 * DAY, ends_on=today() + 365 * DAY
    )


def ready_for_pilot(partner: Partner) -> Partner:
    """An onboarding partner whose pilot checklist is met (tax id, references, a contract)."""
    partner = partner_services.partner_update(partner=partner, actor=None, tax_id=VALID_TAX_ID)
    partner = partner_services.partner_change_status(partner=partner, status="onboarding", effective_on=today())
    tick(partner, "references")
    add_contract(partner, number=f"CT-{partner.code}")
    return partner


def in_pilot(partner: Partner, *, ends_on: datetime.date | None = None) -> Partner:
    partner = ready_for_pilot(partner)
    return partner_services.partner_change_status(
        partner=partner,
        status="pilot",
        effective_on=today(),
        pilot_credit_limit=Decimal("50000.00"),
        pilot_ends_on=ends_on or today() + 60 * DAY,
    )


def state(partner: Partner) -> tuple:
    """The partner's row, its status history and its checklist: to show that a refused move changed nothing."""
    return (
        Partner.objects.filter(pk=partner.pk).values().get(),
        list(StatusChange.objects.filter(partner=partner).values()),
        list(PartnerCheck.objects.filter(partner=partner).values()),
        PartnerCheckEvent.objects.filter(partner_check__partner=partner).count(),
    )
