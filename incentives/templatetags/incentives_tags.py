"""Amounts and rates of programs as people read them: money in the tenant's currency, rates in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.templatetags import qudao

register = template.Library()


@register.filter
def sign(amount: Decimal | None) -> str:
    """A CSS class for a difference: ``more``, ``less`` or ``same``."""
    if not amount:
        return "same"
    return "more" if amount > 0 else "less"


# The shared ways of writing money, rates and periods (common/templatetags/qudao.py), under this library too.
register.filter("money", qudao.money)
register.filter("rate", qudao.rate)
register.filter("period_label", qudao.period_label)
