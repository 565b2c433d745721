"""The partner score (SPEC §4.3): pure arithmetic on figures gathered set-based.

``components`` and ``weighted_score`` are pure functions of a partner's figures; the
nightly job gathers those figures for every partner at once (``scoring.inputs``) and
calls them. Each component is rounded to two places first; the score is the weighted
mean of the rounded components, so anyone can redo the sum from what they see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from common.numbers import clamp, half_up

ZERO = Decimal("0")
FIFTY = Decimal("50")
HUNDRED = Decimal("100")
COMPONENTS = ("volume", "growth", "attainment", "collection", "overdue")
DEFAULT_WEIGHTS = {"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10}


@dataclasses.dataclass(frozen=True)
class ScoreInputs:
    """The figures behind one partner's score as of day D."""

    sales_365: Decimal = ZERO  # S: net sales in the 365 days ending D
    sales_prior_365: Decimal = ZERO  # P: net sales in the 365 days before those
    max_sales_365: Decimal = ZERO  # max S over the tenant's active partners
    attainment_mean: Decimal | None = None  # mean of four-place attainments of targets whose period holds D
    target_count: int = 0
    payments_365: Decimal = ZERO  # payments dated in the 365 days ending D
    invoices_365: Decimal = ZERO  # invoices issued in the 365 days ending D
    outstanding: Decimal = ZERO  # outstanding(D)
    overdue_amount: Decimal = ZERO  # overdue_amount(D, 1)


def _percent(value: Decimal) -> Decimal:
    return half_up(clamp(value, ZERO, HUNDRED))


def volume(inputs: ScoreInputs) -> Decimal:
    if inputs.max_sales_365 <= 0:
        return half_up(ZERO)
    return _percent(HUNDRED * inputs.sales_365 / inputs.max_sales_365)


def growth(inputs: ScoreInputs) -> Decimal:
    current, prior = inputs.sales_365, inputs.sales_prior_365
    if prior <= 0:
        return half_up(HUNDRED if current > 0 else FIFTY)
    return _percent(FIFTY + HUNDRED * (current - prior) / prior)


def attainment(inputs: ScoreInputs) -> Decimal:
    if inputs.attainment_mean is None or inputs.target_count == 0:
        return half_up(FIFTY)
    return _percent(HUNDRED * inputs.attainment_mean)


def collection(inputs: ScoreInputs) -> Decimal:
    if inputs.invoices_365 <= 0:
        return half_up(HUNDRED)
    return _percent(HUNDRED * min(Decimal(1), inputs.payments_365 / inputs.invoices_365))


def overdue(inputs: ScoreInputs) -> Decimal:
    if inputs.outstanding <= 0:
        return half_up(HUNDRED)
    return _percent(HUNDRED * (1 - inputs.overdue_amount / inputs.outstanding))


def components(inputs: ScoreInputs) -> dict[str, Decimal]:
    return {
        "volume": volume(inputs),
        "growth": growth(inputs),
        "attainment": attainment(inputs),
        "collection": collection(inputs),
        "overdue": overdue(inputs),
    }


def weighted_score(parts: Mapping[str, Decimal], weights: Mapping[str, int | Decimal]) -> Decimal:
    total_weight = sum(Decimal(str(weights[name])) for name in COMPONENTS)
    if total_weight <= 0:
        raise ValueError("The score weights must add up to more than zero.")
    weighted = sum(Decimal(str(weights[name])) * parts[name] for name in COMPONENTS)
    return half_up(weighted / total_weight)


def recommended_tier(score: Decimal, tiers: Sequence):
    """The best-ranked tier whose minimum score the score reaches (tiers carry rank and min_score)."""
    eligible = [tier for tier in tiers if tier.min_score <= score]
    return min(eligible, key=lambda tier: tier.rank) if eligible else max(tiers, key=lambda tier: tier.rank)


def validate_weights(weights: Mapping) -> dict[str, int]:
    """Five non-negative whole numbers, at least one above zero; raises ValueError naming the problem."""
    cleaned: dict[str, int] = {}
    for name in COMPONENTS:
        value = weights.get(name)
        whole = _("%(name)s: a whole number is required") % {"name": name}
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str) or str(value).strip() == "":
            raise ValueError(whole)
        try:
            number = int(str(value))
        except ValueError:
            raise ValueError(whole) from None
        if number < 0:
            raise ValueError(_("%(name)s: cannot be negative") % {"name": name})
        cleaned[name] = number
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise ValueError(_("unknown component(s): %(names)s") % {"names": ", ".join(sorted(unknown))})
    if sum(cleaned.values()) <= 0:
        raise ValueError(_("the weights must add up to more than zero"))
    return cleaned


def points_to_next_tier(score: Decimal, next_min_score: Decimal) -> Decimal:
    return max(ZERO, half_up(next_min_score - score))


def weakest_lever(parts: Mapping[str, Decimal], weights: Mapping[str, int]) -> str:
    """The component whose raising to 100 would add the most points: where to push next."""
    return max(COMPONENTS, key=lambda name: Decimal(str(weights[name])) * (HUNDRED - parts[name]))
