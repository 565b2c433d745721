"""The due diligence API: the tenant's checklist items, and each partner's checklist. Vendor members only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from partners.models import Partner
from qudao_api.parsers import FormParser, JSONParser, MultiPartParser
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import ChecklistItemFilter
from .models import ChecklistItem
from .serializers import (
    ChecklistItemSerializer,
    PartnerChecklistSerializer,
    TickSerializer,
    UntickSerializer,
    checklist_data,
)


class ChecklistItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           mixins.UpdateModelMixin, TenantViewSet):  # fmt: skip
    """The tenant's due diligence checklist; administrators and channel managers edit it."""

    model = ChecklistItem
    partner_field = None
    read_roles = VENDOR_ROLES
    serializer_class = ChecklistItemSerializer
    filterset_class = ChecklistItemFilter
    write_capability = Capability.MANAGE_PARTNERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.checklist_item_create(**serializer.validated_data)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        changes.pop("code", None)
        serializer.instance = services.checklist_item_update(item=serializer.instance, **changes)


class PartnerChecklistViewSet(TenantViewSet):
    """A partner's due diligence checklist (``partners/{id}/checklist/``): vendor members read, managers tick."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_PARTNERS
    serializer_class = PartnerChecklistSerializer

    def _answer(self, partner: Partner, status_code: int = status.HTTP_200_OK) -> Response:
        partner = Partner.objects.select_related("tenant").get(pk=partner.pk)
        data = checklist_data(
            partner, selectors.checklist_of(partner), selectors.next_steps(partner), tenant=self.tenant
        )
        return Response(PartnerChecklistSerializer(data).data, status=status_code)

    @extend_schema(responses=PartnerChecklistSerializer)
    @action(detail=True, methods=["get"], url_path="checklist", url_name="checklist")
    def checklist(self, request, *args, **kwargs):
        """Every item in use, met or not (and how), with its history; the steps forward and what they miss."""
        return self._answer(self.get_object())

    @extend_schema(request=TickSerializer, responses=PartnerChecklistSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="checklist/tick",
        url_name="tick",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def tick(self, request, *args, **kwargs):
        """Tick an item with a note (and a file, multipart ``evidence``, when the item asks for one)."""
        partner = self.get_object()
        serializer = TickSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.partner_check_tick(partner=partner, actor=request.user, **serializer.validated_data)
        return self._answer(partner)

    @extend_schema(request=UntickSerializer, responses=PartnerChecklistSerializer)
    @action(detail=True, methods=["post"], url_path="checklist/untick", url_name="untick")
    def untick(self, request, *args, **kwargs):
        """Take a tick back, with the reason (kept in the item's history)."""
        partner = self.get_object()
        serializer = UntickSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.partner_check_untick(partner=partner, actor=request.user, **serializer.validated_data)
        return self._answer(partner)
