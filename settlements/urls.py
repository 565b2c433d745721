from django.urls import path

from . import document_views

app_name = "settlements"
urlpatterns = [
    # Documents: a statement's PDF, a period's spreadsheet, the zip of its PDFs (settlements/document_views.py).
    path("statements/<int:pk>/pdf/", document_views.StatementPdfView.as_view(), name="statement-pdf"),
    path("statements/export/", document_views.PeriodExportView.as_view(), name="period-export"),
    path("statements/export/pdf-zip/", document_views.PdfZipStartView.as_view(), name="pdf-zip-start"),
    path("exports/<int:pk>/", document_views.ExportJobView.as_view(), name="export-job"),
    path("exports/<int:pk>/download/", document_views.ExportJobDownloadView.as_view(), name="export-job-download"),
]
