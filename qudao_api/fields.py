from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except self.model.DoesNotExist:
            self.fail("does_not_exist", model=self.model._meta.verbose_name, value=data)
        except (TypeError, ValueError):
            self.fail("invalid")
