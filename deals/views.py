"""The deal pages: the vendor's deals by status with their conflicts side by side, a deal and its history,
registering (with the conflict warning before submitting), the decisions, won and lost; the settings.

A partner-side member sees the same pages for its own partner ("our deals"): its deals' protection
and the days left, and of a conflict only that the customer was registered before, and when.
Every page stands on ``TenantPageMixin`` (another partner's or tenant's deal is a 404); every write
is one service.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView

from common.dates import tenant_today
from common.parsing import text_problem
from tenancy.access import visible_partners
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import STATUS_CHOICES, DealFilter
from .forms import ApproveForm, DealForm, DealSettingsForm, ReasonForm, WonForm
from .models import CUSTOMER_MAX_LENGTH, Deal, DealSettings, DealStatus
from .notices import match_words


def deal_url(tenant, deal: Deal) -> str:
    return reverse("deals:detail", kwargs={"tenant_slug": tenant.slug, "pk": deal.pk})


def conflict_rows(conflicts, *, tenant, vendor: bool, deal: Deal | None = None) -> list[dict]:
    """A deal's conflicts for a page: the other deal and how they match for the vendor; for a partner the day,
    and whether it came before ``deal`` (none yet: before)."""
    rows = []
    for conflict in conflicts:
        before = deal is None or (conflict.deal.created_at, conflict.deal.pk) < (deal.created_at, deal.pk)
        row = {"registered_on": conflict.registered_on(tenant), "before": before}
        if vendor:
            row.update(deal=conflict.deal, how=match_words(conflict))
        rows.append(row)
    return rows


class DealPage(TenantPageMixin):
    model = Deal
    partner_field = "partner"
    nav_section = "deals"

    @property
    def is_vendor(self) -> bool:
        return self.membership.is_vendor_side

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "registered_by", "decided_by")


class DealListView(DealPage, ListView):
    """Deals by status, the newest first, those in conflict marked with whom (vendor) or since when (partner)."""

    template_name = "deals/deal_list.html"
    paginate_by = 50

    def narrow_queryset(self, queryset):
        self.visible = queryset
        self.filterset = DealFilter(self.request.GET or None, queryset=queryset)
        valid = not self.filterset.is_bound or self.filterset.is_valid()
        deals = self.filterset.qs if valid else queryset.none()
        return selectors.deal_list(deals)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        deals = list(context["object_list"])
        conflicts = selectors.conflicts_for(deals, day=today)
        counts = selectors.status_counts(self.visible)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("status", None)
        context.update(
            rows=[
                {
                    "deal": deal,
                    "days_left": deal.days_left(today),
                    "conflicts": conflict_rows(
                        conflicts.get(deal.pk, []), tenant=self.tenant, vendor=self.is_vendor, deal=deal
                    ),
                }
                for deal in deals
            ],
            filter=self.filterset,
            tabs=[("", _("All"), sum(counts.values()))]
            + [(value, label, counts.get(value, 0)) for value, label in DealStatus.choices],
            current_status=self.request.GET.get("status", ""),
            statuses=STATUS_CHOICES,
            tab_query=query.urlencode(),
            in_conflict=selectors.deal_list(self.visible.filter(_in_conflict())).count() if self.is_vendor else None,
            may_register=self.can(Capability.REGISTER_DEALS),
            is_vendor=self.is_vendor,
            today=today,
        )
        return context


def _in_conflict():
    from .filters import in_conflict

    return in_conflict()


def _cell(deal: Deal, field: str, tenant) -> str:
    from common.money import format_money

    if field == "partner":
        return f"{deal.partner.code} {deal.partner.name}"
    if field == "value":
        return format_money(deal.value, tenant.currency)
    if field == "products":
        return ", ".join(deal.products) or "—"
    if field == "status":
        return str(deal.get_status_display())
    if field == "registered":
        return timezone.localtime(deal.created_at, tenant.zone).strftime("%Y-%m-%d")
    value = getattr(deal, field)
    if value in (None, ""):
        return "—"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


COMPARED = (
    ("partner", gettext_lazy("Partner")),
    ("customer", gettext_lazy("Customer")),
    ("customer_tax_id", gettext_lazy("Customer's tax id")),
    ("value", gettext_lazy("Value")),
    ("expected_close", gettext_lazy("Expected close")),
    ("products", gettext_lazy("Products")),
    ("status", gettext_lazy("Status")),
    ("registered", gettext_lazy("Registered")),
    ("protected_until", gettext_lazy("Protected until")),
)


def side_by_side(deals: list[Deal], tenant) -> list[dict]:
    """The deal and those it conflicts with, field by field: a row per field, a column per deal; what
    differs from the first deal is marked."""
    rows = []
    for field, label in COMPARED:
        cells = [_cell(deal, field, tenant) for deal in deals]
        rows.append({"label": label, "cells": [(cell, cell != cells[0]) for cell in cells]})
    return rows


class DealDetailView(DealPage, DetailView):
    """A deal: its fields, its conflicts (side by side with the other deals, for the vendor), what may be done
    now, and its history."""

    template_name = "deals/deal_detail.html"
    context_object_name = "deal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal, today = self.object, tenant_today(self.tenant)
        conflicts = selectors.conflicts_of(deal, day=today)
        may_decide = self.can(Capability.DECIDE_DEALS)
        may_close = self.can(Capability.REGISTER_DEALS) and deal.status == DealStatus.APPROVED
        blocking = selectors.protected_conflicts(conflicts, today)
        context.update(
            today=today,
            days_left=deal.days_left(today),
            conflicts=conflict_rows(conflicts, tenant=self.tenant, vendor=self.is_vendor, deal=deal),
            compared=[deal, *(conflict.deal for conflict in conflicts)] if self.is_vendor and conflicts else [],
            side_by_side=side_by_side([deal, *(c.deal for c in conflicts)], self.tenant)
            if self.is_vendor and conflicts
            else [],
            blocking=blocking if self.is_vendor else [],
            is_vendor=self.is_vendor,
            transitions=deal.transitions.select_related("actor").order_by("created_at", "id"),
            may_edit=self.can(Capability.REGISTER_DEALS) and deal.status == DealStatus.SUBMITTED,
            may_approve=may_decide and deal.status == DealStatus.SUBMITTED and not blocking,
            may_reject=may_decide and deal.status in (DealStatus.SUBMITTED, DealStatus.APPROVED),
            may_close=may_close,
            approve_form=ApproveForm(),
            reject_form=ReasonForm(),
            won_form=WonForm(),
            lost_form=ReasonForm(prefix="lost"),
        )
        return context


class DealRegisterView(ServiceFormMixin, DealPage, FormView):
    """Register a deal. When the customer is registered already, the page says so and asks again before
    registering (the warning also shows as the customer is typed, with htmx)."""

    capability = Capability.REGISTER_DEALS
    form_class = DealForm
    template_name = "deals/deal_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["partners"] = None if self.membership.is_partner_side else visible_partners(self.membership)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        partner_id = self.request.GET.get("partner", "")
        if self.is_vendor and partner_id.isascii() and partner_id.isdigit() and len(partner_id) < 18:
            initial["partner"] = partner_id
        return initial

    def _partner(self, form):
        return form.cleaned_data["partner"] if "partner" in form.cleaned_data else self.membership.partner

    def form_valid(self, form):
        partner = self._partner(form)
        data = form.cleaned_data
        self.conflicts = selectors.claims_on(
            customer=data["customer"], tax_id=data["customer_tax_id"], partner_id=partner.pk,
            day=tenant_today(self.tenant),
        )  # fmt: skip
        if self.conflicts and not data.get("confirmed"):
            form.data = form.data.copy()
            form.data["confirmed"] = "True"
            return self.render_to_response(self.get_context_data(form=form, confirming=True))
        return super().form_valid(form)

    def call_service(self, form):
        data = dict(form.cleaned_data)
        data.pop("confirmed", None)
        data.pop("partner", None)
        return services.deal_register(actor=self.request.user, partner=self._partner(form), **data)

    def get_success_message(self) -> str:
        if self.result.conflicts:
            return _("Deal registered. The customer was registered before: the vendor decides which registration "
                     "it protects.")  # fmt: skip
        return _("Deal registered. The vendor will approve or reject it.")

    def get_success_url(self):
        return deal_url(self.tenant, self.result.deal)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conflicts = getattr(self, "conflicts", [])
        context.update(
            heading=_("Register a deal"),
            conflicts=conflict_rows(conflicts, tenant=self.tenant, vendor=self.is_vendor),
            is_vendor=self.is_vendor,
            check_url=reverse("deals:check", kwargs={"tenant_slug": self.tenant.slug}),
            cancel_url=reverse("deals:list", kwargs={"tenant_slug": self.tenant.slug}),
        )
        return context


def _query_text(request, name: str) -> str:
    value = request.GET.get(name, "")
    return "" if text_problem(value) else value[: CUSTOMER_MAX_LENGTH * 2]


class DealCheckView(DealPage, TemplateView):
    """The conflict warning as the customer is typed (an htmx fragment): registered before, and when."""

    capability = Capability.REGISTER_DEALS
    template_name = "deals/_conflict_check.html"
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer, tax_id = _query_text(self.request, "customer"), _query_text(self.request, "customer_tax_id")
        partner_id = self.membership.partner_id
        if self.is_vendor:
            chosen = self.request.GET.get("partner", "")
            partner_id = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 18 else None
        conflicts = []
        if customer.strip() or tax_id.strip():
            conflicts = selectors.claims_on(
                customer=customer, tax_id=tax_id, partner_id=partner_id, day=tenant_today(self.tenant)
            )
        context.update(
            conflicts=conflict_rows(conflicts, tenant=self.tenant, vendor=self.is_vendor), is_vendor=self.is_vendor
        )
        return context


class DealActionView(DealPage, ObjectFormPage):
    """A form about one deal that calls one service, then goes back to the deal."""

    template_name = "deals/deal_action.html"
    heading = ""
    submit_label = gettext_lazy("Save")

    def get_success_url(self) -> str:
        return deal_url(self.tenant, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = self.object
        context.update(
            deal=deal,
            heading=self.heading,
            submit_label=self.submit_label,
            cancel_url=deal_url(self.tenant, deal),
            subtitle=f"{deal.partner.code} · {deal.customer} · {deal.get_status_display()}",
        )
        return context


class DealApproveView(DealActionView):
    capability = Capability.DECIDE_DEALS
    form_class = ApproveForm
    heading = gettext_lazy("Approve the deal")
    submit_label = gettext_lazy("Approve")
    success_message = gettext_lazy("Deal approved: it is protected from other partners.")

    def call_service(self, form):
        return services.deal_approve(deal=self.object, actor=self.request.user, note=form.cleaned_data["note"])


class DealRejectView(DealActionView):
    capability = Capability.DECIDE_DEALS
    form_class = ReasonForm
    heading = gettext_lazy("Reject the deal")
    submit_label = gettext_lazy("Reject")
    success_message = gettext_lazy("Deal rejected. The partner reads the reason.")

    def call_service(self, form):
        return services.deal_reject(deal=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


class DealWonView(DealActionView):
    capability = Capability.REGISTER_DEALS
    form_class = WonForm
    heading = gettext_lazy("Mark the deal won")
    submit_label = gettext_lazy("Won")
    success_message = gettext_lazy("Deal marked won.")

    def call_service(self, form):
        return services.deal_win(deal=self.object, actor=self.request.user, amount=form.cleaned_data["amount"])


class DealLostView(DealActionView):
    capability = Capability.REGISTER_DEALS
    form_class = ReasonForm
    heading = gettext_lazy("Mark the deal lost")
    submit_label = gettext_lazy("Lost")
    success_message = gettext_lazy("Deal marked lost.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST" and "lost-reason" in self.request.POST:
            kwargs["prefix"] = "lost"
        return kwargs

    def call_service(self, form):
        return services.deal_lose(deal=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


class DealEditView(DealActionView):
    """Change a submitted deal; its conflicts are looked for again."""

    capability = Capability.REGISTER_DEALS
    form_class = DealForm
    heading = gettext_lazy("Change the deal")
    success_message = gettext_lazy("Deal changed.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        deal = self.object
        return {
            "customer": deal.customer,
            "customer_tax_id": deal.customer_tax_id,
            "value": deal.value,
            "expected_close": deal.expected_close,
            "products": ", ".join(deal.products),
        }

    def call_service(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS}
        return services.deal_update(deal=self.object, actor=self.request.user, **changes)


class DealSettingsView(ServiceFormMixin, TenantPageMixin, FormView):
    """How long an approval protects a deal (administrators)."""

    model = DealSettings
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_SETTINGS
    nav_section = "deal-settings"
    form_class = DealSettingsForm
    template_name = "deals/settings.html"
    success_message = gettext_lazy("Saved. Deals approved from now on are protected this long.")

    def get_initial(self):
        return {"protection_days": selectors.settings_of(self.tenant).protection_days}

    def call_service(self, form):
        return services.deal_settings_update(
            tenant=self.tenant, actor=self.request.user, protection_days=form.cleaned_data["protection_days"]
        )

    def get_success_url(self):
        return reverse("deals:settings", kwargs={"tenant_slug": self.tenant.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = selectors.settings_of(self.tenant)
        context.update(
            heading=_("Deal registration settings"),
            settings=settings,
            cancel_url=reverse("deals:list", kwargs={"tenant_slug": self.tenant.slug}),
        )
        return context
