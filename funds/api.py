"""``funds/``, ``fund-requests/`` and ``fund-claims/`` (SPEC §6, §4.10).

Every member reads funds (a partner, those open to its tier, with its own figures only); administrators
and channel managers set them up and decide requests; a partner's administrator requests and claims;
finance and administrators decide claims. Approvals, rejections and claims take an ``Idempotency-Key``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.idempotency import idempotent
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability

from . import selectors, services
from .filters import FundClaimFilter, FundFilter, FundRequestFilter
from .models import Fund, FundClaim, FundRequest
from .serializers import (
    FundClaimCreateSerializer,
    FundClaimDetailSerializer,
    FundClaimSerializer,
    FundDecisionSerializer,
    FundRequestCreateSerializer,
    FundRequestDetailSerializer,
    FundRequestSerializer,
    FundSerializer,
    FundUpdateSerializer,
    FundWriteSerializer,
    PartnerFundSerializer,
    RejectSerializer,
)


def _body(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Market development funds with budget, approved, claimed and paid: ``?q=&period=&tier=&is_open=``."""

    model = Fund
    partner_field = None
    write_capability = Capability.MANAGE_FUNDS
    filterset_class = FundFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if getattr(self, "membership", None) is not None and self.membership.is_partner_side:
            return PartnerFundSerializer
        return FundSerializer

    def narrow_queryset(self, queryset):
        if self.membership.is_partner_side:
            partner = self.membership.partner
            return selectors.with_figures(selectors.funds_for_tier(queryset, partner.tier.code), partner_id=partner.pk)
        return selectors.with_figures(queryset)

    def _answer(self, fund: Fund, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=fund.pk)
        return Response(FundSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=FundWriteSerializer, responses={201: FundSerializer})
    def create(self, request, *args, **kwargs):
        body = _body(FundWriteSerializer, request.data)
        fund = services.fund_create(actor=request.user, **body)
        return self._answer(fund, status.HTTP_201_CREATED)

    @extend_schema(request=FundUpdateSerializer, responses=FundSerializer)
    def partial_update(self, request, *args, **kwargs):
        fund = self.get_object()
        body = _body(FundUpdateSerializer, request.data)
        return self._answer(services.fund_update(fund=fund, actor=request.user, **body))


class FundRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partners' requests: ``?q=&fund=&partner=&status=&planned_from=&planned_to=``."""

    model = FundRequest
    partner_field = "partner"
    filterset_class = FundRequestFilter
    write_capability = Capability.REQUEST_FUNDS
    action_capabilities = {"approve": Capability.MANAGE_FUNDS, "reject": Capability.MANAGE_FUNDS}
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return FundRequestSerializer if self.action == "list" else FundRequestDetailSerializer

    def narrow_queryset(self, queryset):
        return selectors.request_list(queryset)

    def _answer(self, request_obj: FundRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=request_obj.pk)
        return Response(FundRequestDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=FundRequestCreateSerializer, responses={201: FundRequestDetailSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """A partner's administrator asks for part of a fund open to its tier: ``{fund, activity, planned_on,
        amount, plan}``."""
        body = _body(FundRequestCreateSerializer, request.data)
        partner = self.membership.partner
        fund = selectors.funds_for_tier(Fund.objects.all(), partner.tier.code).filter(code=body.pop("fund")).first()
        if fund is None:
            raise ValidationError({"fund": _("No fund with this code is open to your tier.")})
        made = services.fund_request_submit(fund=fund, partner=partner, actor=request.user, **body)
        return self._answer(made, status.HTTP_201_CREATED)

    @extend_schema(request=FundDecisionSerializer, responses=FundRequestDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def approve(self, request, *args, **kwargs):
        """Submitted → approved (admin, channel manager), within what the fund has left; ``{amount?, reason?}``:
        a lower amount needs a reason. Approving more than is left is a 409."""
        body = _body(FundDecisionSerializer, request.data)
        decided = services.fund_request_approve(
            request=self.get_object(), actor=request.user, amount=body.get("amount"), reason=body.get("reason", "")
        )
        return self._answer(decided)

    @extend_schema(request=RejectSerializer, responses=FundRequestDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def reject(self, request, *args, **kwargs):
        """Submitted → rejected (admin, channel manager): ``{reason}``."""
        body = _body(RejectSerializer, request.data)
        decided = services.fund_request_reject(request=self.get_object(), actor=request.user, reason=body["reason"])
        return self._answer(decided)


class FundClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partners' claims: ``?q=&fund=&partner=&status=&payment=`` (due, on_statement, paid)."""

    model = FundClaim
    partner_field = "partner"
    filterset_class = FundClaimFilter
    write_capability = Capability.REQUEST_FUNDS
    action_capabilities = {"approve": Capability.APPROVE_FUND_CLAIMS, "reject": Capability.APPROVE_FUND_CLAIMS}
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return FundClaimSerializer if self.action == "list" else FundClaimDetailSerializer

    def narrow_queryset(self, queryset):
        return selectors.claim_list(queryset)

    def _answer(self, claim: FundClaim, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=claim.pk)
        return Response(FundClaimDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request={"multipart/form-data": FundClaimCreateSerializer}, responses={201: FundClaimDetailSerializer}
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Claim what was spent on one of the partner's approved requests, with proof files (multipart ``files``)."""
        data = {name: request.data[name] for name in ("request", "amount", "description") if name in request.data}
        data["files"] = request.FILES.getlist("files")
        body = _body(FundClaimCreateSerializer, data)
        requests = FundRequest.objects.filter(partner_id=self.membership.partner_id)
        found = requests.filter(pk=body["request"]).first()
        if found is None:
            raise ValidationError({"request": _("No request of yours has this id.")})
        claim = services.fund_claim_submit(
            request=found, actor=request.user, amount=body["amount"], files=body.get("files", []),
            description=body.get("description", ""),
        )  # fmt: skip
        return self._answer(claim, status.HTTP_201_CREATED)

    @extend_schema(request=FundDecisionSerializer, responses=FundClaimDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def approve(self, request, *args, **kwargs):
        """Submitted → approved (finance, admin); ``{amount?, reason?}``: a lower amount needs a reason. The next
        settlement run of a period containing today pays it as an ``mdf`` line."""
        body = _body(FundDecisionSerializer, request.data)
        decided = services.fund_claim_approve(
            claim=self.get_object(), actor=request.user, amount=body.get("amount"), reason=body.get("reason", "")
        )
        return self._answer(decided)

    @extend_schema(request=RejectSerializer, responses=FundClaimDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    @idempotent
    def reject(self, request, *args, **kwargs):
        """Submitted → rejected (finance, admin): ``{reason}``."""
        body = _body(RejectSerializer, request.data)
        decided = services.fund_claim_reject(claim=self.get_object(), actor=request.user, reason=body["reason"])
        return self._answer(decided)
