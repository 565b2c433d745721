"""The communication API (SPEC §6): ``announcements/``, ``reviews/`` with ``actions/`` and ``ics/``,
``action-items/``, ``tickets/`` with ``messages/`` and ``close/``, and ``pulses/`` with ``satisfaction/``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qudao_api.parsers import FormParser, JSONParser, MultiPartParser
from qudao_api.viewsets import TenantViewSet
from tenancy.models import Membership
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import AnnouncementFilter, ReviewFilter, TicketFilter
from .models import ActionItem, Announcement, Pulse, Review, Ticket
from .serializers import (
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    AnnouncementPublishSerializer,
    PartnerAnnouncementSerializer,
    PulseAnswerSerializer,
    PulseSerializer,
    QuarterSerializer,
    ReceiptSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    TicketCloseSerializer,
    TicketMessageCreateSerializer,
    TicketMessageSerializer,
    TicketOpenSerializer,
    TicketSerializer,
    VendorAnnouncementSerializer,
    VendorReviewSerializer,
)
from .views import review_ics


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _member(email: str | None) -> Membership | None:
    """The member an e-mail names (a 400 if none)."""
    if not email:
        return None
    found = Membership.objects.filter(user__email__iexact=email, is_active=True).select_related("user").first()
    if found is None:
        raise ValidationError({"owner": "No member has this e-mail."})
    return found


class AnnouncementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Announcements: the vendor publishes (POST) and sees read and acknowledged counts; a partner-side member
    reads those addressed to its partner and records ``read/`` and ``acknowledge/``."""

    model = Announcement
    partner_field = None
    filterset_class = AnnouncementFilter
    write_capability = Capability.MANAGE_COMMUNICATION
    action_capabilities = {"read": Capability.GIVE_FEEDBACK, "acknowledge": Capability.GIVE_FEEDBACK}
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if getattr(self, "membership", None) is not None and self.membership.is_partner_side:
            return PartnerAnnouncementSerializer
        return VendorAnnouncementSerializer

    def narrow_queryset(self, queryset):
        queryset = queryset.filter(pk__in=selectors.announcements_for(self.membership).values("pk"))
        if self.membership.is_partner_side:
            return selectors.with_own_receipt(queryset, self.membership).order_by("-published_at", "-id")
        return selectors.with_counts(queryset).order_by("-published_at", "-id")

    @extend_schema(request=AnnouncementPublishSerializer, responses=VendorAnnouncementSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(AnnouncementPublishSerializer, request.data)
        announcement = services.announcement_publish(actor=request.user, **data)
        fresh = self.get_queryset().get(pk=announcement.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def read(self, request, *args, **kwargs):
        receipt = services.announcement_read(member=self.membership, announcement=self.get_object())
        return Response(ReceiptSerializer(receipt).data)

    @extend_schema(request=None, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def acknowledge(self, request, *args, **kwargs):
        receipt = services.announcement_acknowledge(member=self.membership, announcement=self.get_object())
        return Response(ReceiptSerializer(receipt).data)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Business reviews: channel managers schedule (POST ``{partner, period, held_on, attendees?}``) and edit
    (PATCH ``{held_on, attendees, minutes}``); a partner reads its own, without the vendor's figures.
    ``{id}/actions/``: GET the items, POST one (the vendor). ``{id}/ics/``: the review as iCalendar."""

    model = Review
    partner_field = "partner"
    filterset_class = ReviewFilter
    write_capability = Capability.MANAGE_COMMUNICATION
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if getattr(self, "membership", None) is not None and self.membership.is_vendor_side:
            return VendorReviewSerializer
        return ReviewSerializer

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner").prefetch_related("actions__owner__user").order_by("-held_on", "-id")

    @extend_schema(request=ReviewCreateSerializer, responses=VendorReviewSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(ReviewCreateSerializer, request.data, context=self.get_serializer_context())
        review = services.review_schedule(actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data, status=201)

    @extend_schema(request=ReviewUpdateSerializer, responses=VendorReviewSerializer)
    def partial_update(self, request, *args, **kwargs):
        review = self.get_object()
        services.review_update(review=review, **_valid(ReviewUpdateSerializer, request.data))
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(request=ActionItemCreateSerializer, responses=ActionItemSerializer(many=True))
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def actions(self, request, *args, **kwargs):
        review = self.get_object()
        if request.method == "POST":
            data = _valid(ActionItemCreateSerializer, request.data)
            data["owner"] = _member(data.get("owner"))
            item = services.action_item_create(actor=request.user, review=review, **data)
            return Response(ActionItemSerializer(item).data, status=201)
        items = review.actions.select_related("owner__user")
        return Response(ActionItemSerializer(items, many=True).data)

    @extend_schema(responses={(200, "text/calendar"): str})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def ics(self, request, *args, **kwargs):
        review = self.get_object()
        response = HttpResponse(review_ics(review, self.tenant), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
        return response


class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Action items of the reviews a member sees; PATCH one (a partner-side member: status and note of its
    own side's items; the vendor's channel managers: anything)."""

    model = ActionItem
    partner_field = "partner"
    serializer_class = ActionItemSerializer
    write_capability = Capability.CONVERSE
    http_method_names = ["get", "patch", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("owner__user").order_by("due_on", "id")

    @extend_schema(request=ActionItemUpdateSerializer, responses=ActionItemSerializer)
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = _valid(ActionItemUpdateSerializer, request.data)
        if "owner" in data:
            data["owner"] = _member(data["owner"])
        item = services.action_item_update(actor=self.membership, item=item, **data)
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Feedback tickets: a partner-side member opens one (POST, multipart for an ``attachment``); both sides
    write ``messages/`` and ``close/`` (``{rating?}`` 1–5, the partner's). ``?status=&category=&breached=yes``."""

    model = Ticket
    partner_field = "partner"
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    write_capability = Capability.GIVE_FEEDBACK
    action_capabilities = {"messages": Capability.CONVERSE, "close": Capability.CONVERSE}
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner").order_by("-opened_at", "-id")

    def required_capability(self):
        if self.action == "messages" and self.request.method not in ("POST",):
            return None
        return super().required_capability()

    @extend_schema(request=TicketOpenSerializer, responses=TicketSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(TicketOpenSerializer, request.data)
        ticket = services.ticket_open(actor=self.membership, **data)
        return Response(TicketSerializer(ticket).data, status=201)

    @extend_schema(request=TicketMessageCreateSerializer, responses=TicketMessageSerializer(many=True))
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def messages(self, request, *args, **kwargs):
        ticket = self.get_object()
        if request.method == "POST":
            data = _valid(TicketMessageCreateSerializer, request.data)
            message = services.ticket_message_add(actor=self.membership, ticket=ticket, **data)
            return Response(TicketMessageSerializer(message, context=self.get_serializer_context()).data, status=201)
        found = ticket.messages.select_related("author")
        return Response(TicketMessageSerializer(found, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=TicketCloseSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def close(self, request, *args, **kwargs):
        data = _valid(TicketCloseSerializer, request.data)
        ticket = services.ticket_close(actor=self.membership, ticket=self.get_object(), rating=data.get("rating"))
        return Response(TicketSerializer(ticket).data)


class PulseViewSet(mixins.ListModelMixin, TenantViewSet):
    """The quarterly question: a partner user answers (POST ``{score, comment?}``, once a quarter) and sees its
    own answers; vendor members see them all."""

    model = Pulse
    partner_field = "partner"
    serializer_class = PulseSerializer
    write_capability = Capability.GIVE_FEEDBACK
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        if self.membership.is_partner_side:
            queryset = queryset.filter(member=self.membership)
        return queryset.select_related("partner").order_by("-quarter", "-id")

    @extend_schema(request=PulseAnswerSerializer, responses=PulseSerializer)
    def create(self, request, *args, **kwargs):
        pulse = services.pulse_answer(actor=self.membership, **_valid(PulseAnswerSerializer, request.data))
        return Response(PulseSerializer(pulse).data, status=201)


class SatisfactionViewSet(TenantViewSet):
    """``satisfaction/`` (vendor members): per quarter, the satisfaction figure and mean score, overall and per
    tier (the partner's tier when it answered), beside the mean rating of the tickets closed in the quarter."""

    model = Pulse
    partner_field = None
    read_roles = VENDOR_ROLES
    pagination_class = None
    filterset_class = None
    serializer_class = QuarterSerializer

    @extend_schema(responses=QuarterSerializer(many=True))
    def list(self, request, *args, **kwargs):
        report = selectors.satisfaction_report(tenant=self.tenant)
        rows = [
            {
                "quarter": quarter,
                "overall": vars(report.overall[quarter]),
                "tiers": {tier.code: vars(figures[quarter]) for tier, figures in report.by_tier},
                "ticket_rating": report.ratings[quarter],
            }
            for quarter in report.quarters
        ]
        return Response(QuarterSerializer(rows, many=True).data)
