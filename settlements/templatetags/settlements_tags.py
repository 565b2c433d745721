"""Showing settlement figures: every amount through ``format_money`` in the tenant's currency."""

from __future__ import annotations

from django import template

from common.templatetags import qudao

register = template.Library()


# The shared ways of writing money, rates and periods (common/templatetags/qudao.py), under this library too.
register.filter("money", qudao.money)
register.filter("rate", qudao.rate)
register.filter("period_label", qudao.period_label)
