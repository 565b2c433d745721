"""The partner pages: list, detail, forms for partners, contacts, contracts and tiers.

Each view stands on ``TenantPageMixin`` (membership 404, capability 403, scoped queryset);
forms parse input and the services in ``services.py`` decide and write.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import Capability, Role

from . import selectors, services, workflow
from .filters import PartnerFilter
from .forms import (
    ContactForm,
    ContractForm,
    PartnerEditForm,
    PartnerForm,
    StatusChangeForm,
    TierChangeForm,
    TierForm,
    vendor_users,
)
from .models import Contract, Partner, PartnerKind, PartnerStatus, Tier

AUDIT_LABELS = {"insert": gettext_lazy("Created"), "update": gettext_lazy("Changed"), "delete": gettext_lazy("Deleted")}


def partner_url(partner: Partner, tenant) -> str:
    return reverse("partners:detail", kwargs={"tenant_slug": tenant.slug, "pk": partner.pk})


class PartnerListView(TenantPageMixin, ListView):
    """The partners the member may see: search, filters and 25 a page, in a constant number of queries."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    paginate_by = 25
    template_name = "partners/partner_list.html"

    def narrow_queryset(self, queryset):
        self.filterset = PartnerFilter(
            self.request.GET or None, queryset=queryset.select_related("tier", "manager"), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["tiers"] = Tier.objects.all()
        context["statuses"] = PartnerStatus.choices
        context["kinds"] = PartnerKind.choices
        context["filtering"] = any(self.request.GET.get(name) for name in PartnerFilter.base_filters)
        return context


class PartnerDetailView(TenantPageMixin, DetailView):
    """One partner: profile, contacts, contracts, tier and status history; vendor-only parts for vendors."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    template_name = "partners/partner_detail.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier", "manager")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.object
        context["contacts"] = partner.contacts.all()
        context["contracts"] = partner.contracts.all()
        context["history"] = selectors.partner_history(partner, viewer=self.membership)
        context["channel_figures"] = channel_figures(partner, tenant_today(self.tenant))
        if self.can(Capability.SEE_INTERNAL):
            context["audit_events"] = audit_rows(partner)
            context["diligence"] = diligence_summary(partner, tenant_today(self.tenant))
            context["risk"] = risk_badges(partner, self.tenant, context["channel_figures"]["day"])
        return context


def diligence_summary(partner: Partner, today) -> dict:
    """For vendor members: the steps forward and what each misses, and whether a pilot ran out undecided."""
    from diligence.selectors import next_steps

    return {
        "next_steps": next_steps(partner),
        "pilot_ended": partner.pilot_ended_undecided(today),
    }


def channel_figures(partner: Partner, day) -> dict:
    """The partner's last 365 days of sales and collections, receivables and aging, latest score."""
    from facts.calculations import receivables_for
    from facts.selectors import trailing_totals
    from scoring.models import PartnerScore

    return {
        "day": day,
        **trailing_totals(partner=partner, day=day),
        "receivables": receivables_for(partner_id=partner.pk, day=day),
        "score": PartnerScore.objects.filter(partner=partner).order_by("-day").first(),
    }


def risk_badges(partner: Partner, tenant, day):
    """The partner's credit and overdue standing for its page's badges (vendor side only)."""
    from risk.calculations import Thresholds
    from risk.selectors import partner_overview

    return partner_overview(partner, day=day, thresholds=Thresholds.of(tenant.risk_thresholds))


def audit_rows(partner: Partner) -> list[dict]:
    """The audit trail as a person reads it: field names in the page's language, tiers and managers by name."""
    labels = {field.attname: capfirst(field.verbose_name) for field in Partner._meta.concrete_fields}
    events = selectors.partner_audit_events(partner)
    tier_names = dict(Tier.objects.values_list("pk", "name"))
    names = {"tier_id": tier_names, "manager_id": dict(vendor_users().values_list("pk", "email"))}
    # Codes of choice fields as their labels (“Prospect → Onboarding”, never “prospect → onboarding”).
    for field in Partner._meta.concrete_fields:
        if field.choices:
            names[field.attname] = {value: str(label) for value, label in field.flatchoices}
    rows = []
    for event in events:
        changes = [
            (labels.get(field, field), [names.get(field, {}).get(value, value) for value in values])
            for field, values in sorted(event["changes"].items())
        ]
        label = AUDIT_LABELS.get(event["label"], event["label"])
        who = event["user"] or _("the system (an import, a command or the nightly job)")
        rows.append({**event, "label": label, "user": who, "is_insert": event["label"] == "insert", "changes": changes})
    return rows


class PartnerCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    """Add a partner; it starts as a prospect unless another status is chosen."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = PartnerForm
    template_name = "partners/partner_form.html"

    def call_service(self, form):
        data = dict(form.cleaned_data)
        tier, status = data.pop("tier"), data.pop("status")
        return services.partner_create(actor=self.request.user, tier=tier, status=status, **data)

    def get_success_message(self) -> str:
        return _("Partner %(name)s added.") % {"name": self.result.name}

    def get_success_url(self):
        return partner_url(self.result, self.tenant)


class PartnerEditView(ObjectFormPage):
    """Edit a partner's profile; a change of tier or status is recorded in its history, effective today."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = PartnerEditForm
    template_name = "partners/partner_form.html"
    success_message = gettext_lazy("Partner saved.")

    def get_initial(self):
        return PartnerForm.initial_for(self.object)

    def call_service(self, form):
        changes = form.changes()
        if not changes:
            return self.object
        return services.partner_update(
            partner=self.object, actor=self.request.user, reason=form.cleaned_data["reason"], **changes
        )

    def get_success_url(self):
        return partner_url(self.object, self.tenant)


class PartnerChangeTierView(ObjectFormPage):
    """Move a partner to another tier from a given day, with a reason kept in its history."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = TierChangeForm
    template_name = "partners/change_tier.html"
    success_message = gettext_lazy("Tier change recorded.")

    def get_initial(self):
        return {"effective_on": tenant_today(self.tenant)}

    def call_service(self, form):
        return services.partner_change_tier(partner=self.object, actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return partner_url(self.object, self.tenant)


class PartnerChangeStatusView(ObjectFormPage):
    """Move a partner along its workflow, with the reason kept in its history (``?status=`` picks the move).

    The page shows where the partner may go and, for each step forward, the checklist items it still
    misses; the service refuses a move the workflow or the checklist does not allow, saying why.
    """

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = StatusChangeForm
    template_name = "partners/change_status.html"
    success_message = gettext_lazy("Status change recorded.")

    def may_load_history(self) -> bool:
        return self.membership.role == Role.ADMIN

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "may_load_history": self.may_load_history()}

    def get_initial(self):
        wanted = self.request.GET.get("status")
        initial = {"pilot_credit_limit": self.object.pilot_credit_limit, "pilot_ends_on": self.object.pilot_ends_on}
        if wanted in PartnerStatus.values:
            initial["status"] = wanted
        return initial

    def get_context_data(self, **kwargs):
        from diligence.selectors import next_steps

        context = super().get_context_data(**kwargs)
        partner = Partner.objects.select_related("tenant").get(pk=self.object.pk)
        context["next_steps"] = next_steps(partner)
        suspended = partner.status == PartnerStatus.SUSPENDED
        returns_to = selectors.status_before_suspension(partner) if suspended else None
        context["moves"] = [
            PartnerStatus(value).label
            for value in workflow.moves_from(partner.status, tenant=self.tenant, returns_to=returns_to)
        ]
        return context

    def call_service(self, form):
        data = form.cleaned_data
        entering_pilot = data["status"] == PartnerStatus.PILOT
        return services.partner_change_status(
            partner=self.object,
            actor=self.request.user,
            status=data["status"],
            reason=data["reason"],
            effective_on=data.get("effective_on") or tenant_today(self.tenant),
            pilot_credit_limit=data["pilot_credit_limit"] if entering_pilot else None,
            pilot_ends_on=data["pilot_ends_on"] if entering_pilot else None,
            loading_history=bool(data.get("loading_history")),
        )

    def get_success_url(self):
        return partner_url(self.object, self.tenant)


class ContactCreateView(ObjectFormPage):
    """Add a person at the partner (``pk`` names the partner)."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = ContactForm
    template_name = "partners/contact_form.html"
    success_message = gettext_lazy("Contact added.")

    def call_service(self, form):
        return services.contact_create(partner=self.object, **form.cleaned_data)

    def get_success_url(self):
        return partner_url(self.object, self.tenant)


class ContractCreateView(ObjectFormPage):
    """Upload a contract with its file (``pk`` names the partner); type and size are checked first."""

    model = Partner
    partner_field = ""
    nav_section = "partners"
    capability = Capability.MANAGE_PARTNERS
    form_class = ContractForm
    template_name = "partners/contract_form.html"
    success_message = gettext_lazy("Contract added.")

    def call_service(self, form):
        data = dict(form.cleaned_data)
        return services.contract_create(partner=self.object, file=data.pop("file") or None, **data)

    def get_success_url(self):
        return partner_url(self.object, self.tenant)


class ContractFileView(TenantPageMixin, SingleObjectMixin, View):
    """A contract's file, to members who may see the partner (files are never served publicly)."""

    model = Contract
    partner_field = "partner"
    nav_section = "partners"

    def get(self, request, *args, **kwargs):
        contract = self.get_object()
        if not contract.file:
            raise Http404
        return FileResponse(
            contract.file.open("rb"), as_attachment=True, filename=contract.original_filename or contract.file.name
        )


class TierListView(TenantPageMixin, ListView):
    """The tiers and their benefits: every member reads them (they are the rules that pay partners)."""

    model = Tier
    partner_field = None
    nav_section = "tiers"
    template_name = "partners/tier_list.html"


class TierCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Tier
    partner_field = None
    nav_section = "tiers"
    capability = Capability.MANAGE_TIERS
    form_class = TierForm
    template_name = "partners/tier_form.html"
    success_message = gettext_lazy("Tier saved.")

    def call_service(self, form):
        return services.tier_create(**form.cleaned_data)

    def get_success_url(self):
        return reverse("partners:tiers", kwargs={"tenant_slug": self.tenant.slug})


class TierEditView(ObjectFormPage):
    model = Tier
    partner_field = None
    nav_section = "tiers"
    capability = Capability.MANAGE_TIERS
    form_class = TierForm
    template_name = "partners/tier_form.html"
    success_message = gettext_lazy("Tier saved.")

    def get_initial(self):
        return TierForm.initial_for(self.object)

    def call_service(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.tier_update(tier=self.object, **changes) if changes else self.object

    def get_success_url(self):
        return reverse("partners:tiers", kwargs={"tenant_slug": self.tenant.slug})
