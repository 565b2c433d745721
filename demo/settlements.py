"""Incentives and settlements in the demo: two rebate programs, a profit-share agreement, a settled
quarter (approved and paid) and the last quarter in draft with a partner's dispute on it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from common.periods import Period
from incentives.services import agreement_create, program_create
from incentives.services.accruals import accruals_compute
from settlements.models import Statement, StatementLine
from settlements.services.runs import settlement_run_execute, settlement_run_start
from settlements.services.statements import statement_approve, statement_dispute, statement_mark_paid
from tenancy.models import Membership
from tenancy.roles import Role

if TYPE_CHECKING:
    from .seed import DemoTenant

WORDS = {
    "zh-hans": {
        "sales": ("季度销售返利", "按季度销售额阶梯返利；达成季度销售目标再乘 1.2。"),
        "cloud": ("云与软件增量激励", "核心与战略伙伴的云服务、软件许可销售，超出部分按更高比例返利。"),
        "cloud_categories": ["云服务", "软件许可"],
        "share": ("核心伙伴利润分成", "有成本的销售按毛利分成；核销损失按比例共担。"),
        "dispute": "云服务的一笔 18 万元订单在 9 月 30 日签约，但未计入本季度销售，请核对。",
        "paid": "招商银行 转账 ",
    },
    "en": {
        "sales": ("Quarterly sales rebate", "Tiered rebate on the quarter's sales; ×1.2 when the sales target is met."),
        "cloud": ("Cloud and software accelerator", "Core and strategic partners: higher rates above each step."),
        "cloud_categories": ["Cloud", "Software licences"],
        "share": ("Core partner profit share", "Margin shared on sales with a cost; write-offs shared too."),
        "dispute": "A 180,000 cloud order signed on 30 September is missing from this quarter's sales: please check.",
        "paid": "Wire transfer ",
    },
}


def add_programs_and_settlements(context: DemoTenant) -> None:
    words = WORDS[context.language]
    admin = context.admin.user
    start = datetime.date(context.today.year - 2, 1, 1)
    name, description = words["sales"]
    program_create(
        actor=admin, code="QUARTERLY-SALES", name=name, description=description, basis="sales",
        method="retroactive", period_kind="quarter", starts_on=start, cap="150000",
        brackets=[{"threshold": "0", "rate_percent": "1"}, {"threshold": "500000", "rate_percent": "2"},
                  {"threshold": "2000000", "rate_percent": "3"}],
        accelerator={"metric": "sales", "min_attainment": "1.0", "multiplier": "1.2"},
    )  # fmt: skip
    name, description = words["cloud"]
    program_create(
        actor=admin, code="CLOUD-BOOST", name=name, description=description, basis="sales",
        method="incremental", period_kind="quarter", starts_on=start, tiers=["core", "strategic"],
        categories=words["cloud_categories"],
        brackets=[{"threshold": "0", "rate_percent": "1.5"}, {"threshold": "300000", "rate_percent": "4"}],
    )  # fmt: skip
    name, description = words["share"]
    agreement_create(
        actor=admin, code="CORE-SHARE", name=name, description=description, period_kind="quarter",
        rates=[{"tier": "core", "rate_percent": "8"}, {"tier": "strategic", "rate_percent": "5"}],
        loss_share_percent="20", starts_on=start,
    )  # fmt: skip
    _settle(context, words)
    # What the nightly job would have left: each partner's rebate to date, shown on its portal.
    accruals_compute(day=context.today - datetime.timedelta(days=1))


def _settle(context: DemoTenant, words: dict) -> None:
    finance = Membership.objects.select_related("user").get(role=Role.FINANCE).user
    last = Period.containing(context.today, "quarter").previous()  # the quarter being settled now
    for period in (last.previous(), last):
        run = settlement_run_start(period=str(period), actor=finance, queue=False)
        settlement_run_execute(run=run)
    settled = Statement.objects.filter(period=str(last.previous()))
    for number, statement in enumerate(settled.order_by("partner__code"), start=1):
        statement_approve(statement=statement, actor=finance)
        statement_mark_paid(statement=statement, payment_reference=f"{words['paid']}{number:04d}", actor=finance)
    # A featured partner's admin disputes a line of the quarter in draft.
    plan = next(plan for plan in context.plans if plan.featured is context.spec.featured[-1])
    partner_admin = context.users[plan.featured.people["partner_admin"].email]
    statement = Statement.objects.filter(period=str(last), partner__code=plan.code).first()
    if statement is not None:
        line = StatementLine.objects.filter(statement=statement, kind="rebate").order_by("source_code").first()
        statement_dispute(
            statement=statement, reason=words["dispute"], actor=partner_admin, line_id=line.pk if line else None
        )
