"""``leads/`` (SPEC §6): the vendor's leads and their assignments; a partner's offers.

Vendor members read every lead and its assignment trail; administrators and channel managers create
leads (the answer carries the assignment) and assign them by hand. A partner-side member sees only
the leads offered to its partner, without the trail (``assignments/`` is vendor-only: 403); its
administrator accepts or declines. An accepted lead is closed as won or lost by either side.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.viewsets import TenantViewSet
from tenancy.roles import Capability

from . import selectors, services
from .filters import LeadFilter
from .models import Lead
from .serializers import (
    AssignmentSerializer,
    AssignSerializer,
    DeclineSerializer,
    LeadCreateSerializer,
    LeadSerializer,
    LeadWithAssignmentSerializer,
    LostSerializer,
    PartnerLeadSerializer,
)


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    """Leads, newest first: ``?status=&region=&industry=&partner=&q=`` (``status=open``: offered or accepted)."""

    model = Lead
    partner_field = "partner"
    filterset_class = LeadFilter
    write_capability = Capability.MANAGE_LEADS
    action_capabilities = {
        "accept": Capability.ANSWER_LEADS,
        "decline": Capability.ANSWER_LEADS,
        "assign": Capability.MANAGE_LEADS,
        "won": Capability.CLOSE_LEADS,
        "lost": Capability.CLOSE_LEADS,
        "assignments": Capability.SEE_INTERNAL,
    }
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        return selectors.lead_list(queryset)

    def get_serializer_class(self):
        if self.action == "create":
            return LeadCreateSerializer
        membership = getattr(self, "membership", None)  # none while the OpenAPI schema is generated
        if membership is not None and membership.is_partner_side:
            return PartnerLeadSerializer
        return LeadSerializer

    def _answer(self, lead: Lead, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=lead.pk).first()
        if fresh is None:  # declined by a partner: the lead went on to another, out of its sight
            return Response({"id": lead.pk, "status": "declined"}, status=status_code)
        if self.membership.is_partner_side:
            return Response(PartnerLeadSerializer(fresh).data, status=status_code)
        fresh.assignment = getattr(lead, "assignment", None)
        return Response(LeadWithAssignmentSerializer(fresh).data, status=status_code)

    def _body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=LeadCreateSerializer, responses={201: LeadWithAssignmentSerializer})
    def create(self, request, *args, **kwargs):
        """A new lead, offered at once by the rules: the answer carries the assignment and its reasons."""
        body = self._body(LeadCreateSerializer)
        lead = services.lead_create(
            actor=request.user, **{key: value for key, value in body.items() if value is not None}
        )
        return self._answer(lead, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PartnerLeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def accept(self, request, *args, **kwargs):
        """The partner takes the offered lead on (partner administrators, within the time to answer)."""
        lead = services.lead_accept(lead=self.get_object(), actor=request.user, partner=self.membership.partner)
        return self._answer(lead)

    @extend_schema(request=DeclineSerializer, responses=PartnerLeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def decline(self, request, *args, **kwargs):
        """The partner turns the offer down ``{reason}``; the lead goes to the next partner by the rules."""
        lead = self.get_object()
        body = self._body(DeclineSerializer)
        services.lead_decline(lead=lead, actor=request.user, partner=self.membership.partner, reason=body["reason"])
        return Response({"id": lead.pk, "status": "declined"})

    @extend_schema(request=AssignSerializer, responses=LeadWithAssignmentSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def assign(self, request, *args, **kwargs):
        """By hand ``{partner, note?}``: offer the lead to that partner; without a partner, distribute it again."""
        lead = self.get_object()
        body = self._body(AssignSerializer)
        lead = services.lead_assign(lead=lead, actor=request.user, partner=body.get("partner"), note=body["note"])
        return self._answer(lead)

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def won(self, request, *args, **kwargs):
        """An accepted lead became business."""
        lead = self.get_object()
        partner = self.membership.partner if self.membership.is_partner_side else None
        return self._answer(services.lead_close(lead=lead, actor=request.user, won=True, partner=partner))

    @extend_schema(request=LostSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def lost(self, request, *args, **kwargs):
        """An accepted lead came to nothing ``{reason?}``."""
        lead = self.get_object()
        body = self._body(LostSerializer)
        partner = self.membership.partner if self.membership.is_partner_side else None
        lead = services.lead_close(lead=lead, actor=request.user, won=False, partner=partner, reason=body["reason"])
        return self._answer(lead)

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def assignments(self, request, *args, **kwargs):
        """Every distribution of the lead, oldest first: the rule, every candidate with its score and reason."""
        lead = self.get_object()
        trail = selectors.assignments_of(lead)
        return Response(AssignmentSerializer(trail, many=True).data)
