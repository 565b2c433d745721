"""The due diligence pages: a partner's checklist, the pipeline, and the tenant's checklist settings.

Vendor members only (partner-side members get a 403 for their own partner, a 404 for another):
the checklist says what the vendor found out about the partner.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from partners.models import Partner, PartnerStatus
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import PipelineFilter
from .forms import ChecklistItemForm, PilotSettingForm, TickForm, UntickForm
from .models import ChecklistItem, Gate, PartnerCheckEvent


def checklist_url(partner: Partner, tenant) -> str:
    return reverse("diligence:partner", kwargs={"tenant_slug": tenant.slug, "pk": partner.pk})


def by_gate(standings) -> list[tuple[str, list]]:
    """The checklist in sections, one per step of the pipeline, each with its label."""
    labels = dict(Gate.choices)
    sections: dict[str, list] = {}
    for standing in standings:
        sections.setdefault(standing.item.gate, []).append(standing)
    return [(labels[gate], rows) for gate, rows in sections.items()]


class PartnerChecklistView(TenantPageMixin, DetailView):
    """One partner's due diligence: each item met or not (and how), its history, and the next step."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    nav_section = "partners"
    template_name = "diligence/partner_checklist.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier", "manager", "tenant")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.object
        standings = selectors.checklist_of(partner)
        context.update(
            sections=by_gate(standings),
            next_steps=selectors.next_steps(partner, items=[standing.item for standing in standings]),
            may_tick=self.can(Capability.MANAGE_PARTNERS),
            today=tenant_today(self.tenant),
            pilot_ended=partner.pilot_ended_undecided(tenant_today(self.tenant)),
        )
        return context


class PartnerCheckActionView(TenantPageMixin, SingleObjectMixin, View):
    """POST a tick or an untick of one of the partner's items (``pk`` names the partner), then back to its checklist."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PARTNERS
    http_method_names = ["post"]
    form_class: type = TickForm

    def post(self, request, *args, **kwargs):
        partner = self.get_object()
        form = self.form_class(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            self.act(partner, form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, first_message(error, form))
        else:
            messages.success(request, self.done_message(form.cleaned_data["item"]))
        return HttpResponseRedirect(checklist_url(partner, self.tenant))

    def act(self, partner: Partner, data: dict) -> None:
        raise NotImplementedError

    def done_message(self, item: ChecklistItem) -> str:
        raise NotImplementedError


def first_message(error, form) -> str:
    """What went wrong, in words: the form's own errors first, else the service's."""
    if form.errors:
        return " ".join(str(message) for errors in form.errors.values() for message in errors)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class PartnerCheckTickView(PartnerCheckActionView):
    form_class = TickForm

    def act(self, partner, data):
        services.partner_check_tick(
            partner=partner, item=data["item"], actor=self.request.user, note=data["note"], evidence=data["evidence"]
        )

    def done_message(self, item):
        return _("Ticked: %(item)s.") % {"item": item.name}


class PartnerCheckUntickView(PartnerCheckActionView):
    form_class = UntickForm

    def act(self, partner, data):
        services.partner_check_untick(
            partner=partner, item=data["item"], actor=self.request.user, reason=data["reason"]
        )

    def done_message(self, item):
        return _("Unticked: %(item)s. The reason is kept in its history.") % {"item": item.name}


class EvidenceFileView(TenantPageMixin, SingleObjectMixin, View):
    """A tick's evidence file, to vendor members who may see the partner (never served publicly)."""

    model = PartnerCheckEvent
    partner_field = "partner_check__partner"
    read_roles = VENDOR_ROLES
    nav_section = "partners"

    def get(self, request, *args, **kwargs):
        event = self.get_object()
        if not event.evidence:
            raise Http404
        return FileResponse(
            event.evidence.open("rb"), as_attachment=True, filename=event.original_filename or event.evidence.name
        )


