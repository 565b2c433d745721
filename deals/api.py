"""``deals/`` (SPEC §6): register (the answer lists the conflicts), change, approve, reject, won, lost.

Every member reads the deals it may see (a partner its own); partner-side members, administrators
and channel managers register deals and say how they ended; administrators and channel managers
approve and reject. Another partner's or tenant's deal is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability

from . import selectors, services
from .filters import DealFilter
from .models import Deal
from .serializers import (
    ApproveSerializer,
    DealChangeSerializer,
    DealDetailSerializer,
    DealRegisterSerializer,
    DealSerializer,
    ReasonSerializer,
    WonSerializer,
)


class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Deals, the newest first: ``?status=&partner=&customer=&conflict=`` (``status=protected``: approved and
    still protected; ``conflict=true``: in conflict with another partner's deal)."""

    model = Deal
    partner_field = "partner"
    filterset_class = DealFilter
    write_capability = Capability.REGISTER_DEALS
    action_capabilities = {
        "create": Capability.REGISTER_DEALS,
        "partial_update": Capability.REGISTER_DEALS,
        "approve": Capability.DECIDE_DEALS,
        "reject": Capability.DECIDE_DEALS,
        "won": Capability.REGISTER_DEALS,
        "lost": Capability.REGISTER_DEALS,
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return DealSerializer if self.action == "list" else DealDetailSerializer

    def narrow_queryset(self, queryset):
        deals = selectors.deal_list(queryset).select_related("partner", "registered_by")
        if self.action != "list":
            deals = deals.prefetch_related("transitions__actor")
        return deals

    def _answer(self, deal: Deal, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=deal.pk)
        return Response(DealDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def _body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=DealRegisterSerializer, responses={201: DealDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Register a deal; the answer's ``conflicts`` are the other partners' deals that claim the customer."""
        data = dict(self._body(DealRegisterSerializer))
        partner = data.pop("partner", None)
        if self.membership.is_partner_side:
            partner = self.membership.partner
        elif partner is None:
            raise ValidationError({"partner": _("Name the partner the deal is registered for (its code).")})
        registration = services.deal_register(actor=request.user, partner=partner, **data)
        return self._answer(registration.deal, status.HTTP_201_CREATED)

    @extend_schema(request=DealChangeSerializer, responses=DealDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a submitted deal; its conflicts are looked for again."""
        deal = self.get_object()
        registration = services.deal_update(deal=deal, actor=request.user, **self._body(DealChangeSerializer))
        return self._answer(registration.deal)

    @extend_schema(request=ApproveSerializer, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def approve(self, request, *args, **kwargs):
        """Submitted → approved, protected for the tenant's days; 409 while another partner's deal protects
        the customer."""
        body = self._body(ApproveSerializer)
        return self._answer(services.deal_approve(deal=self.get_object(), actor=request.user, note=body["note"]))

    @extend_schema(request=ReasonSerializer, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def reject(self, request, *args, **kwargs):
        """Submitted or approved → rejected: ``{reason}``, which the partner reads."""
        body = self._body(ReasonSerializer)
        return self._answer(services.deal_reject(deal=self.get_object(), actor=request.user, reason=body["reason"]))

    @extend_schema(request=WonSerializer, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def won(self, request, *args, **kwargs):
        """Approved → won: ``{amount}``."""
        body = self._body(WonSerializer)
        return self._answer(services.deal_win(deal=self.get_object(), actor=request.user, amount=body["amount"]))

    @extend_schema(request=ReasonSerializer, responses=DealDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def lost(self, request, *args, **kwargs):
        """Approved → lost: ``{reason}``."""
        body = self._body(ReasonSerializer)
        return self._answer(services.deal_lose(deal=self.get_object(), actor=request.user, reason=body["reason"]))
