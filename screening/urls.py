from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("screening/", views.CandidateListView.as_view(), name="candidates"),
    path("screening/compare/", views.CompareView.as_view(), name="compare"),
    path("screening/scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("screening/scorecard/edit/", views.ScorecardEditView.as_view(), name="scorecard-edit"),
    path("screening/evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence"),
    path("screening/exit-reviews/", views.ExitReviewListView.as_view(), name="exit-reviews"),
    path("screening/exit-reviews/open/", views.ExitReviewOpenView.as_view(), name="exit-review-open"),
    path("screening/exit-reviews/<int:pk>/", views.ExitReviewView.as_view(), name="exit-review"),
    path("screening/exit-reviews/<int:pk>/decide/", views.ExitReviewDecideView.as_view(), name="exit-review-decide"),
    path("partners/<int:pk>/screening/", views.PartnerScreeningView.as_view(), name="partner"),
    path("partners/<int:pk>/screening/evaluate/", views.EvaluateView.as_view(), name="evaluate"),
    path("partners/<int:pk>/screening/decide/", views.ScreeningDecideView.as_view(), name="decide"),
]
