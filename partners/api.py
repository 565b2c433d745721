from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.dates import tenant_today
from qudao_api.parsers import FormParser, JSONParser, MultiPartParser
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability

from . import selectors, services
from .filters import PartnerFilter
from .models import Contract, Partner, Tier
from .serializers import (
    ContractSerializer,
    PartnerHistorySerializer,
    PartnerSerializer,
    PartnerStatusChangeSerializer,
    PartnerTierChangeSerializer,
    TierSerializer,
)


class TierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, TenantViewSet):  # fmt: skip
    """Partner tiers; everyone in the tenant reads them (they are the rules that pay partners)."""

    model = Tier
    partner_field = None
    serializer_class = TierSerializer
    write_capability = Capability.MANAGE_TIERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.tier_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.tier_update(tier=serializer.instance, **serializer.validated_data)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, TenantViewSet):  # fmt: skip
    model = Partner
    partner_field = ""
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    write_capability = Capability.MANAGE_PARTNERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier", "manager")

    def required_capability(self):
        if self.action == "contracts" and self.request.method == "GET":
            return None
        if self.action == "contracts":
            return Capability.MANAGE_PARTNERS
        return super().required_capability()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        serializer.instance = services.partner_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.partner_update(
            partner=serializer.instance, actor=self.request.user, reason=reason, **data
        )

    @action(detail=True, methods=["get"], serializer_class=PartnerHistorySerializer, filterset_class=None)
    def history(self, request, *args, **kwargs):
        """Tier and status changes, newest first."""
        entries = selectors.partner_history(self.get_object(), viewer=self.membership)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(PartnerHistorySerializer(page, many=True).data)

    @action(detail=True, methods=["post"], serializer_class=PartnerTierChangeSerializer, filterset_class=None)
    def tier(self, request, *args, **kwargs):
        """Change the partner's tier with an effective date (may be in the past) and a reason."""
        partner = self.get_object()
        serializer = PartnerTierChangeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        partner = services.partner_change_tier(partner=partner, actor=request.user, **serializer.validated_data)
        return Response(PartnerSerializer(partner, context=self.get_serializer_context()).data)

    @extend_schema(request=PartnerStatusChangeSerializer, responses=PartnerSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        url_name="status",
        serializer_class=PartnerStatusChangeSerializer,
        filterset_class=None,
    )
    def change_status(self, request, *args, **kwargs):
        """Move the partner along its workflow; a step forward needs its due diligence items met (409 if not)."""
        partner = self.get_object()
        serializer = PartnerStatusChangeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("effective_on", tenant_today(self.tenant))
        partner = services.partner_change_status(partner=partner, actor=request.user, **data)
        return Response(PartnerSerializer(partner, context=self.get_serializer_context()).data)

    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ContractSerializer,
        filterset_class=None,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def contracts(self, request, *args, **kwargs):
        """The partner's contracts; POST is multipart with the contract ``file``."""
        partner = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            page = self.paginate_queryset(Contract.objects.filter(partner=partner).order_by("-starts_on", "-id"))
            return self.get_paginated_response(ContractSerializer(page, many=True, context=context).data)
        serializer = ContractSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(partner=partner, **serializer.validated_data)
        return Response(ContractSerializer(contract, context=context).data, status=status.HTTP_201_CREATED)
