from django.urls import path

from . import views

app_name = "deals"
urlpatterns = [
    path("deals/", views.DealListView.as_view(), name="list"),
    path("deals/new/", views.DealRegisterView.as_view(), name="register"),
    path("deals/check/", views.DealCheckView.as_view(), name="check"),
    path("deals/settings/", views.DealSettingsView.as_view(), name="settings"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="detail"),
    path("deals/<int:pk>/edit/", views.DealEditView.as_view(), name="edit"),
    path("deals/<int:pk>/approve/", views.DealApproveView.as_view(), name="approve"),
    path("deals/<int:pk>/reject/", views.DealRejectView.as_view(), name="reject"),
    path("deals/<int:pk>/won/", views.DealWonView.as_view(), name="won"),
    path("deals/<int:pk>/lost/", views.DealLostView.as_view(), name="lost"),
]
