"""Showing ratios and amounts of targets: percentages, bar widths, amounts by metric."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from common.money import format_money
from tenancy.context import current_tenant

from ..calculations import show_amount
from ..models import Metric
from ..summary import band

register = template.Library()


@register.filter
def percent(ratio: Decimal | None, places: int = 2) -> str:
    """0.8753 → “87.53%” (``places`` decimals, half up); None → “—”."""
    if ratio is None or ratio == "":
        return "—"
    value = (Decimal(ratio) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{number_format(value, int(places), use_l10n=True)}%"


@register.filter
def bar_width(ratio: Decimal | None) -> str:
    """A bar's CSS width in percent: the ratio capped at 100%, never below 0 (always with a dot)."""
    if ratio is None or ratio == "":
        return "0"
    value = min(max(Decimal(ratio), Decimal(0)), Decimal(1)) * 100
    return f"{value:.1f}"


@register.filter(name="band")
def band_of(ratio: Decimal | None) -> str:
    return band(ratio)


@register.filter
def amount(value: Decimal | None, metric: str) -> str:
    """Money as the ``money`` filter writes it (the tenant's currency, grouped), new customers as a whole number."""
    if value is None or value == "":
        return "—"
    if metric == Metric.NEW_CUSTOMERS:
        return show_amount(metric, Decimal(value))
    tenant = current_tenant()
    return format_money(value, tenant.currency if tenant is not None else "CNY")


@register.filter
def share_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part / whole`` as a ratio (four places), for “share of the goal”; None when whole is 0."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
