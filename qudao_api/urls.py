from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from facts.api import InvoiceViewSet, PaymentViewSet, ReceivablesViewSet, SaleViewSet, WriteOffViewSet
from partners.api import PartnerViewSet, TierViewSet
from scoring.api import JobRunViewSet, ScoreViewSet, TierRecommendationViewSet
from targets.api import GoalViewSet, TargetViewSet
from tenancy.api import MemberViewSet

from .docs import RedocView, SwaggerView

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("tiers", TierViewSet, basename="tier")
router.register("partners", PartnerViewSet, basename="partner")
router.register("sales", SaleViewSet, basename="sale")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("writeoffs", WriteOffViewSet, basename="writeoff")
router.register("receivables", ReceivablesViewSet, basename="receivables")
router.register("targets", TargetViewSet, basename="target")
router.register("goals", GoalViewSet, basename="goal")
router.register("scores", ScoreViewSet, basename="score")
router.register("tier-recommendations", TierRecommendationViewSet, basename="tier-recommendation")
router.register("job-runs", JobRunViewSet, basename="job-run")

app_name = "api"
urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("t/<slug:tenant_slug>/", include(router.urls)),
]
