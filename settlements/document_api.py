"""API for the documents of settlements (SPEC §6): a statement's PDF, a period's CSV/XLSX, the zip of its PDFs.

Mounted under ``/api/v1/t/<slug>/`` before the router's paths (``qudao_api/urls.py``), so
``statements/export/`` is never read as a statement's id:

- ``GET statements/{id}/pdf/`` — ``application/pdf``; every member who may see the statement;
- ``GET statements/export/?period=&partner=&status=&format=csv|xlsx`` — the lines of the
  statements the filters select (all periods without ``period``); finance and administrators;
- ``export-jobs/`` — ``POST {period}`` queues the zip of the period's PDFs (202); ``GET`` lists
  them and one with its live progress; ``GET export-jobs/{id}/download/`` the zip once finished.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from common.errors import Conflict
from common.periods import Period
from partners.models import Partner
from qudao_api.viewsets import TenantViewSet
from tenancy.roles import CAPABILITIES, Capability

from .document_views import pdf_response, period_export_response
from .exports import FORMATS
from .models import ExportJob, Statement, StatementStatus
from .pdf import statements_for_print
from .services.exports import export_job_start, export_jobs_expire

SETTLEMENT_RUNNERS = CAPABILITIES[Capability.RUN_SETTLEMENTS]


class FileAnswers:
    """A viewset whose successful answers are files: content negotiation never refuses the request.

    An ``Accept: application/pdf`` (or ``?format=csv``, which DRF would read as a renderer's name)
    gets the file; errors still answer in JSON.
    """

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class StatementPdfViewSet(FileAnswers, TenantViewSet):
    model = Statement

    def narrow_queryset(self, queryset):
        return statements_for_print(queryset)

    @extend_schema(
        summary="A settlement statement as a PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The statement's PDF")},
    )
    def pdf(self, request, *args, **kwargs):
        """The statement's PDF, in the tenant's language: partner, period, lines with explanations, total, status."""
        return pdf_response(self.get_object())


class StatementExportViewSet(FileAnswers, TenantViewSet):
    model = Statement
    action_capabilities = {"export": Capability.RUN_SETTLEMENTS}

    @extend_schema(
        summary="Settlement statements as CSV or XLSX, one row per line",
        parameters=[
            OpenApiParameter("period", str, description="2026-03, 2026-Q1 or 2026; all periods when left out"),
            OpenApiParameter("partner", str, description="a partner's code"),
            OpenApiParameter("status", str, enum=StatementStatus.values),
            OpenApiParameter("format", str, enum=list(FORMATS), default="csv"),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY
            ),
        },
    )
    def export(self, request, *args, **kwargs):
        """Every line of the selected statements with its statement's partner, status and total."""
        file_format = request.query_params.get("format") or "csv"
        if file_format not in FORMATS:
            raise ValidationError({"format": [_("Choose csv or xlsx.")]})
        statements, period = selected_statements(self.get_queryset(), request.query_params)
        return period_export_response(statements, period, file_format)


def selected_statements(statements, params) -> tuple:
    """The statements ``?period=&status=&partner=`` select, and the period; a bad value is a 400 on its field."""
    period = None
    if params.get("period"):
        try:
            period = Period.parse(params["period"])
        except ValueError as error:
            raise ValidationError({"period": [str(error)]}) from None
        statements = statements.filter(period=str(period))
    if status_value := params.get("status"):
        if status_value not in StatementStatus.values:
            choices = ", ".join(StatementStatus.values)
            raise ValidationError({"status": [_("Choose one of: %(values)s.") % {"values": choices}]})
        statements = statements.filter(status=status_value)
    if code := params.get("partner"):
        if not Partner.objects.filter(code=code).exists():
            raise ValidationError({"partner": [_("No partner with code “%(code)s”.") % {"code": code}]})
        statements = statements.filter(partner__code=code)
    return statements, period


class ExportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = ["id", "kind", "period", "status", "progress", "statements_count", "error", "created_by",
                  "created_at", "started_at", "finished_at", "download_url"]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.SUCCEEDED:
            return None
        request = self.context.get("request")
        return reverse(
            "api:export-job-download", kwargs={"tenant_slug": job.tenant.slug, "pk": job.pk}, request=request
        )


class ExportJobStartSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=20, help_text="2026-03, 2026-Q1 or 2026")


class ExportJobViewSet(FileAnswers, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Zips of a period's statement PDFs, made by a task; ``progress`` is live while one runs."""

    model = ExportJob
    partner_field = None
    read_roles = SETTLEMENT_RUNNERS
    write_capability = Capability.RUN_SETTLEMENTS
    action_capabilities = {"download": Capability.RUN_SETTLEMENTS}
    serializer_class = ExportJobSerializer
    filterset_class = None

    def narrow_queryset(self, queryset):
        return queryset.select_related("created_by", "tenant").order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        export_jobs_expire()
        page = self.paginate_queryset(self.get_queryset())
        jobs = [job.load_live_progress() for job in page]
        return self.get_paginated_response(self.get_serializer(jobs, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        export_jobs_expire()
        return Response(self.get_serializer(self.get_object().load_live_progress()).data)

    @extend_schema(request=ExportJobStartSerializer, responses={202: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        """Queue the zip of a period's PDFs; while one of the period is under way, that one is answered."""
        payload = ExportJobStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = export_job_start(period=payload.validated_data["period"], actor=request.user)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)})
    def download(self, request, *args, **kwargs):
        """The finished zip; 409 while the job is not finished (or failed)."""
        job = self.get_object()
        if job.status != ExportJob.Status.SUCCEEDED or not job.file:
            raise Conflict(_("The export is not finished yet."))
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name)


urlpatterns = [
    path("statements/<int:pk>/pdf/", StatementPdfViewSet.as_view({"get": "pdf"}), name="statement-pdf"),
    path("statements/export/", StatementExportViewSet.as_view({"get": "export"}), name="statement-export"),
    path("export-jobs/", ExportJobViewSet.as_view({"get": "list", "post": "create"}), name="export-job-list"),
    path("export-jobs/<int:pk>/", ExportJobViewSet.as_view({"get": "retrieve"}), name="export-job-detail"),
    path(
        "export-jobs/<int:pk>/download/",
        ExportJobViewSet.as_view({"get": "download"}),
        name="export-job-download",
    ),
]
