"""From the facts to the lines a period pays: rebates, profit share and loss share, for every partner at once.

Three callers, one path: the settlement run (``settlements.services.runs``), the what-if
(``incentives.services.whatif``) and the nightly accruals (``incentives.services.accruals``).
The inputs are gathered in a fixed number of statements whatever the number of partners — the
facts of the period in one statement (one snapshot: an import committing meanwhile is seen
whole or not at all) — and the arithmetic is ``incentives.calculations``.

Eligibility (SPEC §4.4): a partner is paid by a program when its status and tier in effect on the
day that decides (the period's last day; for an accrual, the day it is made) are ``active`` and
one of the program's tiers (no tiers: all). A profit-share agreement covers the active partners
whose tier on that day has a rate in it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from common.numbers import half_up
from common.periods import Period
from common.sql import analytic_cursor
from partners.models import Partner, PartnerStatus, Tier
from partners.selectors import with_tier_and_status_in_effect
from tenancy.context import require_tenant

from . import calculations
from .calculations import ZERO, RebateRule

# The period's facts, per partner, in one statement. Sales by product category (for programs that
# count only some categories) with their margin (sales that carry a cost), collections, write-offs.
FACTS_SQL = """
SELECT 'sale' AS kind, partner_id, product_category,
       SUM(amount), COALESCE(SUM(amount - cost) FILTER (WHERE cost IS NOT NULL), 0),
       COUNT(*) FILTER (WHERE cost IS NOT NULL)
  FROM facts_sale
 WHERE tenant_id = %(tenant)s AND date BETWEEN %(start)s AND %(through)s
 GROUP BY partner_id, product_category
UNION ALL
SELECT 'payment', partner_id, '', SUM(amount), 0, 0
  FROM facts_payment
 WHERE tenant_id = %(tenant)s AND date BETWEEN %(start)s AND %(through)s
 GROUP BY partner_id
UNION ALL
SELECT 'writeoff', partner_id, '', SUM(amount), 0, 0
  FROM facts_writeoff
 WHERE tenant_id = %(tenant)s AND date BETWEEN %(start)s AND %(through)s
 GROUP BY partner_id
"""


@dataclasses.dataclass
class PartnerFacts:
    sales_by_category: dict[str, Decimal] = dataclasses.field(default_factory=dict)
    margin: Decimal = ZERO
    sales_with_cost: int = 0
    collections: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def sales(self) -> Decimal:
        return sum(self.sales_by_category.values(), ZERO)

    def sales_in(self, categories: Sequence[str]) -> Decimal:
        if not categories:
            return self.sales
        return sum((self.sales_by_category.get(category, ZERO) for category in categories), ZERO)


@dataclasses.dataclass(frozen=True)
class PartnerState:
    code: str
    tier_code: str
    tier_name: str
    status: str


@dataclasses.dataclass
class Inputs:
    """Everything a period's lines are computed from; ``through`` is the last fact day counted."""

    period: Period
    through: datetime.date
    decided_on: datetime.date  # the day whose tier and status decide eligibility
    partners: dict[int, PartnerState]
    facts: dict[int, PartnerFacts]
    # (partner id, metric) → attainment of the partner's target for exactly this period (four places)
    attainment: dict[tuple[int, str], Decimal]

    def facts_of(self, partner_id: int) -> PartnerFacts:
        return self.facts.get(partner_id) or PartnerFacts()


def gather_inputs(
    period: Period, *, through: datetime.date | None = None, accelerator_metrics: Iterable[str] = ()
) -> Inputs:
    """The inputs of ``period`` for the tenant in scope (``through``: count facts up to that day only).

    A fixed number of statements: partners with their tier and status on the deciding day, the
    facts (one statement), and — only when an accelerator needs it — the targets' attainment.
    """
    tenant = require_tenant()
    through = min(through or period.end, period.end)
    decided_on = through
    partners = {
        pk: PartnerState(code=code, tier_code=tier_code, tier_name=tier_name, status=status)
        for pk, code, tier_code, tier_name, status in _partners_on(decided_on)
    }
    facts: dict[int, PartnerFacts] = defaultdict(PartnerFacts)
    with analytic_cursor() as cursor:
        cursor.execute(FACTS_SQL, {"tenant": tenant.pk, "start": period.start, "through": through})
        for kind, partner_id, category, amount, margin, with_cost in cursor.fetchall():
            found = facts[partner_id]
            if kind == "sale":
                found.sales_by_category[category] = Decimal(amount)
                found.margin += Decimal(margin)
                found.sales_with_cost += with_cost
            elif kind == "payment":
                found.collections = Decimal(amount)
            else:
                found.written_off = Decimal(amount)
    metrics = set(accelerator_metrics)
    attainment = _attainment(period, metrics, facts, through) if metrics else {}
    return Inputs(
        period=period,
        through=through,
        decided_on=decided_on,
        partners=partners,
        facts=dict(facts),
        attainment=attainment,
    )


