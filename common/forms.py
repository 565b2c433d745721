"""Form fields for the pages, reading money, days, periods and text through ``common.parsing``.

A bad value is a form error on its field, never a server error: the same rules, and the same
messages, as the API's fields (``qudao_api.fields``) and the import validator.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .parsing import ParseError, parse_date, parse_money, parse_period, text_problem

MAX_NUMBER_DIGITS = 18  # beyond any id (bigint) or count a filter could ask for


def invalid(error: ParseError, code: str = "invalid") -> ValidationError:
    """A parser's message as a form error. Passed as a parameter, never as the template: it may quote
    the input, and a ``%`` in it would break whoever formats the template (django-filter does)."""
    return ValidationError("%(message)s", code=code, params={"message": error.message})


def validate_text(value: str) -> None:
    """No NUL, no lone surrogate (``common.parsing.text_problem``)."""
    problem = text_problem(value) if isinstance(value, str) else None
    if problem:
        raise invalid(ParseError(problem), code="invalid_text")


class TextField(forms.CharField):
    """Text that can be stored: no NUL, no lone surrogate."""

    default_validators = [validate_text]


class MoneyField(forms.DecimalField):
    """Money (SPEC §3): two places, less than 10^14 either way; ``¥1,234.50`` is read too."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_money(value)
        except ParseError as error:
            raise invalid(error) from None


class DateField(forms.DateField):
    """A day between 1900-01-01 and 2999-12-31 (``common.parsing``), written 2026-03-31."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ParseError as error:
            raise invalid(error) from None


class PeriodField(forms.CharField):
    """A period as text (``2026-03``, ``2026-Q1``, ``2026``), cleaned to its canonical text."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return str(parse_period(value))
        except ParseError as error:
            raise invalid(error, code="invalid_period") from None


class NumberField(forms.DecimalField):
    """A number a filter compares with (an id, a count): finite and less than 10^18.

    Django turns the number into an ``int`` for an integer column: ``1e999999999`` would take
    longer to convert than anyone would wait.
    """

    def to_python(self, value):
        value = super().to_python(value)
        # adjusted(), not abs(): abs() rounds to the context, and 1e999999999 overflows it.
        if value is not None and (not value.is_finite() or (value and value.adjusted() >= MAX_NUMBER_DIGITS)):
            raise ValidationError(_("The number is too large."), code="invalid")
        return value


def model_form_field(model: type[models.Model], name: str, **kwargs) -> forms.Field:
    """The form field a model field would get in a ModelForm, reading through ``common.parsing``.

    Dates become ``DateField``, money (``DecimalField(16, 2)``) ``MoneyField``, text ``TextField``.
    """
    field = model._meta.get_field(name)
    if "form_class" not in kwargs and not field.choices:
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            kwargs["form_class"] = DateField
        elif isinstance(field, models.DecimalField) and (field.max_digits, field.decimal_places) == (16, 2):
            kwargs["form_class"] = MoneyField
        elif isinstance(field, models.CharField | models.TextField) and not isinstance(
            field, models.EmailField | models.SlugField
        ):
            kwargs["form_class"] = TextField
    return field.formfield(**kwargs)
