"""The API's front door: ``GET /api/v1/`` says where everything is (no more 404 at the root)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenancy.access import memberships_of


class ApiRootView(APIView):
    """Links to the schema, the docs and the token endpoint; for a signed-in user, each tenant's API."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "schema": serializers.URLField(),
                "docs": serializers.URLField(),
                "token": serializers.URLField(),
                "tenants": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        def absolute(name: str, **kwargs) -> str:
            return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))

        tenants = []
        if request.user.is_authenticated:
            tenants = [
                {
                    "slug": membership.tenant.slug,
                    "name": membership.tenant.name,
                    "role": membership.role,
                    "partners": absolute("api:partner-list", tenant_slug=membership.tenant.slug),
                }
                for membership in memberships_of(request.user)
            ]
        return Response(
            {
                "schema": absolute("api:schema"),
                "docs": absolute("api:docs"),
                "token": absolute("api:token"),
                "tenants": tenants,
            }
        )