def _partners_on(day: datetime.date):
    rows = list(
        with_tier_and_status_in_effect(Partner.objects.all(), day).values_list("pk", "code", "tier_id_on", "status_on")
    )
    tiers = {pk: (code, name) for pk, code, name in Tier.objects.values_list("pk", "code", "name")}
    return [(pk, code, *tiers.get(tier_id, ("", "")), status) for pk, code, tier_id, status in rows]


def _attainment(
    period: Period, metrics: set[str], facts: dict[int, PartnerFacts], through: datetime.date
) -> dict[tuple[int, str], Decimal]:
    """Attainment of each partner's target for exactly this period on each metric an accelerator names."""
    from targets.calculations import attainment, partner_actuals
    from targets.models import Metric, Target

    targets = list(
        Target.objects.filter(period=str(period), metric__in=metrics).values_list("partner_id", "metric", "value")
    )
    new_customers = [partner_id for partner_id, metric, _value in targets if metric == Metric.NEW_CUSTOMERS]
    counted = (
        partner_actuals(
            partner_ids=new_customers,
            metric=Metric.NEW_CUSTOMERS,
            period=Period(period.kind, period.year, period.number),
        )
        if new_customers
        else {}
    )
    found = {}
    for partner_id, metric, value in targets:
        own = facts.get(partner_id) or PartnerFacts()
        if metric == Metric.SALES:
            actual = own.sales
        elif metric == Metric.COLLECTIONS:
            actual = own.collections
        else:
            actual = counted.get(partner_id, ZERO)
        found[(partner_id, metric)] = attainment(actual, value)
    return found


# --- what to pay ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProgramTerms:
    """A rebate program version as the engine needs it (a saved version, or a what-if's unsaved one)."""

    code: str
    version: int | None
    basis: str  # sales | collections
    tiers: tuple[str, ...]
    categories: tuple[str, ...]
    rule: RebateRule

    @classmethod
    def of(cls, version) -> ProgramTerms:
        return cls(
            code=version.program.code,
            version=version.number,
            basis=version.basis,
            tiers=tuple(version.tiers),
            categories=tuple(version.categories),
            rule=version.rule,
        )


@dataclasses.dataclass(frozen=True)
class AgreementTerms:
    code: str
    version: int | None
    rates: dict[str, Decimal]  # tier code → rate percent
    loss_share_percent: Decimal

    @classmethod
    def of(cls, version) -> AgreementTerms:
        return cls(
            code=version.agreement.code,
            version=version.number,
            rates=version.rate_by_tier,
            loss_share_percent=version.loss_share_percent,
        )


@dataclasses.dataclass(frozen=True)
class ComputedLine:
    """A line a period pays one partner from one source; ``details`` is what its explanation is made of."""

    partner_id: int
    kind: str  # rebate | profit_share | loss_share
    source_code: str
    source_version: int | None
    basis: Decimal
    rate_percent: Decimal
    amount: Decimal
    details: dict


def _eligible(state: PartnerState | None, tiers: Sequence[str]) -> bool:
    return state is not None and state.status == PartnerStatus.ACTIVE and (not tiers or state.tier_code in tiers)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def rebate_details(terms: ProgramTerms, outcome: calculations.RebateOutcome, attainment: Decimal | None) -> dict:
    rule = terms.rule
    return {
        "basis_kind": terms.basis,
        "categories": list(terms.categories),
        "method": rule.method,
        "bracket_threshold": _money(outcome.bracket.threshold if outcome.bracket else None),
        "slices": [
            {
                "lower": str(piece.lower),
                "upper": _money(piece.upper),
                "rate_percent": str(piece.rate_percent),
                "base": str(piece.base),
                "amount": str(half_up(piece.amount)),
            }
            for piece in outcome.slices
        ],
        "before_accelerator": str(half_up(outcome.before_accelerator)),
        "accelerator": (
            {
                "metric": rule.accelerator.metric,
                "min_attainment": str(rule.accelerator.min_attainment),
                "multiplier": str(rule.accelerator.multiplier),
                "attainment": _money(attainment),
                "applied": outcome.multiplier is not None,
            }
            if rule.accelerator
            else None
        ),
        "cap": _money(rule.cap),
        "capped": outcome.capped,
        "next_threshold": _money(outcome.next_bracket.threshold if outcome.next_bracket else None),
        "next_rate_percent": _money(outcome.next_bracket.rate_percent if outcome.next_bracket else None),
    }


