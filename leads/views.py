"""The lead pages: the vendor's list, a lead and its trail, new leads one by one or in a file, fairness, settings;
the partner's own leads with accept and decline and the time left.

A partner-side member sees the leads offered to its partner only, and never the trail: no rule, no candidate,
no other partner's score.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from common.errors import ApplicationError
from common.parsing import ParseError, parse_period
from common.periods import Period, PeriodKind
from facts.views import ImportJobPage
from tenancy.access import uses_portfolio, visible_partners
from tenancy.pages import ServiceFormMixin, TenantPageMixin
from tenancy.roles import PARTNER_ROLES, VENDOR_ROLES, Capability

from . import imports, selectors, services, words
from .filters import STATUS_CHOICES, LeadFilter
from .forms import AssignForm, DeclineForm, LeadForm, LostForm, SettingsForm, UploadForm
from .inputs import settings_of_tenant
from .models import Lead, LeadImportJob, LeadSettings, LeadStatus


def list_url(tenant) -> str:
    return reverse("leads:list", kwargs={"tenant_slug": tenant.slug})


def detail_url(lead: Lead, tenant) -> str:
    return reverse("leads:detail", kwargs={"tenant_slug": tenant.slug, "pk": lead.pk})


def time_left(lead: Lead, now: datetime.datetime) -> str:
    """``1 d 4 h``, ``3 h 20 min``, ``12 min``; ``overdue`` once past."""
    if lead.status != LeadStatus.OFFERED or lead.due_at is None:
        return ""
    seconds = int((lead.due_at - now).total_seconds())
    if seconds <= 0:
        return _("overdue")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": max(minutes, 1)}


class LeadListView(TenantPageMixin, ListView):
    """The vendor's leads: filters (status, region, industry, partner, search), counts by status."""

    model = Lead
    read_roles = VENDOR_ROLES
    nav_section = "leads"
    paginate_by = 25
    template_name = "leads/lead_list.html"

    def narrow_queryset(self, queryset):
        self.scoped = queryset
        self.filterset = LeadFilter(
            self.request.GET or None, queryset=selectors.lead_list(queryset), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else selectors.lead_list(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            filter=self.filterset,
            statuses=STATUS_CHOICES,
            counts=selectors.count_by_status(self.scoped),
            filtering=any(self.request.GET.get(name) for name in LeadFilter.base_filters),
            rows=[(lead, time_left(lead, now)) for lead in context["object_list"]],
            may_manage=self.can(Capability.MANAGE_LEADS),
            unassigned_labels={code: str(label) for code, label in words.distribution.UNASSIGNED_REASONS.items()},
        )
        return context


class MyLeadsView(TenantPageMixin, ListView):
    """A partner's leads: the offers waiting for an answer first, with the time left; then the accepted and closed."""

    model = Lead
    read_roles = PARTNER_ROLES
    nav_section = "our-leads"
    paginate_by = 25
    template_name = "leads/my_leads.html"

    def narrow_queryset(self, queryset):
        waiting_first = Case(When(status=LeadStatus.OFFERED, then=Value(0)), default=Value(1))
        return queryset.order_by(waiting_first, "due_at", "-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(
            rows=[(lead, time_left(lead, now)) for lead in context["object_list"]],
            may_answer=self.can(Capability.ANSWER_LEADS),
            may_close=self.can(Capability.CLOSE_LEADS),
            decline_form=DeclineForm(),
        )
        return context


class LeadDetailView(TenantPageMixin, DetailView):
    """One lead. The vendor sees every assignment with its candidates and reasons, and assigns by hand;
    the partner it is offered to sees the lead and answers."""

    model = Lead
    nav_section = "leads"
    template_name = "leads/lead_detail.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = self.object
        partner_side = self.membership.is_partner_side
        context.update(
            partner_side=partner_side,
            time_left=time_left(lead, timezone.now()),
            may_answer=self.can(Capability.ANSWER_LEADS) and lead.status == LeadStatus.OFFERED,
            may_close=self.can(Capability.CLOSE_LEADS) and lead.status == LeadStatus.ACCEPTED,
            decline_form=DeclineForm(),
            lost_form=LostForm(),
        )
        if not partner_side:
            trail = selectors.assignments_of(lead)
            context.update(
                trail=[
                    {
                        "assignment": assignment,
                        "sentence": words.assignment_sentence(assignment),
                        "candidates": words.candidate_rows(assignment),
                    }
                    for assignment in reversed(trail)
                ],
                events=selectors.events_of(lead),
                may_assign=self.can(Capability.MANAGE_LEADS)
                and lead.status in (LeadStatus.UNASSIGNED, LeadStatus.OFFERED),
                assign_form=AssignForm(partners=visible_partners(self.membership)),
                unassigned_label=words.unassigned_label(lead.unassigned_reason) if lead.unassigned_reason else "",
            )
        return context


def first_message(error, form=None) -> str:
    if form is not None and form.errors:
        return " ".join(str(message) for errors in form.errors.values() for message in errors)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class LeadActionView(TenantPageMixin, SingleObjectMixin, View):
    """POST one move of a lead (``pk``), then back to where it came from with a message."""

    model = Lead
    http_method_names = ["post"]
    form_class: type | None = None

    def post(self, request, *args, **kwargs):
        lead = self.get_object()
        form = self.form_class(request.POST, **self.form_kwargs()) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            message = self.act(lead, form.cleaned_data if form is not None else {})
        except (ValidationError, ApplicationError) as error:
            messages.error(request, first_message(error, form))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.next_url(lead))

    def form_kwargs(self) -> dict:
        return {}

    def acting_partner(self):
        return self.membership.partner if self.membership.is_partner_side else None

    def next_url(self, lead: Lead) -> str:
        if self.membership.is_partner_side:
            if Lead.objects.filter(pk=lead.pk, partner_id=self.membership.partner_id).exists():
                return detail_url(lead, self.tenant)
            return reverse("leads:mine", kwargs={"tenant_slug": self.tenant.slug})
        return detail_url(lead, self.tenant)

    def act(self, lead: Lead, data: dict) -> str:
        raise NotImplementedError


