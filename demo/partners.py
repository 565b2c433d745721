"""The demo's channel: partners across tiers, regions and kinds, with contacts, contracts and history.

Partners are planned first (pure, from the tenant's seeded random source), then written through
the partner services: created in their first tier and status, then moved along their history with
back-dated changes, so "the tier in effect on day D" has something to answer.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from partners import services
from partners.models import Contact, PartnerStatus, Tier

from .catalog import (
    BRANDS,
    CITIES,
    CITY_WEIGHTS,
    CONTACT_TITLES,
    CONTRACT_TERMS,
    CREDIT_LIMIT_RANGE,
    GIVEN_NAMES,
    INDUSTRIES,
    INTERNAL_NOTES,
    KIND_WEIGHTS,
    PAYMENT_TERMS,
    REGIONS,
    STATUS_REASONS,
    STATUS_WEIGHTS,
    SUFFIXES,
    SURNAMES,
    TAGS,
    TIER_REASONS,
    TIER_WEIGHTS,
    FeaturedPartner,
    Localized,
    unified_social_credit_code,
    years_ago,
)

if TYPE_CHECKING:
    import random

    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)
TIER_SCORE_FLOOR = {"core": 80, "strategic": 60, "ordinary": 30}
FEATURED_CREDIT_LIMIT = {"core": Decimal("3000000"), "strategic": Decimal("800000"), "ordinary": Decimal("200000")}


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclasses.dataclass
class PartnerPlan:
    """One partner to make: its fields, and its tier and status paths (first entry = where it starts)."""

    code: str
    fields: dict
    tier_path: list[tuple[str, datetime.date | None]]
    status_path: list[tuple[str, datetime.date | None]]
    contacts: list[dict]
    featured: FeaturedPartner | None = None

    @property
    def final_status(self) -> str:
        return self.status_path[-1][0]

    @property
    def status_dates(self) -> dict[str, datetime.date | None]:
        return dict(self.status_path)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _status_path(
    rng: random.Random, status: str, joined_on: datetime.date | None, today: datetime.date, *, loaded: bool = False
) -> list:
    """Prospect → onboarding → active (on ``joined_on``) → suspended or terminated, as the final status needs."""
    if status == PartnerStatus.PROSPECT or joined_on is None:
        return [(PartnerStatus.PROSPECT, None)]
    onboarding_on = joined_on - datetime.timedelta(days=rng.randint(20, 75))
    if status == PartnerStatus.ONBOARDING:
        return [(PartnerStatus.PROSPECT, None), (PartnerStatus.ONBOARDING, joined_on)]
    if status == PartnerStatus.ACTIVE and not loaded and rng.random() < 0.5:
        return [(PartnerStatus.ACTIVE, None)]  # its vendor never loaded how it got there
    path = [
        (PartnerStatus.PROSPECT, None),
        (PartnerStatus.ONBOARDING, onboarding_on),
        (PartnerStatus.ACTIVE, joined_on),
    ]
    if status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
        path.append((status, _day_between(rng, joined_on + 180 * DAY, today - 7 * DAY)))
    return path


def _tier_path(rng: random.Random, tier: str, joined_on: datetime.date | None, today: datetime.date) -> list:
    """Most partners stay where they started; some climbed there over annual reviews, a few fell."""
    if joined_on is None or (today - joined_on).days < 400:
        return [(tier, None)]
    roll = rng.random()
    if tier == "core" and roll < 0.6:
        starts = ["ordinary", "strategic"] if roll < 0.25 else ["strategic"]
    elif tier == "strategic" and roll < 0.5:
        starts = ["ordinary"]
    elif tier == "ordinary" and roll < 0.1:
        starts = ["strategic"]
    else:
        return [(tier, None)]
    path: list = [(starts[0], None)]
    steps = [*starts[1:], tier]
    # Annual reviews: one change per year, the latest one at least a month ago.
    span_start, span_end = joined_on + 300 * DAY, today - 30 * DAY
    dates = sorted(_day_between(rng, span_start, span_end) for _ in steps)
    path += [(code, day) for code, day in zip(steps, dates, strict=True)]
    return path


def _person(rng: random.Random) -> tuple[Localized, Localized]:
    return rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)


def _contacts(rng: random.Random, language: str, domain: str) -> list[dict]:
    contacts = []
    titles = rng.sample(CONTACT_TITLES, rng.randint(1, 3))
    for index, title in enumerate(titles):
        surname, given = _person(rng)
        name = f"{surname.zh}{given.zh}" if language == "zh-hans" else f"{given.en} {surname.en}"
        contacts.append(
            {
                "name": name,
                "title": title.pick(language),
                "email": f"{given.en.lower()}.{surname.en.lower()}@{domain}",
                "phone": f"1{rng.randint(30, 99)}-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
                "is_primary": index == 0,
            }
        )
    return contacts


def _credit_limit(rng: random.Random, tier: str, status: str, scale: Decimal) -> Decimal | None:
    if status == PartnerStatus.PROSPECT or rng.random() < 0.1:
        return None
    low, high = CREDIT_LIMIT_RANGE[tier]
    amount = Decimal(rng.randint(low, high) * 10_000) * scale
    return (amount / 1000).quantize(Decimal("1")) * 1000


def _plan_featured(context: DemoTenant, number: int, featured: FeaturedPartner) -> PartnerPlan:
    language, today = context.language, context.today
    city = CITIES[featured.city]
    joined_on = years_ago(today, featured.years_joined)
    tier_path: list = [(featured.tier_path[0][0], None)]
    tier_path += [(code, years_ago(today, years)) for code, years in featured.tier_path[1:]]
    return PartnerPlan(
        code=f"{context.spec.code_prefix}-{number:04d}",
        fields={
            "name": f"{city.name.pick(language)}{featured.brand.pick(language)}{featured.suffix.pick(language)}"
            if language == "zh-hans"
            else f"{city.name.en} {featured.brand.en} {featured.suffix.en}",
            "kind": featured.kind,
            "region": REGIONS[city.region].pick(language),
            "industries": [INDUSTRIES[0].pick(language), INDUSTRIES[1].pick(language)],
            "tags": [TAGS[3].pick(language), TAGS[5].pick(language)],
            "credit_limit": (FEATURED_CREDIT_LIMIT[featured.tier] * context.spec.money_scale).quantize(Decimal("1")),
            "payment_terms_days": 60,
            "tax_id": featured.tax_id,
            "manager": context.managers[0].user,
            "joined_on": joined_on,
            "internal_notes": INTERNAL_NOTES[2].pick(language),
        },
        tier_path=tier_path,
        status_path=_status_path(context.rng, PartnerStatus.ACTIVE, joined_on, today, loaded=True),
        contacts=_contacts(context.rng, language, f"{featured.brand.en.lower()}.example"),
        featured=featured,
    )


def _plan_generated(context: DemoTenant, number: int, used_names: set[str], used_tax_ids: set[str]) -> PartnerPlan:
    rng, language, today = context.rng, context.language, context.today
    while True:
        city_key = rng.choices(list(CITY_WEIGHTS), weights=list(CITY_WEIGHTS.values()))[0]
        city, brand, suffix = CITIES[city_key], rng.choice(BRANDS), rng.choice(SUFFIXES)
        if language == "zh-hans":
            name = f"{city.name.zh}{brand.zh}{suffix.zh}"
        else:
            name = f"{city.name.en} {brand.en} {suffix.en}"
        if name not in used_names:
            used_names.add(name)
            break
    tier = _weighted(rng, TIER_WEIGHTS)
    status = _weighted(rng, STATUS_WEIGHTS)
    joined_on = None
    if status != PartnerStatus.PROSPECT:
        earliest = 60 if status in (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING) else 400
        joined_on = today - datetime.timedelta(days=rng.randint(earliest, 4 * 365))
        if status == PartnerStatus.ONBOARDING:
            joined_on = today - datetime.timedelta(days=rng.randint(5, 60))
    tax_id = ""
    if status != PartnerStatus.PROSPECT or rng.random() < 0.5:
        while not tax_id or tax_id in used_tax_ids:
            tax_id = unified_social_credit_code(city.division_code, f"{rng.randint(0, 99_999_999):08d}")
        used_tax_ids.add(tax_id)
    manager = rng.choice(context.managers).user if context.managers and rng.random() < 0.85 else None
    return PartnerPlan(
        code=f"{context.spec.code_prefix}-{number:04d}",
        fields={
            "name": name,
            "kind": _weighted(rng, KIND_WEIGHTS),
            "region": REGIONS[city.region].pick(language),
            "industries": sorted(industry.pick(language) for industry in rng.sample(INDUSTRIES, rng.randint(1, 2))),
            "tags": sorted(tag.pick(language) for tag in rng.sample(TAGS, rng.randint(0, 3))),
            "credit_limit": _credit_limit(rng, tier, status, context.spec.money_scale),
            "payment_terms_days": rng.choice(PAYMENT_TERMS),
            "tax_id": tax_id,
            "manager": manager,
            "joined_on": joined_on,
            "internal_notes": rng.choice(INTERNAL_NOTES).pick(language) if rng.random() < 0.2 else "",
        },
        tier_path=_tier_path(rng, tier, joined_on, today),
        status_path=_status_path(rng, status, joined_on, today),
        contacts=_contacts(rng, language, f"{brand.en.lower()}{number}.example"),
    )


def plan_partners(context: DemoTenant) -> None:
    """Decide every partner up front, from the tenant's seeded random source (same seed, same channel)."""
    used_names: set[str] = set()
    used_tax_ids = {featured.tax_id for featured in context.spec.featured}
    for number in range(1, context.partner_count + 1):
        if number <= len(context.spec.featured):
            plan = _plan_featured(context, number, context.spec.featured[number - 1])
            used_names.add(plan.fields["name"])
        else:
            plan = _plan_generated(context, number, used_names, used_tax_ids)
        context.plans.append(plan)