def rebate_lines(inputs: Inputs, programs: Sequence[ProgramTerms], *, keep_zero: bool = False) -> list[ComputedLine]:
    """Each eligible partner's rebate under each program (a line of 0.00 is left out unless ``keep_zero``)."""
    lines = []
    for terms in programs:
        accelerator = terms.rule.accelerator
        for partner_id, state in inputs.partners.items():
            if not _eligible(state, terms.tiers):
                continue
            own = inputs.facts_of(partner_id)
            basis = own.collections if terms.basis == "collections" else own.sales_in(terms.categories)
            attainment = inputs.attainment.get((partner_id, accelerator.metric)) if accelerator else None
            outcome = calculations.rebate(terms.rule, basis, attainment=attainment)
            if outcome.amount == ZERO and not keep_zero:
                continue
            lines.append(
                ComputedLine(
                    partner_id=partner_id,
                    kind="rebate",
                    source_code=terms.code,
                    source_version=terms.version,
                    basis=basis,
                    rate_percent=outcome.rate_percent,
                    amount=outcome.amount,
                    details=rebate_details(terms, outcome, attainment),
                )
            )
    return lines


def share_lines(inputs: Inputs, agreements: Sequence[AgreementTerms]) -> list[ComputedLine]:
    """Profit share on the margin of sales that carry a cost, loss share on write-offs (SPEC §4.5)."""
    lines = []
    for terms in agreements:
        for partner_id, state in inputs.partners.items():
            if state.status != PartnerStatus.ACTIVE or state.tier_code not in terms.rates:
                continue
            own = inputs.facts_of(partner_id)
            rate = terms.rates[state.tier_code]
            profit = calculations.profit_share_of_margin(own.margin, rate)
            if profit.amount != ZERO:
                lines.append(
                    ComputedLine(
                        partner_id=partner_id,
                        kind="profit_share",
                        source_code=terms.code,
                        source_version=terms.version,
                        basis=profit.basis,
                        rate_percent=rate,
                        amount=profit.amount,
                        details={
                            "tier": state.tier_code,
                            "tier_name": state.tier_name,
                            "sales_with_cost": own.sales_with_cost,
                        },
                    )
                )
            loss = calculations.loss_share(own.written_off, terms.loss_share_percent)
            if loss.amount != ZERO:
                lines.append(
                    ComputedLine(
                        partner_id=partner_id,
                        kind="loss_share",
                        source_code=terms.code,
                        source_version=terms.version,
                        basis=loss.basis,
                        rate_percent=terms.loss_share_percent,
                        amount=loss.amount,
                        details={"tier": state.tier_code, "tier_name": state.tier_name},
                    )
                )
    return lines


def programs_in_force(period: Period) -> list:
    """The latest version of each rebate program of this period's kind, in force on the period's last day."""
    from .models import RebateProgramVersion

    latest = (
        RebateProgramVersion.objects.filter(period_kind=period.kind)
        .select_related("program")
        .order_by("program_id", "-number")
        .distinct("program_id")
    )
    return [version for version in latest if version.in_force_on(period.end)]


def agreements_in_force(period: Period) -> list:
    from .models import ProfitShareVersion

    latest = (
        ProfitShareVersion.objects.filter(period_kind=period.kind)
        .select_related("agreement")
        .order_by("agreement_id", "-number")
        .distinct("agreement_id")
    )
    return [version for version in latest if version.in_force_on(period.end)]


def period_lines(period: Period) -> list[ComputedLine]:
    """Every computed line a settlement run of ``period`` pays (programs and agreements in force)."""
    programs = [ProgramTerms.of(version) for version in programs_in_force(period)]
    agreements = [AgreementTerms.of(version) for version in agreements_in_force(period)]
    metrics = {terms.rule.accelerator.metric for terms in programs if terms.rule.accelerator}
    inputs = gather_inputs(period, accelerator_metrics=metrics)
    return rebate_lines(inputs, programs) + share_lines(inputs, agreements)
