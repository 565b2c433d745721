"""``programs/`` and ``profit-shares/`` (SPEC §6): rebate programs and profit-share agreements.

Vendor members read them all; admins and channel managers write them (``manage_programs``).
Partner-side members read, read-only, only those that apply to their own tier: another one is a
404 to them. ``programs/what-if/`` (POST, unsaved terms) and ``programs/{id}/what-if/`` (GET, a
saved version) show what a program would have paid in a past period against what it did pay:
every partner's figures, so vendor members only; nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.dates import tenant_today
from qudao_api.viewsets import TenantViewSet
from tenancy.access import uses_portfolio, visible_partners
from tenancy.roles import Capability

from . import selectors, services
from .explain import explain
from .filters import AgreementFilter, ProgramFilter
from .models import ProfitShareAgreement, RebateProgram
from .serializers import (
    AgreementSerializer,
    AgreementVersionSerializer,
    ProgramSerializer,
    ProgramVersionSerializer,
    WhatIfRequestSerializer,
    WhatIfSerializer,
)


class _VersionedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    partner_field = None  # rules belong to the tenant; a partner's member sees those of its tier
    write_capability = Capability.MANAGE_PROGRAMS
    http_method_names = ["get", "post", "patch", "head", "options"]
    version_serializer_class = None

    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        """Create it with its version 1 (the answer shows it as GET does)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.create_object(dict(serializer.validated_data))
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change any fields: after a payout under the latest version, a new version; before, in place."""
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = self.update_object(instance, dict(serializer.validated_data))
        return Response(self.get_serializer(updated).data)

    @action(detail=True, methods=["get"], filterset_class=None)
    def versions(self, request, *args, **kwargs):
        """Every version, newest first, with who made it and when (vendor members)."""
        instance = self.get_object()
        versions = instance.versions.select_related("created_by", "changed_by").order_by("-number")
        page = self.paginate_queryset(versions)
        context = self.get_serializer_context()
        return self.get_paginated_response(self.version_serializer_class(page, many=True, context=context).data)


@extend_schema(request=ProgramSerializer, responses=ProgramSerializer)
class ProgramViewSet(_VersionedViewSet):
    """Rebate programs, each with its latest version's rules; ``versions/``, ``what-if/``."""

    model = RebateProgram
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    version_serializer_class = ProgramVersionSerializer
    # A what-if shows every partner's figures: vendor-side only; it writes nothing, so any of them may ask.
    action_capabilities = {"what_if": Capability.SEE_INTERNAL, "saved_what_if": Capability.SEE_INTERNAL}

    def narrow_queryset(self, queryset):
        queryset = selectors.programs_with_latest(queryset).order_by("code")
        return selectors.programs_visible_to(queryset, self.membership)

    def create_object(self, data: dict):
        return services.program_create(actor=self.request.user, **data)

    def update_object(self, instance, data: dict):
        return services.program_update(actor=self.request.user, program=instance, **data)

    def _answer(self, result) -> Response:
        currency = self.tenant.currency

        def words(row) -> str:
            return explain(row.line, period=result.period, currency=currency) if row.line is not None else ""

        return Response(WhatIfSerializer(result, context={"explain": words}).data)

    def _visible_partner_ids(self):
        if uses_portfolio(self.membership):
            return set(visible_partners(self.membership).values_list("pk", flat=True))
        return None

    @extend_schema(request=WhatIfRequestSerializer, responses=WhatIfSerializer)
    @action(detail=False, methods=["post"], url_path="what-if", url_name="what-if", filterset_class=None)
    def what_if(self, request, *args, **kwargs):
        """What unsaved terms (a program's body) would have paid in ``period``, partner by partner.

        Every field is optional when ``code`` names a saved program: the rest are its latest
        version's. Nothing is written.
        """
        serializer = WhatIfRequestSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        period = data.pop("period", None)
        code = data.pop("code", "")
        for field in ("name", "description", "starts_on", "ends_on"):
            data.pop(field, None)
        result = services.program_what_if(
            period=period,
            today=tenant_today(self.tenant),
            code=code,
            rules=data,
            partner_ids=self._visible_partner_ids(),
        )
        return self._answer(result)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="Default: the last complete period of its kind."),
            OpenApiParameter("version", OpenApiTypes.INT, description="Default: the latest version."),
        ],
        responses=WhatIfSerializer,
    )
    @action(detail=True, methods=["get"], url_path="what-if", url_name="what-if-saved", filterset_class=None)
    def saved_what_if(self, request, *args, **kwargs):
        """What a saved version (default: the latest) would have paid in ``period``; nothing is written."""
        program = self.get_object()
        version = selectors.latest_version(program)
        number = request.query_params.get("version")
        if number:
            version = program.versions.filter(number=int(number) if number.isdigit() else -1).first()
            if version is None:
                raise ValidationError(
                    {"version": _("%(code)s has no version “%(number)s”.") % {"code": program.code, "number": number}}
                )
        result = services.program_what_if(
            period=request.query_params.get("period") or None,
            today=tenant_today(self.tenant),
            version=version,
            partner_ids=self._visible_partner_ids(),
        )
        return self._answer(result)


@extend_schema(request=AgreementSerializer, responses=AgreementSerializer)
class ProfitShareViewSet(_VersionedViewSet):
    """Profit-share agreements, each with its latest version's terms; ``versions/``."""

    model = ProfitShareAgreement
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    version_serializer_class = AgreementVersionSerializer

    def narrow_queryset(self, queryset):
        queryset = selectors.agreements_with_latest(queryset).order_by("code")
        return selectors.agreements_visible_to(queryset, self.membership)

    def create_object(self, data: dict):
        return services.agreement_create(actor=self.request.user, **data)

    def update_object(self, instance, data: dict):
        return services.agreement_update(actor=self.request.user, agreement=instance, **data)
