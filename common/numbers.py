"""Rounding as the spec says: half up means ties away from zero (ROUND_HALF_UP)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
