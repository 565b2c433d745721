"""Money as people read it: grouped digits, two places, the tenant's currency (SPEC §3).

The one place that writes an amount for a person — pages, explanations, PDFs, e-mails — so that
``12798056.70`` never shows: ``¥12,798,056.70`` in a CNY tenant, ``$12,798,056.70`` in a USD one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$", "SGD": "S$"}


def format_money(amount: Decimal | int | None, currency: str = "CNY", *, places: int = 2) -> str:
    """``¥12,400.00``; a negative amount as ``-¥1,250.00``; None as an em dash."""
    if amount is None:
        return "—"
    amount = Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # Comma-grouped with a point in both of Qudao's languages (how 人民币 amounts are written too).
    digits = numberformat.format(
        abs(amount), ".", decimal_pos=places, grouping=3, thousand_sep=",", force_grouping=True
    )
    symbol = SYMBOLS.get(currency)
    text = f"{symbol}{digits}" if symbol else f"{currency} {digits}"
    return f"-{text}" if amount < 0 else text
