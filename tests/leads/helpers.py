"""Partners, scores and leads for the lead tests: a region of their own (西南), so the world's partners stay out."""

from __future__ import annotations

import datetime
from decimal import Decimal

from leads import services
from leads.models import Lead
from partners import services as partner_services
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from scoring.models import PartnerScore

REGION = "西南"
DAY = datetime.date(2026, 3, 2)


def partner(code: str, *, industries=("制造",), region: str = REGION, status=PartnerStatus.ACTIVE, **fields) -> Partner:
    return partner_services.partner_create(
        actor=None,
        code=code,
        name=fields.pop("name", f"Partner {code}"),
        kind=PartnerKind.RESELLER,
        tier=fields.pop("tier", None) or Tier.objects.get(code="ordinary"),
        status=status,
        region=region,
        industries=list(industries),
        **fields,
    )


def score(partner_: Partner, value: str, day: datetime.date = DAY) -> PartnerScore:
    figure = Decimal(value)
    return PartnerScore.objects.create(
        partner=partner_,
        day=day,
        **dict.fromkeys(("volume", "growth", "attainment", "collection", "overdue"), figure),
        score=figure,
        weights={"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10},
        recommended_tier=Tier.objects.get(code="ordinary"),
        **dict.fromkeys(
            ("sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365", "outstanding"),
            Decimal("0"),
        ),
        overdue_amount=Decimal("0"),
    )


def new_lead(
    actor=None, *, company: str = "上海示例科技有限公司", industry: str = "制造", region: str = REGION, **fields
) -> Lead:
    return services.lead_create(
        actor=actor, company=company, region=region, industry=industry, value=Decimal("120000.00"), **fields
    )