class LeadAcceptView(LeadActionView):
    capability = Capability.ANSWER_LEADS

    def act(self, lead, data):
        services.lead_accept(lead=lead, actor=self.request.user, partner=self.membership.partner)
        return _("Accepted: %(company)s. It is yours to work on.") % {"company": lead.company}


class LeadDeclineView(LeadActionView):
    capability = Capability.ANSWER_LEADS
    form_class = DeclineForm

    def act(self, lead, data):
        services.lead_decline(
            lead=lead, actor=self.request.user, partner=self.membership.partner, reason=data["reason"]
        )
        return _("Declined: %(company)s. The lead goes to another partner.") % {"company": lead.company}


class LeadAssignView(LeadActionView):
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_LEADS
    form_class = AssignForm

    def form_kwargs(self):
        return {"partners": visible_partners(self.membership)}

    def act(self, lead, data):
        lead = services.lead_assign(lead=lead, actor=self.request.user, partner=data.get("partner"), note=data["note"])
        if lead.partner is None:
            return _("Distributed again: nobody could take it, it stays unassigned.")
        return _("Offered to %(code)s.") % {"code": lead.partner.code}


class LeadWonView(LeadActionView):
    capability = Capability.CLOSE_LEADS

    def act(self, lead, data):
        services.lead_close(lead=lead, actor=self.request.user, won=True, partner=self.acting_partner())
        return _("Marked won: %(company)s.") % {"company": lead.company}


class LeadLostView(LeadActionView):
    capability = Capability.CLOSE_LEADS
    form_class = LostForm

    def act(self, lead, data):
        services.lead_close(
            lead=lead, actor=self.request.user, won=False, partner=self.acting_partner(), reason=data["reason"]
        )
        return _("Marked lost: %(company)s.") % {"company": lead.company}


class LeadCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Lead
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_LEADS
    nav_section = "leads"
    form_class = LeadForm
    template_name = "leads/lead_form.html"

    def call_service(self, form):
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None,)}
        return services.lead_create(actor=self.request.user, **data)

    def get_success_message(self) -> str:
        lead = self.result
        if lead.partner is not None:
            return _("Lead saved and offered to %(code)s.") % {"code": lead.partner.code}
        return _("Lead saved; nobody could take it, so it waits for a person to assign it.")

    def get_success_url(self):
        return detail_url(self.result, self.tenant)


