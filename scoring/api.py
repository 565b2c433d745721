import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.parsing import ParseError, clean_text, parse_date
from qudao_api.pagination import PageByIdPagination
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import VENDOR_ROLES, Capability

from . import services
from .filters import JobRunFilter, TierRecommendationFilter
from .models import JobRun, PartnerScore, TierRecommendation
from .selectors import latest_score_day
from .serializers import DecisionSerializer, JobRunSerializer, PartnerScoreSerializer, TierRecommendationSerializer


class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Scores with every component, the figures behind them and the recommended tier.

    ``?date=`` picks the day (default: the latest day scored); ``?partner=`` a partner's code.
    """

    model = PartnerScore
    serializer_class = PartnerScoreSerializer
    filterset_class = None
    pagination_class = PageByIdPagination  # the page's scores picked by id (a narrow sort), then read with their joins

    def narrow_queryset(self, queryset):
        queryset = queryset.select_related("partner", "partner__tier", "recommended_tier")
        if self.action != "list":
            return queryset
        params = self.request.query_params
        try:
            day = parse_date(params["date"]) if params.get("date") else latest_score_day()
        except ParseError as error:
            raise ValidationError({"date": [error.message]}) from None
        queryset = queryset.filter(day=day)
        try:
            code = clean_text(params.get("partner"), max_length=50)
        except ParseError as error:
            raise ValidationError({"partner": [error.message]}) from None
        if code:
            queryset = queryset.filter(partner__code=code)
        return queryset.order_by("-score", "partner__code")

    @extend_schema(parameters=[OpenApiParameter("date", datetime.date), OpenApiParameter("partner", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class TierRecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Tier changes the scores call for; a channel manager applies or dismisses each (with a reason)."""

    model = TierRecommendation
    serializer_class = TierRecommendationSerializer
    read_roles = VENDOR_ROLES
    action_capabilities = {"apply": Capability.MANAGE_PARTNERS, "dismiss": Capability.MANAGE_PARTNERS}
    filterset_class = TierRecommendationFilter
    pagination_class = PageByIdPagination  # the page's recommendations picked by id, then read with their joins

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "from_tier", "to_tier", "score").order_by("-created_at", "-id")

    @extend_schema(request=DecisionSerializer, responses=TierRecommendationSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, *args, **kwargs):
        """Apply: the tier changes today, into the history with the score behind it."""
        return self._decide(services.recommendation_apply)

    @extend_schema(request=DecisionSerializer, responses=TierRecommendationSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, *args, **kwargs):
        """Dismiss with a reason; the same change stays quiet for a while."""
        return self._decide(services.recommendation_dismiss)

    def _decide(self, service):
        decision = DecisionSerializer(data=self.request.data)
        decision.is_valid(raise_exception=True)
        recommendation = service(
            recommendation=self.get_object(), actor=self.request.user, reason=decision.validated_data["reason"]
        )
        return Response(TierRecommendationSerializer(recommendation).data)


class JobRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Nightly runs: status, progress, duration and errors (vendor only)."""

    model = JobRun
    partner_field = None
    serializer_class = JobRunSerializer
    read_roles = VENDOR_ROLES
    filterset_class = JobRunFilter
