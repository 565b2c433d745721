from django.urls import path

from . import document_views, views

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
    # Documents: a statement's PDF, a period's spreadsheet, the zip of its PDFs (settlements/document_views.py).
    path("settlements/statements/<int:pk>/pdf/", document_views.StatementPdfView.as_view(), name="statement-pdf"),
    path("settlements/statements/export/", document_views.PeriodExportView.as_view(), name="period-export"),
    path("settlements/statements/export/pdf-zip/", document_views.PdfZipStartView.as_view(), name="pdf-zip-start"),
    path("settlements/exports/<int:pk>/", document_views.ExportJobView.as_view(), name="export-job"),
    path(
        "settlements/exports/<int:pk>/download/",
        document_views.ExportJobDownloadView.as_view(),
        name="export-job-download",
    ),
]
