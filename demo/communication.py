"""The demo's communication (沟通机制): announcements, quarterly business reviews, feedback tickets and pulses.

- Three announcements: one to the core partners that asks for an acknowledgement and is still unread
  (the Dingsheng owner sees the banner; the vendor sees who is missing), one to everyone, read in part,
  and an older one to resellers and service providers, read and done.
- A review of each featured partner for each of the last two quarters, with action items on both sides
  (some done, some overdue, some ahead), and a review of a few other partners for the last quarter.
- Tickets of the featured partners over the last year: answered inside and outside the SLA, rated on
  closing, one still waiting.
- The satisfaction question answered by every partner user in each of the last four quarters, rising,
  and by the Dingsheng owner this quarter already (the others still see the question).

Runs last: the reviews take the figures the other steps made.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from common.periods import Period, PeriodKind
from communication import services
from communication.models import (
    ActionItem,
    ActionStatus,
    Announcement,
    AnnouncementReceipt,
    Pulse,
    Side,
    Ticket,
    TicketMessage,
    TicketStatusChange,
)
from partners.models import Partner
from tenancy.models import Membership
from tenancy.roles import PARTNER_ROLES

from .catalog import Localized

if TYPE_CHECKING:
    from .seed import DemoTenant

ANNOUNCEMENTS = (
    # (title, body, audience, values, requires acknowledgement, days ago)
    (
        Localized(
            "核心伙伴：2026 年渠道行为规范（请确认）",
            "Core partners: the 2026 channel code of conduct (please acknowledge)",
        ),
        Localized(
            "各位核心伙伴：\n\n新版**渠道行为规范**自下月 1 日起执行，要点如下：\n\n"
            "- 商机报备后 90 天内享有保护期；\n- 跨区销售须提前报备；\n- 返利按季度结算，随结算单发放。\n\n"
            "请阅读后点击“我已阅读”确认。详情见 [渠道政策](https://example.com/policy)。",
            "Dear core partners,\n\nThe new **channel code of conduct** applies from the 1st of next month:\n\n"
            "- a registered deal is protected for 90 days;\n- selling outside your region is registered first;\n"
            "- rebates are settled quarterly, on your settlement statement.\n\n"
            "Please read it and confirm with “I have read it”. Details: [channel policy](https://example.com/policy).",
        ),
        "tiers",
        ["core"],
        True,
        3,
    ),
    (
        Localized("第二季度新品发布与培训安排", "Q2 product launch and training"),
        Localized(
            "新品 **X7 系列**将于下月上市。\n\n1. 线上培训：每周三 14:00\n"
            "2. 演示样机：可向渠道经理申请\n\n欢迎报名参加。",
            "The **X7 series** launches next month.\n\n1. Online training: Wednesdays at 14:00\n"
            "2. Demo units: ask your channel manager\n\nSign up now.",
        ),
        "everyone",
        [],
        False,
        12,
    ),
    (
        Localized("结算单查看方式调整", "A new way to read your settlement statements"),
        Localized(
            "结算单现在可在门户中直接下载 PDF，并可在线提出申诉。",
            "Statements now download as PDF from the portal, and you can dispute them online.",
        ),
        "kinds",
        ["reseller", "service_provider", "distributor"],
        True,
        60,
    ),
)

ACTIONS = (
    # (title, side, due in days after the review, done?)
    (Localized("提交下季度备货计划", "Send next quarter's stock plan"), Side.PARTNER, 14, True),
    (Localized("确认市场活动经费申请", "Confirm the market fund request"), Side.VENDOR, 10, True),
    (Localized("完成两名销售的产品认证", "Certify two sales people on the new line"), Side.PARTNER, 45, False),
    (Localized("安排华东区联合拜访", "Plan joint customer visits in the east"), Side.VENDOR, 30, False),
    (Localized("清理 60 天以上逾期应收", "Clear receivables overdue by more than 60 days"), Side.PARTNER, 21, False),
)
ATTENDEES = Localized("渠道经理、伙伴总经理、销售负责人", "Channel manager, partner's general manager, head of sales")
MINUTES = Localized(
    "回顾本期销售与回款，达成率基本符合预期；讨论了新品推广与应收账款管理，约定以下行动项。",
    "We went through the period's sales and collections (attainment roughly as planned), the new line's launch "
    "and receivables; the action items below were agreed.",
)
TICKETS = (
    # (category, subject, body, answer, hours to answer (None: waiting), rating, days ago)
    (
        "pricing",
        Localized("X5 系列价格调整的生效日期", "When does the X5 price change apply?"),
        Localized(
            "客户询问新价格何时生效，老订单是否按原价？",
            "A customer asks when the new prices apply; do open orders keep the old price?",
        ),
        Localized(
            "4 月 1 日起生效，此前已确认的订单按原价执行。",
            "From 1 April; orders confirmed before then keep the old price.",
        ),
        3,
        5,
        300,
    ),
    (
        "settlement",
        Localized("第三季度结算单返利金额疑问", "Question on the Q3 rebate on our statement"),
        Localized(
            "返利比我们估算的少约 2%，请帮忙核对。", "The rebate is about 2% below our estimate; could you check?"
        ),
        Localized(
            "已核对：一笔退货冲减了销售额，明细见结算单第 4 行。",
            "Checked: a return reduced the sales; see line 4 of the statement.",
        ),
        30,
        3,
        200,
    ),
    (
        "conflict",
        Localized("杭州某客户被其他伙伴重复报价", "Another partner quoted our Hangzhou customer"),
        Localized(
            "我们已报备该商机，但客户收到了另一家伙伴的报价。",
            "We registered this deal, but the customer got a quote from another partner.",
        ),
        Localized(
            "已确认贵司报备在先，已通知对方撤回报价。",
            "Your registration came first; the other partner has been asked to withdraw.",
        ),
        6,
        4,
        110,
    ),
    (
        "product",
        Localized("演示样机申请", "Request for demo units"),
        Localized(
            "下月有两场客户活动，希望借用两台样机。",
            "We have two customer events next month and would like two demo units.",
        ),
        Localized("样机已安排，下周发出。", "The units are booked and ship next week."),
        2,
        5,
        20,
    ),
    (
        "support",
        Localized("门户登录后看不到最新结算单", "The latest statement does not show in the portal"),
        Localized("上个月的结算单还没有出现在门户中。", "Last month's statement has not appeared in the portal yet."),
        None,
        None,
        None,
        0,
    ),
)
PULSE_SCORES = ((6, 5, 7), (7, 8, 6), (9, 8, 7), (9, 10, 9))  # four quarters, oldest first: rising


def add_communication(context: DemoTenant) -> None:
    featured = [context.partners[plan.code] for plan in context.plans if plan.featured is not None]
    _announcements(context)
    _reviews(context, featured)
    _tickets(context, featured)
    _pulses(context)


def _at(context: DemoTenant, days_ago: float, hour: int = 10) -> datetime.datetime:
    day = context.today - datetime.timedelta(days=int(days_ago))
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=context.tenant.zone)


def _manager_user(context: DemoTenant, partner: Partner):
    return partner.manager or context.admin.user


def _announcements(context: DemoTenant) -> None:
    language = context.language
    for title, body, audience, values, requires_ack, days_ago in ANNOUNCEMENTS:
        announcement = services.announcement_publish(
            actor=context.managers[0].user if context.managers else context.admin.user,
            title=title.pick(language), body=body.pick(language), audience=audience, audience_values=values,
            requires_acknowledgement=requires_ack,
        )  # fmt: skip
        published = _at(context, days_ago, 9)
        Announcement.objects.filter(pk=announcement.pk).update(published_at=published)
        receipts = list(AnnouncementReceipt.objects.filter(announcement=announcement).order_by("member_id"))
        if days_ago == 3:
            continue  # fresh: nobody has read it yet
        share = len(receipts) if days_ago > 30 else max(1, len(receipts) // 2)  # the recent one, read in part
        for index, receipt in enumerate(receipts[:share]):
            read_at = published + datetime.timedelta(hours=5 + 7 * index)
            AnnouncementReceipt.objects.filter(pk=receipt.pk).update(
                read_at=read_at, acknowledged_at=read_at if requires_ack else None
            )


def _quarters_back(context: DemoTenant, count: int) -> list[Period]:
    current = Period.containing(context.today, PeriodKind.QUARTER)
    return [current.shifted(-steps) for steps in range(count, 0, -1)]


def _reviews(context: DemoTenant, featured: list[Partner]) -> None:
    language, rng = context.language, context.rng
    others = [partner for partner in context.partners.values() if partner not in featured][:3]
    quarters = _quarters_back(context, 2)
    for quarter in quarters:
        for partner in featured + (others if quarter == quarters[-1] else []):
            held_on = min(quarter.end + datetime.timedelta(days=rng.randint(6, 14)), context.today)
            review = services.review_schedule(
                actor=_manager_user(context, partner), partner=partner, period=str(quarter), held_on=held_on,
                attendees=ATTENDEES.pick(language), minutes=MINUTES.pick(language),
            )  # fmt: skip
            for title, side, due_in, done in ACTIONS[: 5 if partner in featured else 3]:
                due_on = held_on + datetime.timedelta(days=due_in)
                item = services.action_item_create(
                    actor=_manager_user(context, partner), review=review, title=title.pick(language),
                    owner_side=side, due_on=due_on,
                )  # fmt: skip
                finished = done or (quarter != quarters[-1] and due_on < context.today)
                if finished:
                    ActionItem.objects.filter(pk=item.pk).update(status=ActionStatus.DONE)


def _tickets(context: DemoTenant, featured: list[Partner]) -> None:
    language = context.language
    writers = {
        partner.pk: list(Membership.objects.filter(partner=partner, role__in=sorted(PARTNER_ROLES)))
        for partner in featured
    }
    vendor = context.managers[0] if context.managers else context.admin
    for index, (category, subject, body, answer, hours, rating, days_ago) in enumerate(TICKETS):
        partner = featured[index % len(featured)] if featured else None
        if partner is None or not writers[partner.pk]:
            continue
        author = writers[partner.pk][index % len(writers[partner.pk])]
        ticket = services.ticket_open(
            actor=author, category=category, subject=subject.pick(language), body=body.pick(language)
        )
        if answer is None:
            continue  # still waiting for its answer, opened just now
        opened = _at(context, days_ago, 9)
        sla = ticket.answer_due_at - ticket.opened_at
        Ticket.objects.filter(pk=ticket.pk).update(opened_at=opened, answer_due_at=opened + sla)
        TicketMessage.objects.filter(ticket=ticket).update(created_at=opened)
        TicketStatusChange.objects.filter(ticket=ticket).update(created_at=opened)
        message = services.ticket_message_add(actor=vendor, ticket=ticket, body=answer.pick(language))
        answered = opened + datetime.timedelta(hours=hours)
        TicketMessage.objects.filter(pk=message.pk).update(created_at=answered)
        Ticket.objects.filter(pk=ticket.pk).update(first_answered_at=answered)
        ticket.refresh_from_db()
        services.ticket_close(actor=author, ticket=ticket, rating=rating)
        closed = answered + datetime.timedelta(days=1)
        Ticket.objects.filter(pk=ticket.pk).update(closed_at=closed)
        TicketStatusChange.objects.filter(ticket=ticket, created_at__gt=opened).exclude(to_status="closed").update(
            created_at=answered
        )
        TicketStatusChange.objects.filter(ticket=ticket, to_status="closed").update(created_at=closed)


def _pulses(context: DemoTenant) -> None:
    members = list(
        Membership.objects.filter(role__in=sorted(PARTNER_ROLES), is_active=True)
        .select_related("partner")
        .order_by("partner__code", "id")
    )
    for quarter, scores in zip(_quarters_back(context, 4), PULSE_SCORES, strict=True):
        for index, member in enumerate(members):
            Pulse.objects.create(
                partner=member.partner, member=member, tier_id=member.partner.tier_id, quarter=str(quarter),
                score=scores[index % len(scores)],
            )  # fmt: skip
    current = str(Period.containing(context.today, PeriodKind.QUARTER))
    if members:
        first = members[0]
        Pulse.objects.create(partner=first.partner, member=first, tier_id=first.partner.tier_id, quarter=current,
                             score=9)  # fmt: skip
