"""Screening in the demo (渠道筛选, 动态评估): prospects rated by two colleagues, and a partner under exit review.

Five prospects are evaluated on the scorecard by two channel managers (each with notes): the strongest
proceeds to due diligence, the weakest is declined with a reason, and three wait side by side for a
decision — what a channel manager compares on one screen. Then the partner with the weakest score
history gets the nightly runs of the last 90 days filled in from the scores the demo computed (each
night carries the last computed score: the demo computes them weekly), and the nightly step flags it
for exit review. Runs after the score history, so the scores it reads are there.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Max, Sum

from partners.models import Partner, PartnerStatus
from scoring.models import PartnerScore
from screening import selectors, services
from screening.models import ExitReview, ExitStatus

from .catalog import Localized

if TYPE_CHECKING:
    from .seed import DemoTenant

DAY = datetime.timedelta(days=1)
WINDOW_DAYS = services.EXIT_WINDOW_DAYS

# Two colleagues' ratings of the five criteria (strategic fit … growth potential), per prospect.
PROFILES = (
    ("strong", (5, 4, 4, 4, 4), (4, 4, 5, 3, 4)),
    ("weak", (2, 2, 3, 1, 2), (2, 1, 2, 2, 3)),
    ("middling", (4, 3, 3, 3, 3), (3, 3, 4, 3, 3)),
    ("borderline", (4, 3, 3, 3, 2), (3, 4, 3, 3, 3)),
    ("mixed", (3, 4, 2, 4, 3), (4, 3, 3, 3, 4)),
)
NOTES = {
    5: Localized("明显优于同类伙伴", "Clearly ahead of its peers"),
    4: Localized("较好，有实际案例支撑", "Good, with cases to show for it"),
    3: Localized("一般，需在尽调中核实", "Average; to be checked in due diligence"),
    2: Localized("偏弱，存在明显短板", "Weak, with clear gaps"),
    1: Localized("不满足要求", "Does not meet the bar"),
}
SUMMARIES = {
    "strong": Localized(
        "华东重点行业客户资源丰富，团队稳定。", "Strong customer base in our key industries; a stable team."
    ),
    "weak": Localized("主营低价项目，与我方定位不符。", "Lives on low-price deals; does not fit our positioning."),
    "middling": Localized("基本面尚可，需补充服务能力。", "Sound basics; its service capacity needs work."),
    "borderline": Localized(
        "区域覆盖好，但信用资料不全。", "Good regional reach, but its credit papers are incomplete."
    ),
    "mixed": Localized("运营能力强，战略方向待沟通。", "Strong operations; its direction needs a conversation."),
}
DECLINE_REASON = Localized(
    "与现有渠道区域重叠，且主营低价项目。", "Overlaps our channel's regions and lives on low-price deals."
)
PROCEED_REASON = Localized("两位评估人一致推荐，进入尽职调查。", "Both evaluators recommend it; due diligence next.")


def plant_weak_partner(context: DemoTenant) -> None:
    """Before the scores: the active partner with the smallest sales stops paying — large invoices, issued five
    months ago and overdue since four, that it never settles — so its nightly score stays low for 90 days."""
    from facts.models import Invoice, Sale
    from facts.services import facts_import
    from targets.models import Target

    featured = {plan.code for plan in context.plans if plan.featured is not None}
    year_ago = context.today - 365 * DAY
    totals = dict(
        Sale.objects.filter(date__gte=year_ago)
        .values("partner_id")
        .annotate(total=Sum("amount"))
        .values_list("partner_id", "total")
    )
    candidates = Partner.objects.filter(status=PartnerStatus.ACTIVE, manager__isnull=False).exclude(code__in=featured)
    with_targets = set(Target.objects.values_list("partner_id", flat=True))
    # Without targets its attainment is a neutral 50; the smallest sales keep its volume low.
    partner = min(
        candidates.order_by("code"),
        key=lambda found: (found.pk in with_targets, totals.get(found.pk) or 0),
        default=None,
    )
    if partner is None:
        return
    billed = Invoice.objects.filter(partner=partner, issue_date__gte=year_ago).aggregate(total=Sum("amount"))["total"]
    sold = Sale.objects.filter(partner=partner, date__gte=year_ago).aggregate(total=Sum("amount"))["total"]
    amount = max(billed or 0, sold or 0, Decimal("200000")) * 20
    issued = context.today - 150 * DAY
    rows = [
        {
            "external_id": f"{context.spec.code_prefix}-I-{partner.code}-UNPAID-{number}",
            "partner": partner.code,
            "number": f"{partner.code}-BULK-{number}",
            "issue_date": (issued + number * DAY).isoformat(),
            "due_date": (issued + (30 + number) * DAY).isoformat(),
            "amount": str((amount / 2).quantize(Decimal("0.01"))),
        }
        for number in (1, 2)
    ]
    facts_import(kind="invoices", rows=enumerate(rows, start=1))


def add_screening(context: DemoTenant) -> None:
    _evaluate_prospects(context)
    _flag_the_weakest(context)


def _evaluators(context: DemoTenant) -> list:
    people = [member.user for member in context.managers[:2]]
    while len(people) < 2:
        people.append(context.admin.user)
    return people


def _evaluate_prospects(context: DemoTenant) -> None:
    language = context.language
    prospects = list(Partner.objects.filter(status=PartnerStatus.PROSPECT).order_by("code")[: len(PROFILES)])
    if not prospects:
        return
    criteria = selectors.scorecard()
    first, second = _evaluators(context)
    by_profile = {}
    for partner, (profile, mine, theirs) in zip(prospects, PROFILES, strict=False):
        for evaluator, values in ((first, mine), (second, theirs)):
            services.evaluation_submit(
                partner=partner,
                actor=evaluator,
                ratings=[
                    {"criterion": criterion.code, "rating": value, "note": NOTES[value].pick(language)}
                    for criterion, value in zip(criteria, values, strict=False)
                ],
                summary=SUMMARIES[profile].pick(language),
            )
        by_profile[profile] = partner
    if "strong" in by_profile:
        services.screening_decide(
            partner=by_profile["strong"], actor=first, decision="proceed", reason=PROCEED_REASON.pick(language)
        )
    if "weak" in by_profile:
        services.screening_decide(
            partner=by_profile["weak"], actor=first, decision="decline", reason=DECLINE_REASON.pick(language)
        )


def _flag_the_weakest(context: DemoTenant) -> None:
    """The active partner with the weakest last 90 days: its nightly runs filled in, then the nightly flag."""
    yesterday = context.today - DAY
    start = yesterday - (WINDOW_DAYS - 1) * DAY
    threshold = selectors.screening_settings().exit_threshold
    highest = (
        PartnerScore.objects.filter(day__gte=start, day__lte=yesterday, partner__status=PartnerStatus.ACTIVE)
        .values("partner_id")
        .annotate(highest=Max("score"))
        .order_by("highest", "partner_id")
        .first()
    )
    if highest is None:
        return
    partner = Partner.objects.get(pk=highest["partner_id"])
    if highest["highest"] >= threshold:
        if not ExitReview.objects.filter(partner=partner, status=ExitStatus.OPEN).exists():
            reason = Localized(
                "评分长期偏低，回款放缓，需评估是否继续合作。",
                "Its score has been low for months and collections are slowing.",
            )
            services.exit_review_open(partner=partner, actor=context.admin.user, reason=reason.pick(context.language))
        return
    _fill_nightly_runs(partner, start, yesterday)
    services.exit_reviews_flag(day=yesterday)


def _fill_nightly_runs(partner: Partner, start: datetime.date, end: datetime.date) -> None:
    """A row for every night from ``start`` to ``end``: the last score computed before it (or the first after)."""
    rows = list(PartnerScore.objects.filter(partner=partner, day__lte=end).order_by("day"))
    known = {row.day for row in rows}
    copies = []
    day = start
    while day <= end:
        if day not in known:
            earlier = [row for row in rows if row.day < day]
            source = earlier[-1] if earlier else next(row for row in rows if row.day > day)
            copy = PartnerScore.objects.get(pk=source.pk)
            copy.pk = None
            copy.id = None
            copy.day = day
            copies.append(copy)
        day += DAY
    PartnerScore.objects.bulk_create(copies)
