from django.urls import path

from . import views

app_name = "settlements"
urlpatterns = [
    path("settlements/runs/", views.RunListView.as_view(), name="runs"),
    path("settlements/runs/start/", views.RunStartView.as_view(), name="run-start"),
    path("settlements/runs/<int:pk>/", views.RunDetailView.as_view(), name="run"),
    path("settlements/statements/", views.StatementListView.as_view(), name="statements"),
    path("settlements/statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement"),
    path("settlements/statements/<int:pk>/approve/", views.StatementApproveView.as_view(), name="statement-approve"),
    path("settlements/statements/<int:pk>/dispute/", views.StatementDisputeView.as_view(), name="statement-dispute"),
    path("settlements/statements/<int:pk>/resolve/", views.StatementResolveView.as_view(), name="statement-resolve"),
    path(
        "settlements/statements/<int:pk>/mark-paid/", views.StatementMarkPaidView.as_view(), name="statement-mark-paid"
    ),
    path("settlements/statements/<int:pk>/adjust/", views.StatementAdjustView.as_view(), name="statement-adjust"),
]
