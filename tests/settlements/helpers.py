"""Programs and agreements for settlement tests, made directly (the rules, not their editing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from incentives.models import ProfitShareAgreement, ProfitShareVersion, RebateProgram, RebateProgramVersion

SPEC_BRACKETS = [
    {"threshold": "0", "rate_percent": "1"},
    {"threshold": "100000", "rate_percent": "2"},
    {"threshold": "500000", "rate_percent": "3"},
]


def program(code="Q-REBATE", *, number=1, **rules) -> RebateProgramVersion:
    found, _created = RebateProgram.objects.get_or_create(code=code, defaults={"name": f"Program {code}"})
    values = {
        "basis": "sales",
        "method": "retroactive",
        "period_kind": "quarter",
        "brackets": SPEC_BRACKETS,
        "starts_on": datetime.date(2020, 1, 1),
        **rules,
    }
    return RebateProgramVersion.objects.create(program=found, number=number, **values)


def agreement(code="PS", *, rates=None, loss_share_percent="5", number=1, **terms) -> ProfitShareVersion:
    found, _created = ProfitShareAgreement.objects.get_or_create(code=code, defaults={"name": f"Agreement {code}"})
    return ProfitShareVersion.objects.create(
        agreement=found,
        number=number,
        period_kind=terms.pop("period_kind", "quarter"),
        rates=rates if rates is not None else [{"tier": "ordinary", "rate_percent": "10"}],
        loss_share_percent=Decimal(loss_share_percent),
        starts_on=terms.pop("starts_on", datetime.date(2020, 1, 1)),
        **terms,
    )


def compute(period: str = "2026-Q1", *, actor=None) -> dict:
    """Compute the period's statements as a run does (the run's own writer, without the task)."""
    from common.periods import Period
    from incentives.engine import period_lines
    from settlements.services.runs import write_statements

    parsed = Period.parse(period)
    return write_statements(period=parsed, lines=period_lines(parsed), run=None, actor=actor)
