"""The risk pages, vendor side only: the risk dashboard, the receivables overview, alerts, a partner's risk
tab and the rule settings.

Every page stands on ``TenantPageMixin`` (scoping, 404 before 403) with ``read_roles`` the vendor
roles: a partner-side member gets a 403 for a page, and a 404 for an alert's id (it cannot even tell
that one exists). Risk and admin members act on alerts and thresholds (``MANAGE_RISK``); every
write is one service.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView

from common.dates import tenant_today
from common.pagination import PageByIdPaginator
from facts import exports
from facts.calculations import BUCKETS, receivables_as_of
from partners.models import Partner, PartnerStatus, Tier
from tenancy.access import uses_portfolio, visible_partners
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services, words
from .calculations import Thresholds
from .filters import LIVE, STATUS_CHOICES, AlertFilter, ReceivablesFilter
from .forms import AcknowledgeForm, OverviewForm, ResolveForm, ThresholdsForm
from .models import Alert, AlertRule, AlertStatus, Severity, ThresholdChange


def alert_url(tenant, alert: Alert) -> str:
    return reverse("risk:alert", kwargs={"tenant_slug": tenant.slug, "pk": alert.pk})


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


def _managers():
    from partners.forms import vendor_users

    return vendor_users()


class VendorPage(TenantPageMixin):
    """A page of the vendor's risk work: every vendor role reads it; partner-side members get a 403."""

    read_roles = VENDOR_ROLES


class AlertPage(VendorPage):
    """A page about one alert: a partner-side member finds none (404), never learns one exists."""

    model = Alert
    partner_field = "partner"
    nav_section = "risk-alerts"
    hidden_from_partner_side = True

    def narrow_queryset(self, queryset):
        if self.membership.is_partner_side:
            return queryset.none()
        return queryset.select_related("partner", "partner__manager", "acknowledged_by", "resolved_by")


# --- the risk dashboard ---------------------------------------------------------------------------


class RiskDashboardView(VendorPage, TemplateView):
    """Utilisation, aging, open alerts by rule and severity, and the trend of open alerts over 90 days."""

    model = Alert
    partner_field = "partner"
    nav_section = "risk"
    template_name = "risk/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        day = selectors.receivables_day(today)  # the last night's receivables, kept (not allocated per request)
        thresholds = Thresholds.of(self.tenant.risk_thresholds)
        partners = visible_partners(self.membership)
        summary = selectors.overview_summary(partners=partners, day=day, thresholds=thresholds)
        counts = selectors.open_alert_counts(self.get_queryset())
        portfolio = list(partners.values_list("pk", flat=True)) if uses_portfolio(self.membership) else None
        distribution = summary.distribution
        context.update(
            day=day,
            thresholds=thresholds,
            rules=words.threshold_rules(thresholds),
            totals=summary.totals,
            bucket_names=BUCKETS,
            counts=counts,
            severities=[(value, label) for value, label in reversed(Severity.choices)],
            severity_counts=[
                (value, label, counts.by_severity.get(value, 0)) for value, label in reversed(Severity.choices)
            ],
            distribution=distribution,
            distribution_rows=list(zip(distribution["labels"], distribution["counts"], strict=True)),
            trend=selectors.open_alert_trend(day=today, partner_ids=portfolio),
            highest=summary.highest,
            may_manage=self.can(Capability.MANAGE_RISK),
        )
        return context


# --- the receivables overview ---------------------------------------------------------------------


def _overview_headers(thresholds: Thresholds) -> list[str]:
    return [
        _("Code"), _("Name"), _("Tier"), _("Region"), _("Status"), _("Channel manager"), _("Limit"),
        _("Credit limit"), _("Outstanding"), _("Current"), _("1–30 days"), _("31–60 days"), _("61–90 days"),
        _("Over 90 days"), _("Utilisation (%)"),
        _("Overdue %(days)d+ days") % {"days": thresholds.overdue_warning_days},
        _("Overdue %(days)d+ days") % {"days": thresholds.overdue_critical_days},
    ]  # fmt: skip


