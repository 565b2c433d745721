"""The numbers of screening (SPEC §4.12): pure functions on ``Decimal``, no request, no side effects.

An evaluation's score = 100 × Σ weight × (rating − 1) / 4 ÷ Σ weights, two places half up; a
partner's screening score = the mean of its evaluators' latest scores, two places half up; the
recommendation is to proceed at or above the tenant's threshold, else to decline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PROCEED, DECLINE = "proceed", "decline"


def two_places(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def evaluation_score(ratings: Iterable[tuple[int, int]]) -> Decimal:
    """The score of one evaluation from its ``(weight, rating)`` pairs (ratings 1–5, weights > 0)."""
    pairs = list(ratings)
    total_weight = sum(Decimal(weight) for weight, _rating in pairs)
    if total_weight <= 0:
        raise ValueError("an evaluation needs at least one criterion with a positive weight")
    weighted = sum(Decimal(weight) * (Decimal(rating) - 1) for weight, rating in pairs)
    return two_places(HUNDRED * weighted / 4 / total_weight)


def screening_score(scores: Sequence[Decimal]) -> Decimal | None:
    """The mean of the evaluators' latest scores, two places half up; None before anyone evaluated."""
    if not scores:
        return None
    return two_places(sum(scores, Decimal(0)) / len(scores))


def recommendation(score: Decimal | None, threshold: Decimal) -> str | None:
    """Proceed to due diligence at or above ``threshold``, else decline; None without a score."""
    if score is None:
        return None
    return PROCEED if score >= threshold else DECLINE


def mean_ratings(ratings: Iterable[tuple[int, int]]) -> dict[int, Decimal]:
    """Per criterion id, the mean rating over evaluations (two places), for the radar chart."""
    sums: dict[int, list[int]] = {}
    for criterion_id, rating in ratings:
        sums.setdefault(criterion_id, []).append(rating)
    return {key: two_places(Decimal(sum(values)) / len(values)) for key, values in sums.items()}
