from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("partners/", views.PartnerListView.as_view(), name="list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="create"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="detail"),
    path("partners/<int:pk>/edit/", views.PartnerEditView.as_view(), name="edit"),
    path("partners/<int:pk>/tier/", views.PartnerChangeTierView.as_view(), name="change-tier"),
    path("partners/<int:pk>/status/", views.PartnerChangeStatusView.as_view(), name="change-status"),
    path("partners/<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="add-contact"),
    path("partners/<int:pk>/contracts/new/", views.ContractCreateView.as_view(), name="add-contract"),
    path("contracts/<int:pk>/file/", views.ContractFileView.as_view(), name="contract-file"),
    path("tiers/", views.TierListView.as_view(), name="tiers"),
    path("tiers/new/", views.TierCreateView.as_view(), name="tier-create"),
    path("tiers/<int:pk>/edit/", views.TierEditView.as_view(), name="tier-edit"),
]