def create_partners(context: DemoTenant) -> None:
    """Each partner through ``partner_create``, in its first tier and status."""
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    for plan in context.plans:
        context.partners[plan.code] = services.partner_create(
            actor=context.admin.user,
            code=plan.code,
            tier=tiers[plan.tier_path[0][0]],
            status=plan.status_path[0][0],
            **plan.fields,
        )


def add_contacts(context: DemoTenant) -> None:
    """Contacts in one insert: plain rows with no workflow, made from data generated valid."""
    contacts = [
        Contact(partner=context.partners[plan.code], **fields) for plan in context.plans for fields in plan.contacts
    ]
    Contact.objects.bulk_create(contacts)


def add_contracts(context: DemoTenant) -> None:
    """Contracts from the day a partner joined, renewed until today (or until it was terminated).

    A few active partners' last contract runs out within the month: the contract-expiry alert's case.
    """
    rng, today, sequence = context.rng, context.today, 0
    for plan in context.plans:
        dates = plan.status_dates
        if plan.final_status not in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED):
            continue
        starts_on = plan.fields["joined_on"]
        until = dates.get(PartnerStatus.TERMINATED) or today
        terms = rng.choice(CONTRACT_TERMS).pick(context.language)
        periods = []
        while True:
            ends_on = add_years(starts_on, rng.choice((1, 1, 2, 3))) - DAY
            periods.append((starts_on, ends_on))
            if ends_on >= until:
                break
            starts_on = ends_on + DAY
        if plan.final_status == PartnerStatus.ACTIVE and plan.featured is None and rng.random() < 0.06:
            last_start, _last_end = periods[-1]
            periods[-1] = (last_start, max(last_start, today + datetime.timedelta(days=rng.randint(3, 30))))
        for starts_on, ends_on in periods:
            sequence += 1
            services.contract_create(
                partner=context.partners[plan.code],
                number=f"{context.spec.code_prefix}-{starts_on.year}-{sequence:04d}",
                starts_on=starts_on,
                ends_on=ends_on,
                terms=terms,
            )


