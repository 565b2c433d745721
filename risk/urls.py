from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("risk/", views.RiskDashboardView.as_view(), name="dashboard"),
    path("risk/receivables/", views.ReceivablesOverviewView.as_view(), name="receivables"),
    path("risk/alerts/", views.AlertListView.as_view(), name="alerts"),
    path("risk/alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert"),
    path("risk/alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
    path("risk/alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert-resolve"),
    path("risk/settings/", views.RiskSettingsView.as_view(), name="settings"),
    path("risk/settings/edit/", views.RiskSettingsEditView.as_view(), name="settings-edit"),
    path("partners/<int:pk>/risk/", views.PartnerRiskView.as_view(), name="partner"),
]
