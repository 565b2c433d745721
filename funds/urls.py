from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("funds/", views.FundListView.as_view(), name="funds"),
    path("funds/new/", views.FundCreateView.as_view(), name="fund-create"),
    path("funds/<int:pk>/", views.FundDetailView.as_view(), name="fund"),
    path("funds/<int:pk>/edit/", views.FundEditView.as_view(), name="fund-edit"),
    path("funds/<int:pk>/request/", views.FundRequestCreateView.as_view(), name="request-create"),
    path("funds/requests/", views.FundRequestListView.as_view(), name="requests"),
    path("funds/requests/<int:pk>/", views.FundRequestDetailView.as_view(), name="request"),
    path("funds/requests/<int:pk>/approve/", views.FundRequestApproveView.as_view(), name="request-approve"),
    path("funds/requests/<int:pk>/reject/", views.FundRequestRejectView.as_view(), name="request-reject"),
    path("funds/requests/<int:pk>/claim/", views.FundClaimCreateView.as_view(), name="claim-create"),
    path("funds/claims/", views.FundClaimListView.as_view(), name="claims"),
    path("funds/claims/<int:pk>/", views.FundClaimDetailView.as_view(), name="claim"),
    path("funds/claims/<int:pk>/approve/", views.FundClaimApproveView.as_view(), name="claim-approve"),
    path("funds/claims/<int:pk>/reject/", views.FundClaimRejectView.as_view(), name="claim-reject"),
    path("funds/proof/<int:pk>/", views.ProofFileView.as_view(), name="proof"),
]
