from django.urls import path

from . import views

app_name = "diligence"
urlpatterns = [
    path("partners/<int:pk>/diligence/", views.PartnerChecklistView.as_view(), name="partner"),
    path("partners/<int:pk>/diligence/tick/", views.PartnerCheckTickView.as_view(), name="tick"),
    path("partners/<int:pk>/diligence/untick/", views.PartnerCheckUntickView.as_view(), name="untick"),
    path("diligence/", views.PipelineView.as_view(), name="pipeline"),
    path("diligence/checklist/", views.ChecklistSettingsView.as_view(), name="checklist"),
    path("diligence/checklist/new/", views.ChecklistItemCreateView.as_view(), name="item-create"),
    path("diligence/checklist/<int:pk>/edit/", views.ChecklistItemEditView.as_view(), name="item-edit"),
    path("diligence/settings/", views.PilotSettingView.as_view(), name="settings"),
    path("diligence/evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence"),
]
