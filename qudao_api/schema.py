"""The OpenAPI schema of tenant viewsets (SPEC §6: the schema at ``/api/v1/schema/``)."""

from drf_spectacular.openapi import AutoSchema

from tenancy.context import describing_only


class TenantAutoSchema(AutoSchema):
    """Describes a tenant viewset with no tenant in scope.

    A viewset's ``filterset_fields`` make django-filter resolve each field on a queryset of the
    model; with no tenant that is a fail-closed manager raising, so the filters are described
    in ``describing_only``, where tenant-owned tables look empty.
    """

    def _get_filter_parameters(self):
        with describing_only():
            return super()._get_filter_parameters()