def _overview_cells(row: selectors.OverviewRow) -> list:
    limit_kind = _("Pilot credit limit") if row.limit_kind == "pilot" else _("Credit limit")
    return [
        row.code, row.name, row.tier_name, row.region, row.status_label, row.manager,
        limit_kind if row.limit is not None else "", row.limit, row.outstanding,
        *(getattr(row.receivables, name) for name in BUCKETS), row.utilisation,
        row.overdue_warning, row.overdue_critical,
    ]  # fmt: skip


def _overview_columns(thresholds: Thresholds) -> list[tuple[str, str]]:
    """The overview's columns, in order, with their headers (every one sorts)."""
    return [
        ("code", _("Code")), ("name", _("Name")), ("tier", _("Tier")), ("region", _("Region")),
        ("status", _("Status")), ("manager", _("Channel manager")), ("limit", _("Credit limit")),
        ("outstanding", _("Outstanding")), ("current", _("Current")), ("days_1_30", _("1–30 days")),
        ("days_31_60", _("31–60 days")), ("days_61_90", _("61–90 days")), ("days_over_90", _("Over 90 days")),
        ("utilisation", _("Utilisation")),
        ("overdue_warning", _("Overdue %(days)d+ days") % {"days": thresholds.overdue_warning_days}),
        ("overdue_critical", _("Overdue %(days)d+ days") % {"days": thresholds.overdue_critical_days}),
    ]  # fmt: skip


TEXT_COLUMNS = frozenset({"code", "name", "tier", "region", "status", "manager"})


def _sort_link(column: str, current: str, descending: bool) -> str:
    """What a column's header sorts by: the current column the other way round; text A–Z, figures largest first."""
    if column == current:
        return column if descending else f"-{column}"
    return column if column in TEXT_COLUMNS else f"-{column}"


