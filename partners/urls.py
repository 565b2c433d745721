from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("contracts/<int:pk>/file/", views.ContractFileView.as_view(), name="contract-file"),
]
