"""The base of every FilterSet: query parameters read through ``common.parsing`` (via ``common.forms``).

A filter's text, day or number that cannot be read makes the FilterSet invalid (a 400 in the
API, the unfiltered list on a page), never a query PostgreSQL or Python would fail on.
"""

from __future__ import annotations

import django_filters
from django import forms as django_forms
from django.db.models import Q

from . import forms

# django-filter's own form fields → ours, for declared and generated filters alike.
FORM_FIELDS: dict[type, type] = {
    django_forms.CharField: forms.TextField,
    django_forms.DateField: forms.DateField,
    django_forms.DecimalField: forms.NumberField,
}


class SafeInputMixin:
    """Swaps each filter's plain form field (text, day, number) for its ``common.forms`` twin."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            replacement = FORM_FIELDS.get(filter_.field_class)
            if replacement is not None:
                filter_.field_class = replacement


class FilterSet(SafeInputMixin, django_filters.FilterSet):
    pass


class PeriodFilter(django_filters.CharFilter):
    """A period (``2026-03``, ``2026-Q1``, ``2026``), compared as its canonical text."""

    field_class = forms.PeriodField


class MatchFilter(django_filters.CharFilter):
    """Text that matches what people type: case-insensitive, any part of it (``hx-0002`` finds ``HX-0002``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "icontains")
        super().__init__(*args, **kwargs)


class PartnerMatchFilter(django_filters.CharFilter):
    """A partner by any part of its code or name, in either case (``恒通``, ``hx-00``, ``HX-0002``).

    ``path`` leads from the filtered row to its partner (``partner`` for facts, ``""`` for partners).
    """

    def __init__(self, *args, path: str = "partner", **kwargs):
        self.path = f"{path}__" if path else ""
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        value = value.strip()
        return queryset.filter(
            Q(**{f"{self.path}code__icontains": value}) | Q(**{f"{self.path}name__icontains": value})
        )