class LeadUploadView(TenantPageMixin, FormView):
    """Leads in a CSV or XLSX file: all are made and distributed, or, with any bad cell, none (every error listed)."""

    model = Lead
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_LEADS
    nav_section = "leads"
    form_class = UploadForm
    template_name = "leads/upload.html"

    def get(self, request, *args, **kwargs):
        services.lead_import_jobs_expire()  # the recent uploads below never show a job stuck for ever
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=imports.COLUMNS,
            max_rows=imports.MAX_ROWS,
            recent=LeadImportJob.objects.select_related("uploaded_by")[:10],
        )
        return context

    def form_valid(self, form):
        """Small files are made at once (back to the list); large ones, and rejected ones, go to the upload's page."""
        try:
            job = services.lead_import_start(actor=self.request.user, upload=form.cleaned_data["file"])
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        if job.status == LeadImportJob.Status.SUCCEEDED:
            messages.success(self.request, made_message(job))
            return HttpResponseRedirect(list_url(self.tenant))
        return HttpResponseRedirect(reverse("leads:import", kwargs={"tenant_slug": self.tenant.slug, "pk": job.pk}))


def made_message(job: LeadImportJob) -> str:
    return _("%(total)d leads made: %(offered)d offered, %(unassigned)d waiting for a person.") % {
        "total": job.made_count,
        "offered": job.offered_count,
        "unassigned": job.unassigned_count,
    }


class LeadImportJobView(ImportJobPage):
    """A lead upload's progress and outcome, on the facts' import page (its errors by row and column)."""

    model = LeadImportJob
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_LEADS
    nav_section = "leads"

    def expire_stuck_jobs(self) -> None:
        services.lead_import_jobs_expire()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kind_label=capfirst(Lead._meta.verbose_name_plural),
            upload_url=reverse("leads:upload", kwargs={"tenant_slug": self.tenant.slug}),
            list_url=list_url(self.tenant),
            result_message=made_message(self.object) if self.object.status == LeadImportJob.Status.SUCCEEDED else "",
        )
        return context


class LeadTemplateView(TenantPageMixin, View):
    """A CSV with the columns of a lead upload and one example row."""

    model = Lead
    read_roles = VENDOR_ROLES

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(column.label) for column in imports.COLUMNS])
        writer.writerow(["上海示例科技有限公司", "华东", "制造", "120000.00", "王先生 138-0000-0000", ""])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="leads-template.csv"'
        return response


def _period(request, tenant) -> tuple[Period, str]:
    today = timezone.now().astimezone(tenant.zone).date()
    text = (request.GET.get("period") or "").strip()
    if text:
        try:
            return parse_period(text), ""
        except ParseError as error:
            return Period.containing(today, PeriodKind.QUARTER), error.message
    return Period.containing(today, PeriodKind.QUARTER), ""


class FairnessView(TenantPageMixin, TemplateView):
    """Distribution fairness: leads offered, accepted and won per tier and per partner over a period, as a chart and
    a table, so anyone can check that the good leads do not all go one way."""

    model = Lead
    read_roles = VENDOR_ROLES
    nav_section = "lead-fairness"
    template_name = "leads/fairness.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, problem = _period(self.request, self.tenant)
        zone = self.tenant.zone
        starts = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
        ends = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        partner_ids = None
        if uses_portfolio(self.membership):
            partner_ids = list(visible_partners(self.membership).values_list("pk", flat=True))
        found = selectors.fairness(starts=starts, ends=ends, partner_ids=partner_ids)
        context.update(
            period=period,
            period_text=str(period),
            period_problem=problem,
            fairness=found,
            tier_chart=selectors.tier_chart(found.tiers),
            partner_chart=selectors.partner_chart(found.partners),
        )
        return context


class LeadSettingsView(TenantPageMixin, TemplateView):
    """The tenant's cap and SLA, read by every vendor member; administrators change them."""

    model = LeadSettings
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "lead-settings"
    template_name = "leads/settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = settings_of_tenant()
        context["lead_settings"] = found
        if self.can(Capability.MANAGE_SETTINGS):
            context["form"] = kwargs.get("form") or SettingsForm(
                initial={"cap": found.cap, "sla_hours": found.sla_hours}
            )
        return context


class LeadSettingsEditView(ServiceFormMixin, TenantPageMixin, FormView):
    model = LeadSettings
    partner_field = None
    capability = Capability.MANAGE_SETTINGS
    form_class = SettingsForm
    http_method_names = ["post"]
    success_message = gettext_lazy("Lead settings saved; they apply from the next distribution.")

    def call_service(self, form):
        return services.lead_settings_update(actor=self.request.user, **form.cleaned_data)

    def form_invalid(self, form):
        for field, errors in form.errors.items():
            for message in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(self.request, f"{label}: {message}" if label else message)
        return HttpResponseRedirect(reverse("leads:settings", kwargs={"tenant_slug": self.tenant.slug}))

    def get_success_url(self):
        return reverse("leads:settings", kwargs={"tenant_slug": self.tenant.slug})
