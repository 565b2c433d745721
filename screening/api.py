"""The screening API (SPEC §6): ``scorecard/``, ``evaluations/``, ``partners/{id}/screening/``, ``exit-reviews/``.

Vendor members only: a partner-side member gets a 403 for these resources (a 404 for another
partner's objects), never an evaluation, a screening score or an exit review.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from partners.models import Partner
from qudao_api.idempotency import idempotent
from qudao_api.parsers import FormParser, JSONParser, MultiPartParser
from qudao_api.viewsets import TenantViewSet
from tenancy.access import restrict_to_visible_partners
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import EvaluationFilter, ExitReviewFilter
from .models import Criterion, Evaluation, ExitReview, Rating
from .serializers import (
    DecideInputSerializer,
    EvaluationInputSerializer,
    EvaluationSerializer,
    EvidenceInputSerializer,
    ExitReviewDecideSerializer,
    ExitReviewOpenSerializer,
    ExitReviewSerializer,
    ScorecardSerializer,
    ScreeningSerializer,
)


def _visible_partner(viewset: TenantViewSet, code: str) -> Partner:
    """A partner the member may see, by code (any other: the same error as a missing one)."""
    visible = restrict_to_visible_partners(Partner.objects.all(), viewset.membership, "")
    partner = visible.filter(code=code.strip()).first()
    if partner is None:
        raise ValidationError({"partner": f"No partner with code “{code[:50]}”."})
    return partner


class ScorecardViewSet(TenantViewSet):
    """The tenant's scorecard and thresholds: GET (every vendor member), PUT (administrators) with all of them."""

    model = Criterion
    partner_field = None
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_SETTINGS
    serializer_class = ScorecardSerializer
    filterset_class = None
    pagination_class = None

    def _answer(self) -> Response:
        settings = selectors.screening_settings()
        data = {
            "criteria": selectors.scorecard(),
            "threshold": settings.threshold,
            "exit_threshold": settings.exit_threshold,
        }
        return Response(ScorecardSerializer(data).data)

    @extend_schema(responses=ScorecardSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._answer()

    @extend_schema(request=ScorecardSerializer, responses=ScorecardSerializer)
    def update(self, request, *args, **kwargs):
        serializer = ScorecardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.scorecard_update(
            criteria=[dict(row) for row in data["criteria"]],
            threshold=data["threshold"],
            exit_threshold=data["exit_threshold"],
            actor=request.user,
        )
        return self._answer()


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Evaluations (every version; ``?current=true`` for each evaluator's latest). POST rates a partner."""

    model = Evaluation
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_PARTNERS
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        from django.db.models import Prefetch

        return (
            queryset.select_related("partner", "evaluator")
            .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("criterion")), "evidence")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=EvaluationInputSerializer, responses={201: EvaluationSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """``{partner, ratings: [{criterion, rating, note}], summary?}`` → the evaluation with its ``score``."""
        body = EvaluationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        partner = _visible_partner(self, data["partner"])
        evaluation = services.evaluation_submit(
            partner=partner,
            actor=request.user,
            ratings=[dict(row) for row in data["ratings"]],
            summary=data["summary"],
        )
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(evaluation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvaluationSerializer})
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        pagination_class=None,
    )
    def evidence(self, request, *args, **kwargs):
        """Attach a file (multipart ``file``; the contract-file limits) to your own current evaluation."""
        evaluation = self.get_object()
        body = EvidenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evidence_add(evaluation=evaluation, actor=request.user, files=[body.validated_data["file"]])
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(evaluation).data, status=status.HTTP_201_CREATED)


class PartnerScreeningViewSet(TenantViewSet):
    """``partners/{id}/screening/``: the screening score and recommendation; ``screening/decide/`` decides."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_PARTNERS
    serializer_class = ScreeningSerializer
    filterset_class = None
    pagination_class = None

    def _answer(self, partner: Partner, status_code: int = status.HTTP_200_OK) -> Response:
        screening = selectors.screening_of(partner)
        data = {
            "partner": partner.code,
            "status": Partner.objects.values_list("status", flat=True).get(pk=partner.pk),
            "screening_score": screening.score,
            "threshold": screening.threshold,
            "recommendation": screening.recommendation,
            "evaluator_count": screening.evaluator_count,
            "evaluations": screening.evaluations,
            "decisions": screening.decisions,
        }
        return Response(ScreeningSerializer(data, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(responses=ScreeningSerializer)
    @action(detail=True, methods=["get"], url_path="screening", url_name="screening")
    def screening(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(request=DecideInputSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"], url_path="screening/decide", url_name="screening-decide")
    @idempotent
    def decide(self, request, *args, **kwargs):
        """``{decision: proceed|decline, reason}``: proceed starts due diligence; decline terminates the prospect."""
        partner = self.get_object()
        body = DecideInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.screening_decide(partner=partner, actor=request.user, **body.validated_data)
        return self._answer(partner)


class ExitReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Exit reviews (``?status=open``); POST puts a partner up for review by hand; ``{id}/decide/`` decides."""

    model = ExitReview
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    write_capability = Capability.MANAGE_PARTNERS
    serializer_class = ExitReviewSerializer
    filterset_class = ExitReviewFilter
    http_method_names = ["get", "post", "head", "options"]

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "opened_by", "decided_by").order_by("-flagged_on", "-id")

    @extend_schema(request=ExitReviewOpenSerializer, responses={201: ExitReviewSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        body = ExitReviewOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partner = _visible_partner(self, body.validated_data["partner"])
        review = services.exit_review_open(partner=partner, actor=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExitReviewDecideSerializer, responses=ExitReviewSerializer)
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        pagination_class=None,
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )
    @idempotent
    def decide(self, request, *args, **kwargs):
        """``{decision: keep|suspend|terminate, reason, plan?, review_on?}``: keep needs the plan and the date."""
        review = self.get_object()
        body = ExitReviewDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.exit_review_decide(review=review, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)
