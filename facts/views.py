import datetime

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from common.dates import tenant_today
from common.errors import ApplicationError
from common.money import format_money
from common.pagination import CappedCountPaginator
from partners.models import Partner
from tenancy.pages import TenantPageMixin
from tenancy.roles import Capability, Role

from . import exports, services
from .filters import FILTERS
from .forms import AsOfForm, UploadForm
from .imports.columns import COLUMNS
from .models import ImportJob, Invoice, Payment, Sale, WriteOff
from .selectors import fact_history, statement_of_account

KIND_MODELS = {"sales": Sale, "invoices": Invoice, "payments": Payment, "writeoffs": WriteOff}
FACT_WRITERS = frozenset({Role.ADMIN, Role.FINANCE})


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def kind_label(kind: str) -> str:
    return capfirst(KIND_MODELS[kind]._meta.verbose_name_plural)


MONEY_COLUMNS = frozenset({"amount", "cost"})


def display_cell(field: str, value, currency: str = "CNY") -> dict:
    """A cell as a person reads it: ISO dates, money with its currency, grouped, right-aligned."""
    if isinstance(value, datetime.date):
        return {"text": value.isoformat(), "css": "nowrap"}
    if field in MONEY_COLUMNS:
        if value in (None, ""):
            return {"text": "", "css": "num"}
        try:
            return {"text": format_money(value, currency), "css": "num"}
        except (ArithmeticError, ValueError, TypeError):  # a stored old value that is not a number
            return {"text": str(value), "css": "num"}
    return {"text": "" if value is None else value, "css": ""}


def _display_row(kind: str, fact, currency: str) -> list[dict]:
    """A fact as a list row: the partner by code and name, money with the currency."""
    cells = []
    for column, value in zip(COLUMNS[kind], _row_values(kind, fact), strict=True):
        cell = display_cell(column.name, value, currency)
        if column.name == "partner":
            cell = {**cell, "text": f"{fact.partner.code} {fact.partner.name}", "css": "partner-cell"}
        cells.append(cell)
    return cells


def _row_values(kind: str, fact) -> list:
    values = []
    for column in COLUMNS[kind]:
        if column.name == "partner":
            values.append(fact.partner.code)
        elif column.name == "invoice":
            values.append(fact.invoice.number if fact.invoice_id else "")
        else:
            values.append(getattr(fact, column.name))
    return values


