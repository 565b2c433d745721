"""Showing settlement figures: every amount through ``format_money`` in the tenant's currency."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.money import format_money
from common.periods import Period
from incentives.explain import percent

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "CNY") -> str:
    """``{{ statement.total|money:tenant.currency }}`` → “¥18,000.00”; None → “—”."""
    return format_money(amount, currency or "CNY")


@register.filter
def rate(value: Decimal | None) -> str:
    """A line's rate in percent, without trailing zeros: “3%”, “1.5%”; None → “—”."""
    return "—" if value is None else percent(value)


@register.filter
def period_label(text: str) -> str:
    """“2026-Q1” → “Q1 2026” / “2026 年第 1 季度”, in the active language."""
    try:
        return Period.parse(text).label
    except ValueError:
        return text
