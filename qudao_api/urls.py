from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from accounts.api import LogoutView, TokenObtainView
from communication.api import (
    ActionItemViewSet,
    AnnouncementViewSet,
    PulseViewSet,
    ReviewViewSet,
    SatisfactionViewSet,
    TicketViewSet,
)
from deals.api import DealViewSet
from diligence.api import ChecklistItemViewSet, PartnerChecklistViewSet
from facts.api import InvoiceViewSet, PaymentViewSet, ReceivablesViewSet, SaleViewSet, WriteOffViewSet
from funds.api import FundClaimViewSet, FundRequestViewSet, FundViewSet
from incentives.api import ProfitShareViewSet, ProgramViewSet
from leads.api import LeadViewSet
from notifications.api import NotificationViewSet, WebhookViewSet
from partners.api import PartnerViewSet, TierViewSet
from risk.api import AlertViewSet, RiskSettingsViewSet
from scoring.api import JobRunViewSet, ScoreViewSet, TierRecommendationViewSet
from screening.api import EvaluationViewSet, ExitReviewViewSet, PartnerScreeningViewSet, ScorecardViewSet
from settlements.api import SettlementRunViewSet, StatementViewSet
from targets.api import GoalViewSet, TargetViewSet
from tenancy.api import InvitationInboxViewSet, MemberViewSet, TenantInvitationViewSet

from .docs import RedocView, SwaggerView
from .views import ApiRootView

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("invitations", TenantInvitationViewSet, basename="tenant-invitation")
router.register("tiers", TierViewSet, basename="tier")
router.register("partners", PartnerViewSet, basename="partner")
router.register("partners", PartnerChecklistViewSet, basename="partner-diligence")
router.register("checklist-items", ChecklistItemViewSet, basename="checklist-item")
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
router.register("settlement-runs", SettlementRunViewSet, basename="settlement-run")
router.register("statements", StatementViewSet, basename="statement")
router.register("programs", ProgramViewSet, basename="program")
router.register("profit-shares", ProfitShareViewSet, basename="profit-share")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("alerts", AlertViewSet, basename="alert")
router.register("deals", DealViewSet, basename="deal")
router.register("leads", LeadViewSet, basename="lead")
router.register("announcements", AnnouncementViewSet, basename="announcement")
router.register("reviews", ReviewViewSet, basename="review")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("pulses", PulseViewSet, basename="pulse")
router.register("satisfaction", SatisfactionViewSet, basename="satisfaction")
router.register("funds", FundViewSet, basename="fund")
router.register("fund-requests", FundRequestViewSet, basename="fund-request")
router.register("fund-claims", FundClaimViewSet, basename="fund-claim")
router.register("partners", PartnerScreeningViewSet, basename="partner-screening")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("exit-reviews", ExitReviewViewSet, basename="exit-review")

inbox = SimpleRouter()
inbox.register("invitations", InvitationInboxViewSet, basename="invitation")

app_name = "api"
urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("auth/token/", TokenObtainView.as_view(), name="token"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the pages send others to log in.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", login_required(SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", login_required(RedocView.as_view(url_name="api:schema")), name="redoc"),
    # Statement PDFs, exports and export jobs: before the router, so statements/export/ is no statement id.
    path("t/<slug:tenant_slug>/", include("settlements.document_api")),
    path(
        "t/<slug:tenant_slug>/risk-settings/",
        RiskSettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="risk-settings",
    ),
    path(
        "t/<slug:tenant_slug>/scorecard/",
        ScorecardViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="scorecard",
    ),
    path("t/<slug:tenant_slug>/", include(router.urls)),
    path("", include(inbox.urls)),
]