class FactListView(TenantPageMixin, ListView):
    """A kind of fact with filters, paging, and CSV/XLSX export of what the filters select."""

    kind = ""
    template_name = "facts/list.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator  # millions of rows: no COUNT(*) of them all on every page
    nav_section = "data"

    def narrow_queryset(self, queryset):
        related = ["partner", "invoice"] if self.kind == "payments" else ["partner"]
        return queryset.select_related(*related)

    def filtered(self):
        self.filterset = FILTERS[self.kind](self.request.GET or None, queryset=self.get_queryset())
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else self.get_queryset()

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in {"csv", "xlsx"}:
            return self.export(export)
        self.object_list = self.filtered()
        return self.render_to_response(self.get_context_data())

    def export(self, file_format: str):
        headers = [str(column.label) for column in COLUMNS[self.kind]]
        rows = (_row_values(self.kind, fact) for fact in self.filtered().iterator(chunk_size=2000))
        filename = f"{self.kind}-{tenant_today(self.tenant).isoformat()}"
        if file_format == "csv":
            response = StreamingHttpResponse(exports.csv_stream(headers, rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        response = HttpResponse(
            exports.xlsx_bytes(headers, rows, title=self.kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kind=self.kind,
            kind_label=kind_label(self.kind),
            kinds=[(kind, kind_label(kind)) for kind in KIND_MODELS],
            columns=COLUMNS[self.kind],
            filter=self.filterset,
            rows=[
                {
                    "url": reverse(f"facts:{self.kind}-detail", args=[self.tenant.slug, fact.pk]),
                    "cells": _display_row(self.kind, fact, self.tenant.currency),
                }
                for fact in context["object_list"]
            ],
            money_columns=MONEY_COLUMNS,
            may_upload=self.can(Capability.WRITE_FACTS),
            upload_url=reverse(f"facts:upload-{self.kind}", kwargs={"tenant_slug": self.tenant.slug}),
            query=_without_page(self.request.GET),
        )
        return context


class SaleListView(FactListView):
    model, kind = Sale, "sales"


class InvoiceListView(FactListView):
    model, kind = Invoice, "invoices"


class PaymentListView(FactListView):
    model, kind = Payment, "payments"


class WriteOffListView(FactListView):
    model, kind = WriteOff, "writeoffs"


class FactDetailView(TenantPageMixin, DetailView):
    """One fact row: its fields and how re-sent rows changed it (who, when, through which import).

    A partner-side member sees its own partner's rows only (the base's scoping: another
    partner's row is a 404), and their history without the vendor member's e-mail or import.
    """

    kind = ""
    template_name = "facts/detail.html"
    nav_section = "data"

    def narrow_queryset(self, queryset):
        related = ["partner", "invoice"] if self.kind == "payments" else ["partner"]
        return queryset.select_related(*related)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fact = self.object
        own_partner = self.membership.partner_id if self.membership.is_partner_side else None
        history = fact_history(kind=self.kind, fact=fact, partner_id=own_partner)
        labels = {column.name: column.label for column in COLUMNS[self.kind]}
        context.update(
            kind=self.kind,
            kind_label=kind_label(self.kind),
            list_url=reverse(f"facts:{self.kind}", kwargs={"tenant_slug": self.tenant.slug}),
            fields=[
                {"label": column.label, **display_cell(column.name, value, self.tenant.currency)}
                for column, value in zip(COLUMNS[self.kind], _row_values(self.kind, fact), strict=True)
            ],
            changes=[
                {
                    "change": change,
                    "fields": [
                        {
                            "label": labels.get(field.field, field.field),
                            "old": display_cell(field.field, field.old, self.tenant.currency)["text"],
                            "new": display_cell(field.field, field.new, self.tenant.currency)["text"],
                        }
                        for field in change.fields
                    ],
                }
                for change in history.changes
            ],
            earlier_hidden=history.earlier_hidden,
            may_open_imports=self.membership.role in FACT_WRITERS,
        )
        return context


class SaleDetailView(FactDetailView):
    model, kind = Sale, "sales"


class InvoiceDetailView(FactDetailView):
    model, kind = Invoice, "invoices"


class PaymentDetailView(FactDetailView):
    model, kind = Payment, "payments"


class WriteOffDetailView(FactDetailView):
    model, kind = WriteOff, "writeoffs"


class UploadView(TenantPageMixin, FormView):
    """Upload a spreadsheet of one kind; small files import at once, large ones as a task."""

    model = ImportJob
    partner_field = None
    capability = Capability.WRITE_FACTS
    form_class = UploadForm
    template_name = "facts/upload.html"
    nav_section = "data"

    def dispatch(self, request, *args, **kwargs):
        self.kind = kwargs["kind"]
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            job = services.import_job_start(kind=self.kind, upload=form.cleaned_data["file"], actor=self.request.user)
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        if job.status == ImportJob.Status.SUCCEEDED:
            messages.success(
                self.request,
                _("Imported: %(created)d new and %(updated)d updated rows.")
                % {"created": job.created_count, "updated": job.updated_count},
            )
        return redirect("facts:import", tenant_slug=self.tenant.slug, pk=job.pk)

    def get(self, request, *args, **kwargs):
        services.import_jobs_expire()  # the recent uploads below never show a job stuck for ever
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kind=self.kind,
            kind_label=kind_label(self.kind),
            columns=COLUMNS[self.kind],
            template_url=reverse(f"facts:template-{self.kind}", kwargs={"tenant_slug": self.tenant.slug}),
            list_url=reverse(f"facts:{self.kind}", kwargs={"tenant_slug": self.tenant.slug}),
            recent=ImportJob.objects.filter(kind=self.kind).select_related("uploaded_by")[:10],
        )
        return context


def example_row(kind: str, day) -> list:
    """One example row per kind, under the template's header: the formats at a glance. Its partner code
    ``EXAMPLE`` is no partner's, so a template uploaded unchanged is refused, never imported."""
    customer, category, reason = _("Example customer"), _("Servers"), _("Bad debt")
    rows = {
        "sales": ["S-0001", "EXAMPLE", day, customer, category, "1234.50", "900.00"],
        "invoices": ["I-0001", "EXAMPLE", "INV-0001", day, day + datetime.timedelta(days=30), "1234.50"],
        "payments": ["P-0001", "EXAMPLE", day, "1234.50", "INV-0001"],
        "writeoffs": ["W-0001", "EXAMPLE", day, "100.00", reason],
    }
    return [value.isoformat() if isinstance(value, datetime.date) else value for value in rows[kind]]


class TemplateDownloadView(TenantPageMixin, View):
    """A file with the header row of a kind, in the reader's language, and one example row."""

    model = ImportJob
    partner_field = None

    def get(self, request, *args, **kwargs):
        kind = kwargs["kind"]
        headers = [str(column.label) for column in COLUMNS[kind]]
        rows = [example_row(kind, tenant_today(self.tenant))]
        if request.GET.get("format") == "csv":
            response = HttpResponse("".join(exports.csv_stream(headers, rows)), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
            return response
        response = HttpResponse(
            exports.xlsx_bytes(headers, rows, title=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
        return response


class ImportJobPage(TenantPageMixin, DetailView):
    """An upload's progress and outcome, its errors in a table the user can fix the file from; htmx
    polls the progress fragment. Every kind of upload job (facts, leads) shows on this page."""

    partner_field = None
    template_name = "facts/import_job.html"

    def expire_stuck_jobs(self) -> None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.expire_stuck_jobs()  # a job whose worker died ends here, with its reason
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["facts/_import_progress.html"]
        return [self.template_name]

    def get_object(self, queryset=None):
        return super().get_object(queryset).load_live_progress()


class ImportJobView(ImportJobPage):
    model = ImportJob
    read_roles = FACT_WRITERS
    nav_section = "data"

    def expire_stuck_jobs(self) -> None:
        services.import_jobs_expire()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.object.kind
        context["kind_label"] = kind_label(kind) if kind in KIND_MODELS else kind
        if kind in KIND_MODELS:
            context["upload_url"] = reverse(f"facts:upload-{kind}", kwargs={"tenant_slug": self.tenant.slug})
            context["list_url"] = reverse(f"facts:{kind}", kwargs={"tenant_slug": self.tenant.slug})
        return context


class PartnerAccountView(TenantPageMixin, DetailView):
    """A partner's statement of account: receivables, aging, open invoices, collections, sales."""

    model = Partner
    partner_field = ""
    template_name = "facts/account.html"
    nav_section = "account"

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AsOfForm(self.request.GET or None)
        day = tenant_today(self.tenant)
        if form.is_valid() and form.cleaned_data["date"]:
            day = form.cleaned_data["date"]
        context.update(form=form, **statement_of_account(partner=self.object, day=day))
        return context
