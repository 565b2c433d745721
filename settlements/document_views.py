"""Pages for the documents of settlements: a statement's PDF, a period's CSV/XLSX, the zip of its PDFs.

Who may: every member who may see a statement reads its PDF (a partner-side member, its own
partner's only: another's is a 404, never the file); vendor finance and administrators
(``RUN_SETTLEMENTS``) export a period and make the zip.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from common.periods import Period
from tenancy.pages import TenantPageMixin, apply_errors_to_form
from tenancy.roles import Capability

from .exports import XLSX_TYPE, Words, export_csv, export_filename, export_xlsx, lines_for_export
from .models import ExportJob, Statement
from .pdf import statement_pdf, statement_pdf_filename, statements_for_print
from .services.exports import export_job_start, export_jobs_expire

NAV_SECTION = "statement-exports"


def pdf_response(statement: Statement) -> HttpResponse:
    """The PDF, shown in the browser, saved under a readable name."""
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, statement_pdf_filename(statement))
    return response


def period_export_response(statements, period: Period, file_format: str):
    """The lines of ``statements`` as a file: a streamed CSV, or an XLSX."""
    lines, words = lines_for_export(statements), Words.now()
    filename = export_filename(period, file_format) if period else f"statements.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(export_csv(lines, words), content_type="text/csv; charset=utf-8")
    else:
        title = str(period) if period else "statements"
        response = HttpResponse(export_xlsx(lines, words, title=title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class StatementPdfView(TenantPageMixin, SingleObjectMixin, View):
    """A statement as a PDF (application/pdf)."""

    model = Statement
    partner_field = "partner"
    nav_section = "statements"

    def narrow_queryset(self, queryset):
        return statements_for_print(queryset)

    def get(self, request, *args, **kwargs):
        return pdf_response(self.get_object())


# --- a period's exports ----------------------------------------------------------------------------


class PeriodField(forms.CharField):
    """A period written as 2026-03, 2026-Q1 or 2026, offered from the periods that have statements."""

    widget = forms.Select

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error


class ExportForm(forms.Form):
    period = PeriodField(label=gettext_lazy("Period"))
    format = forms.ChoiceField(
        label=gettext_lazy("File"),
        choices=[("xlsx", gettext_lazy("Excel (XLSX)")), ("csv", gettext_lazy("CSV"))],
        initial="xlsx",
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.choices = periods


class ZipForm(forms.Form):
    period = PeriodField(label=gettext_lazy("Period"))

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.choices = periods


def statement_periods() -> list[tuple[str, str]]:
    """The periods that have statements, latest first, as (value, label)."""
    found = Statement.objects.order_by("-starts_on", "period").values_list("period", flat=True).distinct()
    return [(period, Period.parse(period).label) for period in dict.fromkeys(found)]


class ExportPageMixin:
    """The exports page: the period's file, the zip of its PDFs, and the recent zips."""

    template_name = "settlements/export.html"
    nav_section = NAV_SECTION

    def export_page(self, *, export_form=None, zip_form=None, status=200):
        export_jobs_expire()  # the recent jobs below never show one stuck for ever
        periods = statement_periods()
        context = {
            "view": self,
            "export_form": export_form or ExportForm(periods=periods),
            "zip_form": zip_form or ZipForm(periods=periods),
            "has_statements": bool(periods),
            "recent": ExportJob.objects.select_related("created_by")[:10],
        }
        if export_form is not None:
            export_form.fields["period"].widget.choices = periods
        if zip_form is not None:
            zip_form.fields["period"].widget.choices = periods
        return self.render_to_response(context, status=status)


class PeriodExportView(ExportPageMixin, TenantPageMixin, TemplateView):
    """``?period=2026-Q1&format=csv|xlsx``: the period's statements, one row per line; without them, the page."""

    model = Statement
    partner_field = "partner"
    capability = Capability.RUN_SETTLEMENTS

    def get(self, request, *args, **kwargs):
        if "period" not in request.GET and "format" not in request.GET:
            return self.export_page()
        form = ExportForm(request.GET)
        if not form.is_valid():
            return self.export_page(export_form=form, status=400)
        period = form.cleaned_data["period"]
        statements = self.get_queryset().filter(period=str(period))
        return period_export_response(statements, period, form.cleaned_data["format"])


class PdfZipStartView(ExportPageMixin, TenantPageMixin, TemplateView):
    """POST a period: its statements' PDFs are made into one zip by a task; the job's page follows it."""

    model = ExportJob
    partner_field = None
    capability = Capability.RUN_SETTLEMENTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ZipForm(request.POST)
        if form.is_valid():
            try:
                job = export_job_start(period=str(form.cleaned_data["period"]), actor=request.user)
            except ValidationError as error:
                apply_errors_to_form(form, error)
            else:
                return redirect("settlements:export-job", tenant_slug=self.tenant.slug, pk=job.pk)
        return self.export_page(zip_form=form, status=400)


class ExportJobView(TenantPageMixin, DetailView):
    """An export's progress (polled with htmx while it runs) and, once finished, its download."""

    model = ExportJob
    partner_field = None
    capability = Capability.RUN_SETTLEMENTS
    template_name = "settlements/export_job.html"
    nav_section = NAV_SECTION

    def get(self, request, *args, **kwargs):
        export_jobs_expire()  # a job whose worker died ends here, with its reason
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return super().get_object(queryset).load_live_progress()

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["settlements/_export_job_progress.html"]
        return [self.template_name]


class ExportJobDownloadView(TenantPageMixin, SingleObjectMixin, View):
    """A finished export's file, through this scoped page only (never a public media address)."""

    model = ExportJob
    partner_field = None
    capability = Capability.RUN_SETTLEMENTS

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != ExportJob.Status.SUCCEEDED or not job.file:
            messages.info(request, _("The export is not finished yet."))
            return redirect("settlements:export-job", tenant_slug=self.tenant.slug, pk=job.pk)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name)