def add_history(context: DemoTenant, plan: PartnerPlan, tiers: dict[str, Tier]) -> None:
    partner = context.partners[plan.code]
    actor = partner.manager or context.admin.user
    changes = [("status", status, day) for status, day in plan.status_path[1:]]
    changes += [("tier", code, day) for code, day in plan.tier_path[1:]]
    for what, value, day in sorted(changes, key=lambda change: change[2]):
        if what == "status":
            # A load of what happened before Qudao: an administrator's, around the workflow and the checklist.
            partner = services.partner_change_status(
                partner=partner,
                status=value,
                effective_on=day,
                reason=STATUS_REASONS[value].pick(context.language),
                actor=context.admin.user,
                loading_history=True,
            )
        else:
            score = Decimal(TIER_SCORE_FLOOR[value] + context.rng.randint(0, 1500) / 100).quantize(Decimal("0.01"))
            partner = services.partner_change_tier(
                partner=partner,
                tier=tiers[value],
                effective_on=day,
                reason=TIER_REASONS[value].pick(context.language),
                actor=actor,
                score=min(score, Decimal("100.00")),
            )
    context.partners[plan.code] = partner


def record_history(context: DemoTenant) -> None:
    """Back-dated tier and status changes through the services, oldest first, as a vendor loads history."""
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    for plan in context.plans:
        if len(plan.tier_path) > 1 or len(plan.status_path) > 1:
            add_history(context, plan, tiers)


TIER_BENEFITS = {
    "zh-hans": {
        "core": "季度返利最高 3%，另享云与软件增量激励；利润分成 8%；市场活动经费优先审批；"
        "专属渠道经理，每季度业务复盘；新品优先供货。",
        "strategic": "季度返利最高 3%，另享云与软件增量激励；利润分成 5%；可申请市场活动经费；每半年业务复盘。",
        "ordinary": "季度销售返利（1%–3% 阶梯）；线上培训与认证；标准账期 30 天。",
    },
    "en": {
        "core": "Quarterly rebate up to 3% plus the cloud and software accelerator; 8% profit share; market "
        "development funds approved first; a dedicated channel manager and a quarterly business review; first "
        "allocation of new products.",
        "strategic": "Quarterly rebate up to 3% plus the cloud and software accelerator; 5% profit share; market "
        "development funds on request; a business review every six months.",
        "ordinary": "Quarterly sales rebate (1%–3% by bracket); online training and certification; standard 30-day "
        "terms.",
    },
}


def describe_tier_benefits(context: DemoTenant) -> None:
    """What each tier brings, as a vendor writes it (the portal shows the partner's own and the next one's)."""
    for code, benefits in TIER_BENEFITS[context.language].items():
        Tier.objects.filter(code=code).update(benefits=benefits)
