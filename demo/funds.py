"""Market development funds in the demo: last quarter's fund, open to every tier, with requests and claims in every
state and approved claims that the settlement step (next) pays on the partners' statements; this quarter's fund for
core and strategic partners, with a request and a claim waiting for the vendor's decision."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.periods import Period
from funds import services
from funds.models import FundClaim, FundEvent, FundRequest
from partners.models import Partner, PartnerStatus
from tenancy.models import Membership
from tenancy.roles import Role

if TYPE_CHECKING:
    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")

WORDS = {
    "zh-hans": {
        "last": ("季度市场活动基金", "所有等级的伙伴均可申请，支持展会、客户研讨会与联合推广。"),
        "current": ("本季度核心与战略伙伴市场基金", "核心与战略伙伴的本地市场推广活动。"),
        "activities": [
            "华东区行业展会展位",
            "重点客户技术研讨会",
            "线上联合推广活动",
            "新品发布路演",
            "渠道伙伴培训会",
        ],
        "plan": "目标客户约 80 家，预计带来 15 个以上商机；费用含场地、物料与讲师。",
        "done": "活动已按计划完成，附发票、现场照片与签到表。",
        "lower": "餐饮费用不在市场基金报销范围内。",
        "reject_request": "活动与本基金支持的方向不符，建议申请下季度的联合推广。",
        "reject_claim": "发票抬头与合作伙伴名称不一致，请更正后重新提交。",
    },
    "en": {
        "last": (
            "Quarterly market development fund",
            "Every tier: trade shows, customer seminars and joint campaigns.",
        ),
        "current": (
            "This quarter's fund for core and strategic partners",
            "Local marketing by core and strategic partners.",
        ),
        "activities": [
            "Booth at the regional trade show",
            "Key-account technical seminar",
            "Joint online campaign",
            "Product launch roadshow",
            "Partner sales training day",
        ],
        "plan": "About 80 target customers, 15+ opportunities expected; venue, materials and speakers included.",
        "done": "Held as planned; invoices, photos and the attendee list attached.",
        "lower": "Meals are not covered by market development funds.",
        "reject_request": "Outside what this fund supports; consider next quarter's joint campaign.",
        "reject_claim": "The invoices are made out to another company name; please correct and claim again.",
    },
}


def _proof(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo proof\n", content_type="application/pdf")


def _money(context: DemoTenant, amount: int) -> Decimal:
    return (Decimal(amount) * context.spec.money_scale).quantize(Decimal("100"))


def _featured(context: DemoTenant, index: int) -> tuple[Partner | None, object | None]:
    plan = next((plan for plan in context.plans if plan.featured is context.spec.featured[index]), None)
    if plan is None:
        return None, None
    partner = Partner.objects.select_related("tier").filter(code=plan.code, status=PartnerStatus.ACTIVE).first()
    admin = context.users.get(plan.featured.people["partner_admin"].email)
    return partner, admin


def _backdate(claim: FundClaim, day: datetime.date) -> None:
    """Decided on ``day`` of last quarter (the demo is made today): the day the settlement run looks at."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    FundClaim.objects.filter(pk=claim.pk).update(decided_on=day, decided_at=moment)
    FundEvent.objects.filter(claim=claim, action__in=["claim_approved", "claim_rejected"]).update(created_at=moment)


