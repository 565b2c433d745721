"""The base of the API's model serializers: a model's inputs read through ``common.parsing``."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from .fields import DateField, MoneyField, TextField


def is_money(model_field) -> bool:
    return (model_field.max_digits, model_field.decimal_places) == (16, 2)


class ModelSerializer(serializers.ModelSerializer):
    """Dates become ``DateField`` (1900–2999), money (``DecimalField(16, 2)``) ``MoneyField``, text ``TextField``."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.CharField: TextField,
        models.TextField: TextField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.DecimalField and is_money(model_field):
            field_class = MoneyField
        return field_class, field_kwargs
