"""Money as people read it: grouped digits, two places, the tenant's currency (SPEC §3).

The one place that writes an amount for a person — pages, explanations, PDFs, e-mails — so that
``12798056.70`` never shows: ``¥12,798,056.70`` in a CNY tenant, ``$12,798,056.70`` in a USD one.
Comma-grouped with a point in both of Qudao's languages (how 人民币 amounts are written too).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$", "SGD": "S$"}
_PLACES = {places: Decimal(1).scaleb(-places) for places in range(5)}


def format_money(amount: Decimal | int | str | None, currency: str = "CNY", *, places: int = 2) -> str:
    """``¥12,400.00``; a negative amount as ``-¥1,250.00``; None as an em dash."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(amount).quantize(_PLACES[places], rounding=ROUND_HALF_UP)
    digits = f"{abs(value):,.{places}f}"
    symbol = SYMBOLS.get(currency)
    text = f"{symbol}{digits}" if symbol else f"{currency} {digits}"
    return f"-{text}" if value < 0 else text
