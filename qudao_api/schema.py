"""The OpenAPI schema of tenant viewsets (SPEC §6: the schema at ``/api/v1/schema/``)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from tenancy.context import describing_only

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 characters, no control characters. The same key with the same request answers as the "
        "first request did, without doing it again; the same key with another request is a 422."
    ),
)


class TenantAutoSchema(AutoSchema):
    """Describes a tenant viewset with no tenant in scope.

    A viewset's ``filterset_fields`` make django-filter resolve each field on a queryset of the
    model; with no tenant that is a fail-closed manager raising, so the filters are described
    in ``describing_only``, where tenant-owned tables look empty.

    A method marked ``@idempotent`` (``qudao_api.idempotency``) takes the ``Idempotency-Key`` header.
    """

    def _get_filter_parameters(self):
        with describing_only():
            return super()._get_filter_parameters()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None)
        if getattr(handler, "idempotent", False):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters
