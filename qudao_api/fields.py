"""Serializer fields of the API: inputs read through ``common.parsing``, like the pages' forms.

Money, days, periods and text each have one field here; ``ModelSerializer`` (in
``qudao_api.serializers``) gives a model's dates, money and text these fields on its own.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.parsing import ParseError, clean_text, parse_date, parse_money, parse_period, text_problem


class TextField(serializers.CharField):
    """Text that can be stored: no NUL, no lone surrogate (DRF refuses both as well; this says why)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        problem = text_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid_text")
        return value


class MoneyField(serializers.DecimalField):
    """Money (SPEC §3): JSON text ``"1234.50"`` (or a number), two places, less than 10^14 either way."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return parse_money(data)
        except ParseError as error:
            raise serializers.ValidationError(error.message, code="invalid") from None


class DateField(serializers.DateField):
    """A day, ``2026-03-31``, between 1900-01-01 and 2999-12-31."""

    def to_internal_value(self, value):
        try:
            return parse_date(value)
        except ParseError as error:
            raise serializers.ValidationError(error.message, code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class PeriodField(serializers.CharField):
    """``2026-03`` (month), ``2026-Q1`` (quarter) or ``2026`` (year); written back in canonical form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 16)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        try:
            return str(parse_period(text))
        except ParseError as error:
            raise serializers.ValidationError(error.message, code="invalid_period") from None


def code_text(data) -> str:
    """A code or e-mail naming an object: text that can be stored (else a ValidationError)."""
    if isinstance(data, bool) or not isinstance(data, str | int):
        raise serializers.ValidationError(_("Write this as text."), code="invalid")
    try:
        return clean_text(str(data), max_length=254)
    except ParseError as error:
        raise serializers.ValidationError(error.message, code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)  # a code, e.g. "core"; the model is known only per request
class TenantCodeField(serializers.SlugRelatedField):
    """A tenant-owned object named by its code; the queryset is built per request, in scope."""

    default_error_messages = {
        "does_not_exist": _("No {model} with code “{value}”."),
        "invalid": _("Invalid value."),
    }

    def __init__(self, model, slug_field: str = "code", **kwargs):
        self.model = model
        kwargs.setdefault("queryset", None)
        if kwargs.get("read_only"):
            kwargs.pop("queryset")
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        return self.model.objects.all()

    def to_internal_value(self, data):
        code = code_text(data)
        try:
            return self.get_queryset().get(**{self.slug_field: code})
        except self.model.DoesNotExist:
            self.fail("does_not_exist", model=self.model._meta.verbose_name, value=code)
