from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("leads/", views.LeadListView.as_view(), name="list"),
    path("leads/mine/", views.MyLeadsView.as_view(), name="mine"),
    path("leads/new/", views.LeadCreateView.as_view(), name="create"),
    path("leads/upload/", views.LeadUploadView.as_view(), name="upload"),
    path("leads/upload/template/", views.LeadTemplateView.as_view(), name="template"),
    path("leads/upload/<int:pk>/", views.LeadImportJobView.as_view(), name="import"),
    path("leads/fairness/", views.FairnessView.as_view(), name="fairness"),
    path("leads/settings/", views.LeadSettingsView.as_view(), name="settings"),
    path("leads/settings/edit/", views.LeadSettingsEditView.as_view(), name="settings-edit"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("leads/<int:pk>/accept/", views.LeadAcceptView.as_view(), name="accept"),
    path("leads/<int:pk>/decline/", views.LeadDeclineView.as_view(), name="decline"),
    path("leads/<int:pk>/assign/", views.LeadAssignView.as_view(), name="assign"),
    path("leads/<int:pk>/won/", views.LeadWonView.as_view(), name="won"),
    path("leads/<int:pk>/lost/", views.LeadLostView.as_view(), name="lost"),
]
