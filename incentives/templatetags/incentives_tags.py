"""Amounts and rates of programs as people read them: money in the tenant's currency, rates in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.money import format_money
from incentives.explain import percent

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "CNY") -> str:
    """``{{ amount|money:tenant.currency }}`` → ``¥12,400.00`` (None: an em dash)."""
    return format_money(amount, currency or "CNY")


@register.filter
def rate(value: Decimal | str | None) -> str:
    """``2.5000`` → ``2.5%`` (None: an em dash)."""
    if value is None or value == "":
        return "—"
    return percent(value)


@register.filter
def sign(amount: Decimal | None) -> str:
    """A CSS class for a difference: ``more``, ``less`` or ``same``."""
    if not amount:
        return "same"
    return "more" if amount > 0 else "less"
