"""Every page's way of writing figures and codes (issue 12): ``{% load qudao %}``.

- ``{{ amount|money:tenant.currency }}`` → ``¥12,798,056.70`` (None: an em dash);
- ``{{ line.rate_percent|rate }}`` → ``2.5%``;
- ``{{ "2026-Q1"|period_label }}`` → ``Q1 2026`` / ``2026 年第 1 季度``;
- ``{{ code|label:"partner_status" }}`` → ``Prospect`` / ``潜在伙伴``.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from common import labels
from common.money import format_money
from common.periods import Period

register = template.Library()


@register.filter
def money(amount, currency: str = "CNY") -> str:
    try:
        return format_money(amount, currency or "CNY")
    except (TypeError, ValueError, ArithmeticError):
        return "—"


@register.filter
def number(value) -> str:
    """A whole number with its thousands grouped, as the money is: 5,000,000 (Chinese and English pages alike).

    For counts and limits shown in text; never for a number inside an address or a form value."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError, OverflowError):
        return "" if value is None else str(value)


@register.filter
def rate(value: Decimal | str | None) -> str:
    from incentives.explain import percent

    if value is None or value == "":
        return "—"
    return percent(value)


@register.filter
def period_label(text: str) -> str:
    try:
        return Period.parse(text, within_limits=False).label
    except ValueError:
        return text


@register.filter
def label(code, kind: str) -> str:
    return labels.label(code, kind)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number) -> str:
    """``?…&<param>=<number>``: the page's address with one page number changed and its filters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
