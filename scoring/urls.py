from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
    path("channel-map/", views.ChannelMapView.as_view(), name="channel-map"),
    path("partners/<int:pk>/score/", views.PartnerScoreView.as_view(), name="partner-score"),
    path("tier-recommendations/", views.RecommendationListView.as_view(), name="recommendations"),
    path("tier-recommendations/<int:pk>/decide/", views.RecommendationDecideView.as_view(), name="decide"),
    path("jobs/", views.JobRunListView.as_view(), name="jobs"),
    path("jobs/run/", views.JobRunNowView.as_view(), name="run-now"),
    path("settings/scoring/", views.ScoreSettingsView.as_view(), name="settings"),
]