def add_funds(context: DemoTenant) -> None:
    words = WORDS[context.language]
    admin = context.admin.user
    manager = context.managers[0].user if context.managers else admin
    finance = Membership.objects.select_related("user").get(role=Role.FINANCE).user
    current = Period.containing(context.today, "quarter")
    last = current.previous()
    activities = words["activities"]

    name, description = words["last"]
    last_fund = services.fund_create(
        actor=admin, code=f"MDF-{last}", name=name, description=description, period=str(last),
        budget=_money(context, 300000),
    )  # fmt: skip
    name, description = words["current"]
    current_fund = services.fund_create(
        actor=admin, code=f"MDF-{current}", name=name, description=description, period=str(current),
        budget=_money(context, 200000), tiers=["core", "strategic"],
    )  # fmt: skip

    featured, featured_admin = _featured(context, 0)
    second, _second_admin = _featured(context, 1)
    others = list(
        Partner.objects.select_related("tier")
        .filter(status=PartnerStatus.ACTIVE)
        .exclude(pk__in=[p.pk for p in (featured, second) if p is not None])
        .order_by("code")[:4]
    )
    partners = [p for p in (featured, *others) if p is not None]
    if not partners:
        return
    partner_admins = {
        m.partner_id: m.user for m in Membership.objects.filter(role=Role.PARTNER_ADMIN).select_related("user")
    }
    if featured is not None and featured_admin is not None:
        partner_admins[featured.pk] = featured_admin

    def asked(fund, partner, number: int, amount: int, planned: datetime.date) -> FundRequest:
        return services.fund_request_submit(
            fund=fund, partner=partner, actor=partner_admins.get(partner.pk), activity=activities[number % 5],
            planned_on=planned, amount=_money(context, amount), plan=words["plan"],
        )  # fmt: skip

    planned = last.start + 20 * DAY
    approved_on = min(last.end - 10 * DAY, context.today - DAY)
    # The featured partner's trade show: approved, claimed, and the claim approved — the next run pays it.
    paid = services.fund_request_approve(request=asked(last_fund, partners[0], 0, 60000, planned), actor=manager)
    claim = services.fund_claim_submit(
        request=paid, actor=partner_admins.get(partners[0].pk), amount=_money(context, 52000),
        files=[_proof("invoice.pdf"), _proof("attendees.pdf")], description=words["done"],
    )  # fmt: skip
    _backdate(services.fund_claim_approve(claim=claim, actor=finance), approved_on)
    for number in range(1, 5):  # a small demo has few partners: one may hold several requests
        partner = partners[number % len(partners)]
        request = asked(last_fund, partner, number, 30000 + 10000 * number, planned + number * 7 * DAY)
        if number == 1:  # approved lower, claimed, and the claim approved lower with a reason
            request = services.fund_request_approve(
                request=request, actor=manager, amount=_money(context, 35000), reason=words["lower"]
            )
            claim = services.fund_claim_submit(
                request=request, actor=partner_admins.get(partner.pk), amount=_money(context, 34000),
                files=[_proof("invoice.pdf")], description=words["done"],
            )  # fmt: skip
            decided = services.fund_claim_approve(
                claim=claim, actor=finance, amount=_money(context, 30000), reason=words["lower"]
            )
            _backdate(decided, approved_on)
        elif number == 2:  # approved, and the claim rejected with a reason
            request = services.fund_request_approve(request=request, actor=manager)
            claim = services.fund_claim_submit(
                request=request, actor=partner_admins.get(partner.pk), amount=_money(context, 20000),
                files=[_proof("invoice.pdf")], description=words["done"],
            )  # fmt: skip
            _backdate(services.fund_claim_reject(claim=claim, actor=finance, reason=words["reject_claim"]), approved_on)
        elif number == 3:
            services.fund_request_reject(request=request, actor=manager, reason=words["reject_request"])
        # number 4: still waiting for a decision

    # This quarter: the featured partner's request approved with a claim waiting for finance; another request waiting.
    soon = min(context.today + 14 * DAY, current.end)
    eligible = [p for p in (featured, second, *others) if p is not None and not services.fund_open_to(current_fund, p)]
    if eligible:
        request = services.fund_request_approve(request=asked(current_fund, eligible[0], 3, 40000, soon), actor=manager)
        services.fund_claim_submit(
            request=request, actor=partner_admins.get(eligible[0].pk), amount=_money(context, 15000),
            files=[_proof("deposit-invoice.pdf")], description=words["done"],
        )  # fmt: skip
        asked(current_fund, eligible[-1], 4, 25000, soon)
