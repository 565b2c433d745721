"""Risk figures as people read them: money in the tenant's currency, utilisation in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.money import format_money
from incentives.explain import percent

register = template.Library()


@register.filter
def money(amount: Decimal | str | None, currency: str = "CNY") -> str:
    """``{{ row.outstanding|money:tenant.currency }}`` → ``¥12,400.00`` (None or nothing: an em dash)."""
    if amount is None or amount == "":
        return "—"
    return format_money(Decimal(str(amount)), currency or "CNY")


@register.filter
def pct(value: Decimal | str | None) -> str:
    """``273.45`` → ``273.45%``; None → an em dash."""
    return "—" if value is None or value == "" else percent(Decimal(str(value)))


@register.filter
def severity_class(severity: str | None) -> str:
    """A badge's class for a severity (or a credit severity of the overview): ``risk-critical``…"""
    return f"risk-{severity}" if severity else "risk-none"
