"""Eighteen months of channel data for the demo's partners: sales, invoices, collections, write-offs.

Each partner gets a character drawn from the tenant's seeded random source — how much it sells
(by tier), how fast it grows, how well it pays — and its facts follow from it, month by month.
Everything goes through the one fact import service, like an ERP's rows would.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from facts.services import facts_import
from partners.models import PartnerStatus

if TYPE_CHECKING:
    from .seed import DemoTenant

# 24 months, not the 18 the issue named: the growth component compares two 365-day windows,
# and with less than two years behind the latest day the earlier window is half empty.
MONTHS = 24
CENT = Decimal("0.01")
MONTHLY_SALES = {"core": (600_000, 1_500_000), "strategic": (200_000, 600_000), "ordinary": (30_000, 200_000)}
CATEGORIES = {
    "zh-hans": ["服务器", "存储", "网络设备", "软件许可", "云服务", "技术服务"],
    "en": ["Servers", "Storage", "Networking", "Software licences", "Cloud", "Services"],
}
CUSTOMER_WORDS = {
    "zh-hans": ["华", "中", "恒", "瑞", "泰", "鑫", "宏", "远", "海", "天", "盛", "达"],
    "en": ["North", "Blue", "Summit", "River", "Oak", "Bright", "Stone", "Harbor", "Peak", "Silver", "Cedar", "Pine"],
}
CUSTOMER_SUFFIX = {"zh-hans": "科技有限公司", "en": " Ltd"}
WRITE_OFF_REASONS = {
    "zh-hans": ["坏账核销", "库存损耗", "运输损坏"],
    "en": ["Bad debt", "Inventory loss", "Damaged in transit"],
}


@dataclasses.dataclass(frozen=True)
class Character:
    monthly_sales: int  # at the start of the window
    yearly_growth: float  # −0.3 … +0.6
    on_time: float  # the share of invoices paid by their due date
    unpaid: float  # the share of invoices still open (recent ones, mostly)
    margin: float


def _month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.month - 1 - back, 12)
        starts.append(datetime.date(first.year + year, month + 1, 1))
    return starts


def _character(context: DemoTenant, tier: str) -> Character:
    rng = context.rng
    low, high = MONTHLY_SALES[tier]
    return Character(
        monthly_sales=rng.randint(low, high),
        yearly_growth=rng.uniform(-0.3, 0.6),
        on_time=rng.uniform(0.55, 0.98),
        unpaid=rng.uniform(0.0, 0.25),
        margin=rng.uniform(0.08, 0.3),
    )


def _customer(context: DemoTenant) -> str:
    words = CUSTOMER_WORDS[context.language]
    rng = context.rng
    if context.language == "zh-hans":
        return rng.choice(words) + rng.choice(words) + CUSTOMER_SUFFIX["zh-hans"]
    return f"{rng.choice(words)} {rng.choice(words)}{CUSTOMER_SUFFIX['en']}"


def _money(value: float) -> str:
    return str(Decimal(value).quantize(CENT))


def add_facts(context: DemoTenant) -> None:
    """Sales, monthly invoices, collections (some naming their invoice, some late, some missing), write-offs."""
    rng = context.rng
    today = context.today
    months = _month_starts(today, MONTHS)
    sales, invoices, payments, write_offs = [], [], [], []
    prefix = context.spec.code_prefix
    for plan in context.plans:
        if plan.final_status in {PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING}:
            continue
        partner = context.partners[plan.code]
        joined = partner.joined_on or months[0]
        character = _character(context, partner.tier.code)
        customers = [_customer(context) for _ in range(rng.randint(4, 12))]
        for index, start in enumerate(months):
            if start < joined.replace(day=1):
                continue
            growth = (1 + character.yearly_growth) ** (index / 12)
            target = character.monthly_sales * growth * rng.uniform(0.75, 1.25)
            month_total = Decimal(0)
            for number in range(rng.randint(2, 6)):
                amount = Decimal(target / 4 * rng.uniform(0.5, 1.5)).quantize(CENT)
                if rng.random() < 0.04:
                    amount = (-amount / 5).quantize(CENT)  # a return
                day = start + datetime.timedelta(days=rng.randint(0, 27))
                if day > today:
                    continue
                sales.append(
                    {
                        "external_id": f"{prefix}-S-{plan.code}-{index:02d}-{number}",
                        "partner": plan.code,
                        "date": day.isoformat(),
                        "customer": rng.choice(customers) if rng.random() < 0.8 else _customer(context),
                        "product_category": rng.choice(CATEGORIES[context.language]),
                        "amount": str(amount),
                        "cost": str((amount * Decimal(1 - character.margin)).quantize(CENT)) if amount > 0 else "",
                    }
                )
                month_total += amount
            issue = start + datetime.timedelta(days=27)
            if month_total <= 0 or issue > today:
                continue
            number = f"{prefix}-INV-{plan.code}-{start:%Y%m}"
            due = issue + datetime.timedelta(days=partner.payment_terms_days)
            invoices.append(
                {
                    "external_id": number,
                    "partner": plan.code,
                    "number": number,
                    "issue_date": issue.isoformat(),
                    "due_date": due.isoformat(),
                    "amount": str(month_total),
                }
            )
            recent = (today - due).days < 120
            if recent and rng.random() < character.unpaid:
                continue  # still open
            late = 0 if rng.random() < character.on_time else rng.randint(5, 75)
            paid_on = min(today, due - datetime.timedelta(days=rng.randint(0, 10)) + datetime.timedelta(days=late))
            if paid_on < issue:
                paid_on = issue
            part = month_total if rng.random() < 0.85 else (month_total * Decimal("0.6")).quantize(CENT)
            payments.append(
                {
                    "external_id": f"{prefix}-PAY-{plan.code}-{start:%Y%m}",
                    "partner": plan.code,
                    "date": paid_on.isoformat(),
                    "amount": str(part),
                    "invoice": number if rng.random() < 0.7 else "",
                }
            )
        if rng.random() < 0.15:
            day = months[rng.randrange(len(months))] + datetime.timedelta(days=rng.randint(0, 27))
            if day <= today:
                write_offs.append(
                    {
                        "external_id": f"{prefix}-WO-{plan.code}",
                        "partner": plan.code,
                        "date": day.isoformat(),
                        "amount": _money(character.monthly_sales * rng.uniform(0.005, 0.03)),
                        "reason": rng.choice(WRITE_OFF_REASONS[context.language]),
                    }
                )
    for kind, rows in (("sales", sales), ("invoices", invoices), ("payments", payments), ("writeoffs", write_offs)):
        facts_import(kind=kind, rows=enumerate(rows, start=1))