class PipelineView(TenantPageMixin, ListView):
    """Partners on their way in (prospects, onboarding, pilot) with their checklist progress and next step."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    nav_section = "pipeline"
    paginate_by = 25
    template_name = "diligence/pipeline.html"

    def narrow_queryset(self, queryset):
        pipeline = queryset.filter(
            status__in=[PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING, PartnerStatus.PILOT]
        ).select_related("manager")
        stage = Case(
            When(status=PartnerStatus.PILOT, then=Value(0)),
            When(status=PartnerStatus.ONBOARDING, then=Value(1)),
            default=Value(2),
        )
        pipeline = selectors.with_contract_flag(pipeline, day=tenant_today(self.tenant)).order_by(stage, "code")
        self.filterset = PipelineFilter(self.request.GET or None, queryset=pipeline, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            rows=selectors.pipeline_rows(list(context["object_list"])),
            statuses=PipelineFilter.base_filters["status"].extra["choices"],
            pilots=PipelineFilter.base_filters["pilot"].extra["choices"],
            filtering=any(self.request.GET.get(name) for name in PipelineFilter.base_filters),
            today=tenant_today(self.tenant),
        )
        return context


class ChecklistSettingsView(TenantPageMixin, ListView):
    """The tenant's checklist, step by step; administrators also say whether partners may skip the pilot."""

    model = ChecklistItem
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "diligence-settings"
    template_name = "diligence/checklist_settings.html"

    def narrow_queryset(self, queryset):
        return queryset.order_by("-is_active", "position", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(Gate.choices)
        context["sections"] = [
            (labels[gate], [item for item in context["object_list"] if item.gate == gate]) for gate in Gate.values
        ]
        context["may_edit"] = self.can(Capability.MANAGE_PARTNERS)
        if self.can(Capability.MANAGE_SETTINGS):
            context["pilot_form"] = PilotSettingForm(
                initial={"partners_may_skip_pilot": self.tenant.partners_may_skip_pilot}
            )
        return context


def settings_url(tenant) -> str:
    return reverse("diligence:checklist", kwargs={"tenant_slug": tenant.slug})


class ChecklistItemCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = ChecklistItem
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "diligence-settings"
    capability = Capability.MANAGE_PARTNERS
    form_class = ChecklistItemForm
    template_name = "diligence/item_form.html"
    success_message = gettext_lazy("Checklist item saved.")

    def get_initial(self):
        return {"gate": Gate.ONBOARDING, "is_required": True, "is_active": True}

    def call_service(self, form):
        return services.checklist_item_create(**form.cleaned_data)

    def get_success_url(self):
        return settings_url(self.tenant)


class ChecklistItemEditView(ObjectFormPage):
    model = ChecklistItem
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "diligence-settings"
    capability = Capability.MANAGE_PARTNERS
    form_class = ChecklistItemForm
    template_name = "diligence/item_form.html"
    success_message = gettext_lazy("Checklist item saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        return ChecklistItemForm.initial_for(self.object)

    def call_service(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "code"}
        return services.checklist_item_update(item=self.object, **changes) if changes else self.object

    def get_success_url(self):
        return settings_url(self.tenant)


class PilotSettingView(ServiceFormMixin, TenantPageMixin, FormView):
    """POST from the checklist settings: whether partners may skip the pilot (administrators)."""

    model = ChecklistItem
    partner_field = None
    capability = Capability.MANAGE_SETTINGS
    form_class = PilotSettingForm
    http_method_names = ["post"]
    success_message = gettext_lazy("Saved.")

    def call_service(self, form):
        return services.tenant_pilot_setting_update(
            tenant=self.tenant, partners_may_skip_pilot=form.cleaned_data["partners_may_skip_pilot"]
        )

    def form_invalid(self, form):
        for errors in form.errors.values():
            for message in errors:
                messages.error(self.request, message)
        return HttpResponseRedirect(settings_url(self.tenant))

    def get_success_url(self):
        return settings_url(self.tenant)