class ReceivablesOverviewView(VendorPage, ListView):
    """Every partner's receivables as of a day: aging, limit and utilisation, overdue; sorted, filtered,
    totalled, paged, and exported as CSV or XLSX. A fixed number of queries, whatever the partner count."""

    model = Partner
    partner_field = ""
    nav_section = "risk-receivables"
    template_name = "risk/receivables.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.options = OverviewForm(request.GET or None)
        options = self.options.cleaned_data if self.options.is_valid() else {}
        self.day = options.get("date") or selectors.receivables_day(tenant_today(self.tenant))
        self.sort = self.options.sort_or_default()
        self.thresholds = Thresholds.of(self.tenant.risk_thresholds)
        self.filterset = ReceivablesFilter(request.GET or None, queryset=self.get_queryset())
        valid = not self.filterset.is_bound or self.filterset.is_valid()
        partners = self.filterset.qs if valid else self.get_queryset().none()
        if selectors.kept_receivables_apply(day=self.day, thresholds=self.thresholds):
            # SQL over the night's kept receivables: the totals in one query, each page in one more.
            self.rows = selectors.OverviewPages(
                partners=partners, day=self.day, thresholds=self.thresholds, sort=self.sort
            )
            summary = selectors.overview_summary(
                partners=partners, day=self.day, thresholds=self.thresholds, highest=0, kept=True
            )
            self.totals = summary.totals
        else:
            rows = selectors.receivables_overview(partners=partners, day=self.day, thresholds=self.thresholds)
            self.rows = selectors.sort_rows(rows, self.sort)
            self.totals = selectors.overview_totals(self.rows)
        if options.get("export"):
            return self.export(options["export"])
        self.object_list = self.rows
        return self.render_to_response(self.get_context_data())

    def export(self, file_format: str):
        headers = _overview_headers(self.thresholds)
        cells = (_overview_cells(row) for row in self.rows)
        filename = f"receivables-{self.day.isoformat()}"
        if file_format == "csv":
            response = StreamingHttpResponse(exports.csv_stream(headers, cells), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        response = HttpResponse(
            exports.xlsx_bytes(headers, cells, title=_("Receivables")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sort_column = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        context.update(
            day=self.day,
            thresholds=self.thresholds,
            filter=self.filterset,
            options=self.options,
            totals=self.totals,
            bucket_names=BUCKETS,
            tiers=Tier.objects.all(),
            statuses=PartnerStatus.choices,
            managers=_managers(),
            sort=self.sort,
            sort_column=sort_column,
            descending=descending,
            headers=[
                {
                    "column": column,
                    "label": label,
                    "num": column not in TEXT_COLUMNS,
                    "link": _sort_link(column, sort_column, descending),
                }
                for column, label in _overview_columns(self.thresholds)
            ],
            query_without_sort=_query_without(self.request, "sort", "export"),
            query=_query_without(self.request, "export"),
            filtering=any(self.request.GET.get(name) for name in ReceivablesFilter.base_filters),
        )
        return context


# --- alerts ---------------------------------------------------------------------------------------


def _alert_rows(alerts, currency: str) -> list[dict]:
    return [{"alert": alert, "summary": words.alert_summary(alert, currency)} for alert in alerts]


class AlertListView(VendorPage, ListView):
    """Alerts by rule, severity, status, partner and manager, the worst and newest first; open or
    acknowledged unless another status is asked for."""

    model = Alert
    partner_field = "partner"
    nav_section = "risk-alerts"
    template_name = "risk/alert_list.html"
    paginate_by = 50
    paginator_class = PageByIdPaginator  # the page's alerts picked by id, then read with their joins

    def narrow_queryset(self, queryset):
        data = self.request.GET.copy()
        data.setdefault("status", LIVE)
        self.filterset = AlertFilter(data, queryset=queryset)
        filtered = self.filterset.qs if self.filterset.is_valid() else queryset.none()
        return selectors.alert_list(filtered)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        currency = self.tenant.currency
        context.update(
            filter=self.filterset,
            rows=_alert_rows(context["object_list"], currency),
            rules=AlertRule.choices,
            severities=[(value, label) for value, label in reversed(Severity.choices)],
            statuses=STATUS_CHOICES,
            managers=_managers(),
            query=_query_without(self.request),
        )
        return context


def _event_rows(alert: Alert, currency: str) -> list[dict]:
    return [
        {
            "event": event,
            "who": event.actor.email if event.actor_id else _("Nightly run"),
            "words": words.event_words(event, currency, alert.rule),
        }
        for event in alert.events.select_related("actor").order_by("created_at", "id")
    ]


class AlertDetailView(AlertPage, DetailView):
    """An alert: what the rule found and the figures behind it, its history, and what may be done."""

    template_name = "risk/alert_detail.html"
    context_object_name = "alert"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert, currency = self.object, self.tenant.currency
        evidence = alert.evidence or {}
        may_manage = self.can(Capability.MANAGE_RISK)
        contract_url = None
        if evidence.get("contract_id"):
            contract = alert.partner.contracts.filter(pk=evidence["contract_id"]).first()
            if contract is not None and contract.file:
                contract_url = reverse(
                    "partners:contract-file", kwargs={"tenant_slug": self.tenant.slug, "pk": contract.pk}
                )
        context.update(
            summary=words.alert_summary(alert, currency),
            facts=words.evidence_facts(alert.rule, evidence, currency),
            invoices=evidence.get("invoices", []),
            more_invoices=max(0, evidence.get("invoice_count", 0) - len(evidence.get("invoices", []))),
            contract_url=contract_url,
            events=_event_rows(alert, currency),
            may_acknowledge=may_manage and alert.status == AlertStatus.OPEN,
            may_resolve=may_manage and alert.is_live,
            acknowledge_form=AcknowledgeForm(),
            resolve_form=ResolveForm(),
        )
        return context


class AlertActionView(AlertPage, ObjectFormPage):
    """A form about one alert that calls one service, then goes back to the alert."""

    capability = Capability.MANAGE_RISK
    template_name = "risk/alert_action.html"
    heading = ""
    submit_label = gettext_lazy("Save")

    def get_success_url(self) -> str:
        return alert_url(self.tenant, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = self.object
        context.update(
            alert=alert,
            heading=self.heading,
            submit_label=self.submit_label,
            cancel_url=alert_url(self.tenant, alert),
            subtitle=_("%(code)s %(name)s · %(rule)s · %(severity)s")
            % {
                "code": alert.partner.code,
                "name": alert.partner.name,
                "rule": alert.get_rule_display(),
                "severity": alert.get_severity_display(),
            },
        )
        return context


class AlertAcknowledgeView(AlertActionView):
    form_class = AcknowledgeForm
    heading = gettext_lazy("Acknowledge the alert")
    submit_label = gettext_lazy("Acknowledge")
    success_message = gettext_lazy("Alert acknowledged.")

    def call_service(self, form):
        return services.alert_acknowledge(alert=self.object, actor=self.request.user, note=form.cleaned_data["note"])


class AlertResolveView(AlertActionView):
    form_class = ResolveForm
    heading = gettext_lazy("Resolve the alert")
    submit_label = gettext_lazy("Resolve")
    success_message = gettext_lazy("Alert resolved.")

    def call_service(self, form):
        return services.alert_resolve(alert=self.object, actor=self.request.user, note=form.cleaned_data["note"])


# --- a partner's risk tab -------------------------------------------------------------------------


OVERDUE_LISTED = 50  # the partner tab lists this many overdue invoices, the most overdue first


class PartnerRiskView(VendorPage, DetailView):
    """One partner's risk: its receivables against its limit, the invoices overdue, and its alerts (paged)."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    template_name = "risk/partner_risk.html"
    context_object_name = "partner"
    alerts_per_page = 25

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier", "manager")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner, currency = self.object, self.tenant.currency
        today = tenant_today(self.tenant)
        thresholds = Thresholds.of(self.tenant.risk_thresholds)
        row = selectors.partner_overview(partner, day=today, thresholds=thresholds)
        overdue = receivables_as_of(
            day=today, partner_ids=[partner.pk], late_invoices_at=1, late_invoices_listed=OVERDUE_LISTED
        ).get(partner.pk)
        alerts = selectors.alert_list(Alert.objects.filter(partner=partner))
        page = Paginator(alerts, self.alerts_per_page).get_page(self.request.GET.get("page"))
        context.update(
            day=today,
            thresholds=thresholds,
            row=row,
            bucket_names=BUCKETS,
            overdue=overdue,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            alert_rows=_alert_rows(page, currency),
            query="",
        )
        return context


# --- the rule settings ----------------------------------------------------------------------------


class RiskSettingsView(VendorPage, ListView):
    """The rules in force with the tenant's thresholds, and who changed them when."""

    model = ThresholdChange
    partner_field = None
    nav_section = "risk-settings"
    template_name = "risk/settings.html"
    paginate_by = 20

    def narrow_queryset(self, queryset):
        return queryset.select_related("actor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        thresholds = Thresholds.of(self.tenant.risk_thresholds)
        labels = {name: str(field.label) for name, field in ThresholdsForm.base_fields.items()}
        context.update(
            rules=words.threshold_rules(thresholds),
            may_manage=self.can(Capability.MANAGE_RISK),
            changes=[
                {
                    "change": change,
                    "fields": [
                        (labels.get(name, name), change.old_values.get(name), change.new_values.get(name))
                        for name in Thresholds.names()
                        if change.old_values.get(name) != change.new_values.get(name)
                    ],
                }
                for change in context["object_list"]
            ],
            query="",
        )
        return context


class RiskSettingsEditView(VendorPage, ServiceFormMixin, FormView):
    """Change the thresholds (risk and admin members); the next nightly run uses them."""

    model = ThresholdChange
    partner_field = None
    nav_section = "risk-settings"
    capability = Capability.MANAGE_RISK
    form_class = ThresholdsForm
    template_name = "risk/settings_form.html"
    success_message = gettext_lazy("Saved. The next nightly run uses these thresholds.")

    def get_initial(self):
        return Thresholds.of(self.tenant.risk_thresholds).as_dict()

    def call_service(self, form):
        data, actor = form.cleaned_data, self.request.user
        return services.risk_thresholds_update(tenant=self.tenant, thresholds=data, actor=actor)

    def get_success_url(self):
        return reverse("risk:settings", kwargs={"tenant_slug": self.tenant.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            heading=_("Risk rule thresholds"),
            cancel_url=self.get_success_url(),
            submit_label=_("Save"),
        )
        return context
