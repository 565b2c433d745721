"""The demo's due diligence (尽职调查) and pilots (试点合作): partners on their way in, part-way through.

Prospects and onboarding partners get some of their checklist ticked by their channel manager,
with notes; two prospects are taken into a pilot through back-dated history (as an administrator
loads it): one whose pilot ended a few days ago with nobody deciding yet, one still running.
Runs last, so nothing an earlier step made or computed changes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from diligence import services as diligence_services
from diligence.models import ChecklistItem
from partners import services
from partners.models import PartnerStatus

from .catalog import Localized, unified_social_credit_code

if TYPE_CHECKING:
    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)

REFERENCE_NOTES = (
    Localized("工商信息正常，无处罚记录；老客户评价良好。", "Registration clean; customers speak well of them."),
    Localized("与前合作厂商核实：回款及时，无冲突。", "Checked with their last vendor: pays on time."),
    Localized("行业口碑不错，核心团队稳定。", "Good name in the trade; a stable core team."),
)
PILOT_TERMS = Localized("试点合作协议：限定区域与产品线", "Pilot agreement: limited regions and product lines")
UNTICK_REASON = Localized("推荐人联系不上，需重新核实。", "The referee could not be reached; to be checked again.")
PILOT_REASONS = {
    PartnerStatus.ONBOARDING: Localized("初筛通过，开始尽职调查", "Screening passed; due diligence started"),
    PartnerStatus.PILOT: Localized("尽调通过，先试点华东两个城市", "Due diligence passed; a pilot in two cities first"),
}


def add_diligence(context: DemoTenant) -> None:
    """Tick part of the checklists of prospects and onboarding partners; put two prospects in a pilot."""
    items = {item.code: item for item in ChecklistItem.objects.all()}
    plans = [plan for plan in context.plans if plan.final_status in (PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING)]
    prospects = [plan for plan in plans if plan.final_status == PartnerStatus.PROSPECT]
    for plan, (pilot_days, ends_in) in zip(prospects, ((70, -4), (25, 65)), strict=False):
        _start_pilot(context, plan.code, items, pilot_days=pilot_days, ends_in=ends_in)
    piloted = {plan.code for plan in prospects[:2]}
    for plan in plans:
        if plan.code not in piloted:
            _tick_some(context, plan, items)


def _actor(context: DemoTenant, partner):
    return partner.manager or context.admin.user


def _tick_some(context: DemoTenant, plan, items: dict[str, ChecklistItem]) -> None:
    """References checked for most onboarding partners and some prospects; now and then taken back."""
    rng, language = context.rng, context.language
    partner = context.partners[plan.code]
    chance = 0.7 if plan.final_status == PartnerStatus.ONBOARDING else 0.3
    if "references" not in items or rng.random() >= chance:
        return
    actor = _actor(context, partner)
    diligence_services.partner_check_tick(
        partner=partner, item=items["references"], actor=actor, note=rng.choice(REFERENCE_NOTES).pick(language)
    )
    if rng.random() < 0.15:
        diligence_services.partner_check_untick(
            partner=partner, item=items["references"], actor=actor, reason=UNTICK_REASON.pick(language)
        )


def _start_pilot(
    context: DemoTenant, code: str, items: dict[str, ChecklistItem], *, pilot_days: int, ends_in: int
) -> None:
    """A prospect taken through onboarding into a pilot that began ``pilot_days`` ago and ends in ``ends_in`` days."""
    today, language, rng = context.today, context.language, context.rng
    partner = context.partners[code]
    admin = context.admin.user
    pilot_on = today - pilot_days * DAY
    onboarding_on = pilot_on - rng.randint(15, 30) * DAY
    changes = {"joined_on": onboarding_on}
    if not partner.tax_id:
        changes["tax_id"] = unified_social_credit_code("310000", f"{rng.randint(0, 99_999_999):08d}")
    partner = services.partner_update(partner=partner, actor=admin, **changes)
    services.contract_create(
        partner=partner,
        number=f"{context.spec.code_prefix}-PILOT-{partner.code}",
        starts_on=pilot_on,
        ends_on=pilot_on + 365 * DAY,
        terms=PILOT_TERMS.pick(language),
    )
    if "references" in items:
        note = REFERENCE_NOTES[0].pick(language)
        diligence_services.partner_check_tick(
            partner=partner, item=items["references"], actor=_actor(context, partner), note=note
        )
    pilot_terms = {
        "pilot_credit_limit": (Decimal("200000") * context.spec.money_scale).quantize(Decimal("1")),
        "pilot_ends_on": today + ends_in * DAY,
    }
    for status, day in ((PartnerStatus.ONBOARDING, onboarding_on), (PartnerStatus.PILOT, pilot_on)):
        partner = services.partner_change_status(
            partner=partner,
            status=status,
            effective_on=day,
            reason=PILOT_REASONS[status].pick(language),
            actor=admin,
            loading_history=True,
            **(pilot_terms if status == PartnerStatus.PILOT else {}),
        )
    context.partners[code] = partner
