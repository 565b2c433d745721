from django.urls import path

from . import views

app_name = "incentives"
urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="programs"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program-create"),
    path("programs/<int:pk>/", views.ProgramDetailView.as_view(), name="program"),
    path("programs/<int:pk>/edit/", views.ProgramEditView.as_view(), name="program-edit"),
    path("profit-shares/", views.AgreementListView.as_view(), name="agreements"),
    path("profit-shares/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path("profit-shares/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement"),
    path("profit-shares/<int:pk>/edit/", views.AgreementEditView.as_view(), name="agreement-edit"),
    path("our-programs/", views.OurProgramsView.as_view(), name="mine"),
]
