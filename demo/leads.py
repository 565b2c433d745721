"""The demo's leads (线索分配): a few hundred over the last three months, distributed by the real rules.

Each week a batch of leads arrives (a marketing event's sign-ups) and is distributed by
``leads_create_batch``; the partners answer during the week: most accept, some decline with a
reason (and the lead moves on to the next partner by the same rules), and accepted leads are won
or lost a few weeks later. One offer of a past week is left unanswered and lapses. The last week's
offers still wait for their answers, with their time running. Runs after the scores, so the rules
see the partners' real latest scores.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from leads import services
from leads.models import Assignment, Lead, LeadEvent, LeadStatus
from partners.models import Partner, PartnerStatus

from .catalog import INDUSTRIES, REGIONS, Localized

if TYPE_CHECKING:
    from .seed import DemoTenant

WEEKS = 12
LEADS_PER_WEEK = (18, 30)
WORDS = {
    "zh-hans": ["华", "中", "恒", "瑞", "泰", "鑫", "宏", "远", "海", "天", "盛", "达", "嘉", "润"],
    "en": ["North", "Blue", "Summit", "River", "Oak", "Bright", "Stone", "Harbor", "Peak", "Silver", "Cedar", "Pine"],
}
KINDS = {
    "zh-hans": ["科技有限公司", "制造有限公司", "医院", "物流集团", "商贸有限公司", "教育科技有限公司"],
    "en": [" Technologies", " Manufacturing", " Hospital", " Logistics", " Trading", " Learning"],
}
DECLINE_REASONS = (
    Localized("该客户不在我们的服务半径内", "The customer is outside our service area"),
    Localized("本月团队满负荷，无法跟进", "Our team is fully booked this month"),
    Localized("客户与我方存在历史纠纷", "We have a past dispute with this customer"),
)
LOST_REASONS = (
    Localized("客户预算被砍", "The customer's budget was cut"),
    Localized("输给竞品报价", "Lost to a competitor's price"),
    Localized("项目延期到明年", "The project moved to next year"),
)
CONTACTS = (Localized("王经理", "Ms Wang"), Localized("李总", "Mr Li"), Localized("采购部张工", "Zhang, purchasing"))


def add_leads(context: DemoTenant) -> None:
    rng, language = context.rng, context.language
    regions = sorted(set(Partner.objects.filter(status=PartnerStatus.ACTIVE).values_list("region", flat=True)) - {""})
    if not regions:
        return
    industries = [industry.pick(language) for industry in INDUSTRIES]
    now = timezone.now()
    lapse_planted = False
    for week in range(WEEKS, -1, -1):
        arrived = now - datetime.timedelta(weeks=week, hours=rng.randint(1, 30))
        count = rng.randint(*LEADS_PER_WEEK) if week else 12
        rows = [_row(rng, language, regions, industries) for _ in range(count)]
        # a few leads from a region nobody covers: they wait for a person
        if week % 4 == 1:
            rows.append({**_row(rng, language, regions, industries), "region": _uncovered(language, regions)})
        done = services.leads_create_batch(actor=context.admin.user if context.admin else None, rows=rows, now=arrived)
        ids = [assignment.lead_id for assignment in done.assignments]
        _backdate(ids, arrived)
        if week == 0:
            continue  # this week's offers still wait for their answers
        for lead_id in ids:
            lead = Lead.objects.select_related("partner").get(pk=lead_id)
            if lead.status != LeadStatus.OFFERED:
                continue
            if not lapse_planted and week == 2:
                lapse_planted = True  # nobody answers this one: the lapse moves it on
                continue
            _answer(context, lead, arrived + datetime.timedelta(hours=rng.randint(2, 40)))
        lapse_at = arrived + datetime.timedelta(days=3)
        services.leads_lapse(now=lapse_at)
        for lead in Lead.objects.filter(pk__in=ids, status=LeadStatus.OFFERED).select_related("partner"):
            # the next partner takes on what was declined or let lapse
            services.lead_accept(lead=lead, actor=None, partner=lead.partner, now=lapse_at)


def _row(rng, language: str, regions: list[str], industries: list[str]) -> dict:
    words = WORDS[language]
    name = "".join(rng.sample(words, 2)) if language == "zh-hans" else " ".join(rng.sample(words, 2))
    return {
        "company": f"{name}{rng.choice(KINDS[language])}",
        "region": rng.choice(regions),
        "industry": rng.choice(industries),
        "value": Decimal(rng.randrange(20, 800) * 1000),
        "contact": rng.choice(CONTACTS).pick(language),
    }


def _uncovered(language: str, regions: list[str]) -> str:
    for region in REGIONS.values():
        if region.pick(language) not in regions:
            return region.pick(language)
    return "海外" if language == "zh-hans" else "Overseas"


def _answer(context: DemoTenant, lead: Lead, when: datetime.datetime) -> None:
    """The partner's answer: accept (then won, lost or still working) or decline with a reason (it moves on)."""
    rng, language = context.rng, context.language
    roll = rng.random()
    if roll < 0.15:
        services.lead_decline(
            lead=lead, actor=None, partner=lead.partner, reason=rng.choice(DECLINE_REASONS).pick(language), now=when
        )
        _backdate_events(lead.pk, when)
        return
    services.lead_accept(lead=lead, actor=None, partner=lead.partner, now=when)
    closing = when + datetime.timedelta(days=rng.randint(5, 40))
    if closing < timezone.now():
        outcome = rng.random()
        if outcome < 0.45:
            services.lead_close(lead=lead, actor=None, won=True, now=closing)
        elif outcome < 0.8:
            services.lead_close(
                lead=lead, actor=None, won=False, reason=rng.choice(LOST_REASONS).pick(language), now=closing
            )
    _backdate_events(lead.pk, when)


def _backdate(lead_ids: list[int], when: datetime.datetime) -> None:
    """The history as it happened: the leads, their offers' rows and events dated when they arrived."""
    Lead.objects.filter(pk__in=lead_ids).update(created_at=when)
    LeadEvent.objects.filter(lead_id__in=lead_ids).update(created_at=when)
    Assignment.objects.filter(lead_id__in=lead_ids).update(created_at=when)


def _backdate_events(lead_id: int, when: datetime.datetime) -> None:
    LeadEvent.objects.filter(lead_id=lead_id, created_at__gt=when).update(created_at=when)
