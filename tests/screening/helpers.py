"""Prospects, evaluations and score histories for the screening tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from common.dates import tenant_today
from partners import services as partner_services
from partners.models import Partner, PartnerKind, StatusChange, Tier
from scoring.models import PartnerScore
from screening import services
from screening.models import Evaluation, ExitReview, ScreeningDecision
from tenancy.context import require_tenant

DAY = datetime.timedelta(days=1)
VALID_TAX_ID = "91350100M000100Y43"
CODES = ("strategic_fit", "operating_capability", "resource_complementarity", "credit_compliance", "growth_potential")
SCORE_FIELDS = ("volume", "growth", "attainment", "collection", "overdue", "sales_365", "sales_prior_365",
                "max_sales_365", "payments_365", "invoices_365", "outstanding", "overdue_amount")  # fmt: skip


def today() -> datetime.date:
    return tenant_today(require_tenant())


def prospect(code: str = "P-001", **fields) -> Partner:
    fields.setdefault("kind", PartnerKind.AGENT)
    return partner_services.partner_create(
        actor=None, code=code, name=f"Prospect {code}", tier=Tier.objects.get(code="ordinary"), **fields
    )


def ratings(*values: int, notes: tuple[str, ...] = ()) -> list[dict]:
    """Ratings of the default five criteria, in their order."""
    notes = notes or ("",) * len(values)
    return [
        {"criterion": code, "rating": value, "note": note}
        for code, value, note in zip(CODES, values, notes, strict=False)
    ]


def evaluate(partner: Partner, actor, *values: int, **kwargs) -> Evaluation:
    return services.evaluation_submit(partner=partner, actor=actor, ratings=ratings(*values), **kwargs)


def scores(partner: Partner, days, value: str | Decimal = "30.00") -> None:
    """Nightly score rows for ``partner`` on each of ``days`` (the value the exit rule reads)."""
    tier = Tier.objects.get(code="ordinary")
    PartnerScore.objects.bulk_create(
        [
            PartnerScore(partner=partner, day=day, score=Decimal(value), recommended_tier=tier,
                         weights={"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10},
                         **dict.fromkeys(SCORE_FIELDS, Decimal("0")))
            for day in days
        ]
    )  # fmt: skip


def nightly(end: datetime.date, count: int) -> list[datetime.date]:
    """``count`` consecutive days ending on ``end``."""
    return [end - n * DAY for n in range(count)]


def state(partner: Partner) -> tuple:
    return (
        Partner.objects.filter(pk=partner.pk).values().get(),
        list(StatusChange.objects.filter(partner=partner).values()),
        list(Evaluation.objects.filter(partner=partner).values()),
        list(ScreeningDecision.objects.filter(partner=partner).values()),
        list(ExitReview.objects.filter(partner=partner).values()),
    )


def criterion(code: str, weight: int, name: str = "") -> dict:
    """A scorecard row for ``services.scorecard_update``, anchors "1"…"5"."""
    name = name or code.title()
    return {"code": code, "name_zh": name, "name_en": name, "weight": weight, "anchors_zh": list("12345"),
            "anchors_en": list("12345")}  # fmt: skip
