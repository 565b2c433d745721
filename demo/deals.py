"""The demo's deal registrations (商机报备): a few dozen deals over the last months, in every status.

The featured partner (the demo's partner logins) and another partner registered one customer under
two spellings, both waiting for the vendor: the vendor sees the conflict side by side and approves
one. A second customer is protected by one partner's approved deal while another's waits behind it
(approving that one is refused until the first is rejected, lost or expires). Older approvals have
expired through the nightly step, as the job would have done.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from deals import services
from deals.models import Deal, DealStatus
from partners.models import PartnerStatus
from tenancy.models import Membership
from tenancy.roles import Role

from .catalog import Localized, unified_social_credit_code

if TYPE_CHECKING:
    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)
DEALS_PER_TENANT = 36

CUSTOMERS = (
    Localized("杭州云启数据科技有限公司", "Cloudstart Data Technology Co., Ltd."),
    Localized("苏州恒瑞精密制造股份有限公司", "Hengrui Precision Manufacturing Inc."),
    Localized("南京天盛医疗器械有限公司", "Tiansheng Medical Devices Limited"),
    Localized("广州远达物流集团", "Yuanda Logistics Group"),
    Localized("成都鑫泰能源有限责任公司", "Xintai Energy LLC"),
    Localized("武汉宏海教育科技有限公司", "Honghai Education Technology Ltd"),
    Localized("青岛海瑞船舶设备有限公司", "Hairui Marine Equipment Co., Ltd."),
    Localized("西安中达软件有限公司", "Zhongda Software Corp."),
    Localized("长沙瑞华零售连锁有限公司", "Ruihua Retail Chain Limited"),
    Localized("厦门泰远食品有限公司", "Taiyuan Foods Co., Ltd."),
    Localized("合肥华盛新能源股份有限公司", "Huasheng New Energy Inc."),
    Localized("宁波中恒电子有限公司", "Zhongheng Electronics Ltd"),
)
# The customer two partners registered, as each typed it.
CONTESTED = (
    Localized("上海恒通智能科技股份有限公司", "Hengtong Smart Technology Co., Ltd."),
    Localized("上海 恒通智能科技（有限公司）", "HENGTONG SMART TECHNOLOGY Limited"),
)
PROTECTED = (
    Localized("深圳市鼎新通信有限公司", "Dingxin Communications Co., Ltd."),
    Localized("深圳鼎新通信", "Dingxin Communications Inc."),
)
PRODUCTS = {
    "zh-hans": ["服务器", "存储", "网络设备", "软件许可", "云服务", "技术服务"],
    "en": ["Servers", "Storage", "Networking", "Software licences", "Cloud", "Services"],
}
REJECT_REASONS = (
    Localized("客户已由直销团队跟进。", "The customer is already handled by our direct sales team."),
    Localized("信息不完整，请补充项目预算后重新报备。", "Incomplete: register again with the project's budget."),
)
LOST_REASONS = (
    Localized("客户选择了竞争对手的方案。", "The customer chose a competitor."),
    Localized("项目预算被砍，暂缓采购。", "The project's budget was cut; purchase postponed."),
)
CITIES = (
    Localized("北京", "Beijing"), Localized("天津", "Tianjin"), Localized("重庆", "Chongqing"),
    Localized("郑州", "Zhengzhou"), Localized("济南", "Jinan"),
)  # fmt: skip
APPROVE_NOTE = Localized("首家报备，资料完整。", "First to register; the file is complete.")


def add_deals(context: DemoTenant) -> None:
    """Deals in every status, the two conflicts, and the expiries of the last months."""
    tenant, rng, language, today = context.tenant, context.rng, context.language, context.today
    admin = context.admin.user
    registering = [p for p in context.partners.values() if p.status in (PartnerStatus.ACTIVE, PartnerStatus.PILOT)]
    if len(registering) < 3:
        return
    featured = Membership.objects.filter(role=Role.PARTNER_ADMIN).select_related("partner", "user").first()
    featured_partner = featured.partner if featured else registering[0]
    others = [partner for partner in registering if partner.pk != featured_partner.pk]
    scale = context.spec.money_scale

    def actor_for(partner):
        if featured is not None and partner.pk == featured.partner_id:
            return featured.user
        return partner.manager or admin

    def value() -> Decimal:
        return (Decimal(rng.randint(50, 3000) * 1000) * scale).quantize(Decimal("1"))

    def registered(partner, customer: str, days_ago: int, *, tax_id: str = "") -> Deal:
        deal = services.deal_register(
            actor=actor_for(partner), partner=partner, customer=customer, customer_tax_id=tax_id, value=value(),
            expected_close=today + rng.randint(20, 150) * DAY,
            products=rng.sample(PRODUCTS[language], rng.randint(1, 3)),
        ).deal  # fmt: skip
        _back_date(deal, today - days_ago * DAY, tenant)
        return deal

    # the ordinary run of deals: registered over the last half-year, decided, some closed, some expired
    for index in range(DEALS_PER_TENANT):
        partner = featured_partner if index % 6 == 0 else rng.choice(others)
        customer = _customer(index, language)
        days_ago = rng.randint(1, 180)
        deal = registered(partner, customer, days_ago)
        fate = rng.random()
        if fate < 0.2 or days_ago < 5:
            continue  # still waiting for the vendor
        decider = partner.manager or admin
        decided_on = today - max(1, days_ago - rng.randint(1, 4)) * DAY
        if fate < 0.3:
            services.deal_reject(deal=deal, actor=decider, reason=rng.choice(REJECT_REASONS).pick(language))
            _step_on(deal, "rejected", decided_on, tenant)
            continue
        deal = services.deal_approve(deal=deal, actor=decider, note=APPROVE_NOTE.pick(language))
        _back_date_approval(deal, decided_on, tenant)
        closed_on = min(today, decided_on + rng.randint(5, 60) * DAY)
        if fate < 0.55:
            deal = services.deal_win(deal=deal, actor=actor_for(partner), amount=value())
        elif fate < 0.7:
            deal = services.deal_lose(
                deal=deal, actor=actor_for(partner), reason=rng.choice(LOST_REASONS).pick(language)
            )
        else:
            continue
        Deal.objects.filter(pk=deal.pk).update(closed_on=closed_on)
        _step_on(deal, deal.status, closed_on, tenant)
    # protection that ended: expired by the nightly step of yesterday
    services.deals_expire(day=today - DAY)

    # one customer, two spellings, two partners, both waiting: the vendor chooses
    rival = others[0]
    registered(rival, CONTESTED[0].pick(language), 6)
    registered(featured_partner, CONTESTED[1].pick(language), 2)
    # a protected customer, and another partner's registration waiting behind it (by the tax id)
    tax_id = unified_social_credit_code("440300", f"{rng.randint(0, 99_999_999):08d}")
    holder = others[1]
    protected = registered(holder, PROTECTED[0].pick(language), 20, tax_id=tax_id)
    protected = services.deal_approve(deal=protected, actor=holder.manager or admin, note=APPROVE_NOTE.pick(language))
    _back_date_approval(protected, today - 18 * DAY, tenant)
    registered(others[2] if len(others) > 2 else featured_partner, PROTECTED[1].pick(language), 3, tax_id=tax_id)


def _customer(index: int, language: str) -> str:
    """The ``index``-th customer: the list's, then the same kinds of business in other cities."""
    base = CUSTOMERS[index % len(CUSTOMERS)]
    if index < len(CUSTOMERS):
        return base.pick(language)
    city = CITIES[(index // len(CUSTOMERS) - 1) % len(CITIES)]
    if language == "zh-hans":
        return city.zh + base.zh[2:]
    return f"{city.en} {base.en}"


def _moment(day: datetime.date, tenant, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tenant.zone)


def _step_on(deal: Deal, action: str, day: datetime.date, tenant) -> None:
    """The deal's ``action`` step as if taken on ``day``."""
    deal.transitions.filter(action=action).update(created_at=_moment(day, tenant, 15))


def _back_date(deal: Deal, day: datetime.date, tenant) -> None:
    """As if registered on ``day`` (at ten in the morning, the tenant's time), its first step with it."""
    moment = _moment(day, tenant)
    Deal.objects.filter(pk=deal.pk).update(created_at=moment)
    deal.transitions.filter(action="registered").update(created_at=moment)
    deal.created_at = moment


def _back_date_approval(deal: Deal, day: datetime.date, tenant) -> None:
    """As if approved on ``day``: protected for as many days from then as it was given."""
    days = (deal.protected_until - deal.approved_on).days
    until = day + days * DAY
    Deal.objects.filter(pk=deal.pk, status=DealStatus.APPROVED).update(approved_on=day, protected_until=until)
    deal.approved_on, deal.protected_until = day, until
    deal.transitions.filter(action="approved").update(
        created_at=_moment(day, tenant, 15), details={"protected_until": until.isoformat(), "protection_days": days}
    )
