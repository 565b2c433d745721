"""The profit-share agreement pages: the list, an agreement's terms and versions, the form (a rate per tier)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from settlements.models import LineKind, StatementLine
from tenancy.pages import TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from .. import selectors, services
from ..filters import AgreementFilter
from ..forms import AgreementForm
from ..models import PeriodChoice, ProfitShareAgreement
from ..words import describe_agreement, describe_tiers
from .common import apply_service_errors, paginate


def agreement_url(tenant, agreement: ProfitShareAgreement) -> str:
    return reverse("incentives:agreement", kwargs={"tenant_slug": tenant.slug, "pk": agreement.pk})


class AgreementListView(TenantPageMixin, ListView):
    """Every profit-share agreement with its latest version: period, tiers and rates, loss share, in force."""

    model = ProfitShareAgreement
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "agreements"
    paginate_by = 25
    template_name = "incentives/agreement_list.html"

    def narrow_queryset(self, queryset):
        queryset = selectors.agreements_with_latest(queryset).order_by("code")
        self.filterset = AgreementFilter(self.request.GET or None, queryset=queryset)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        names = selectors.tier_names()
        rows = []
        for agreement in context["object_list"]:
            version = selectors.latest_version(agreement)
            rows.append(
                {
                    "agreement": agreement,
                    "version": version,
                    "terms": describe_agreement(version, tier_names=names),
                    "in_force": version.in_force_on(today),
                }
            )
        context.update(
            rows=rows,
            filter=self.filterset,
            periods=PeriodChoice.choices,
            tiers=names.items(),
            filtering=any(self.request.GET.get(name) for name in AgreementFilter.base_filters),
        )
        return context


class AgreementDetailView(TenantPageMixin, DetailView):
    """An agreement's terms; for vendor members its versions with who made them and whether they paid out."""

    model = ProfitShareAgreement
    partner_field = None
    nav_section = "agreements"
    template_name = "incentives/agreement_detail.html"
    context_object_name = "agreement"

    def narrow_queryset(self, queryset):
        return selectors.agreements_visible_to(selectors.agreements_with_latest(queryset), self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.object
        version = selectors.latest_version(agreement)
        number = self.request.GET.get("version", "")
        if self.membership.is_vendor_side and number.isdigit() and int(number) != version.number:
            version = agreement.versions.filter(number=int(number)).first() or version
        names = selectors.tier_names()
        context.update(
            version=version,
            latest=selectors.latest_version(agreement),
            terms=describe_agreement(version, tier_names=names),
            tiers=describe_tiers([row["tier"] for row in version.rates], names),
            in_force=version.in_force_on(tenant_today(self.tenant)),
        )
        if self.membership.is_vendor_side:
            paid = StatementLine.objects.filter(
                kind__in=(LineKind.PROFIT_SHARE, LineKind.LOSS_SHARE), source_code=agreement.code
            )
            versions = agreement.versions.select_related("created_by", "changed_by").order_by("-number")
            context.update(
                versions=paginate(self.request, versions, 10, "versions_page"),
                paid_versions=set(paid.order_by().values_list("source_version", flat=True).distinct()),
            )
        return context


class AgreementFormPage(TenantPageMixin, SingleObjectMixin, FormView):
    model = ProfitShareAgreement
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PROGRAMS
    nav_section = "agreements"
    form_class = AgreementForm
    template_name = "incentives/agreement_form.html"
    object = None
    version = None

    def get_initial(self):
        return {"period_kind": "quarter", "starts_on": tenant_today(self.tenant), "loss_share_percent": 0}

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            agreement = self.save(form.identity(), form.terms())
        except (ValidationError, ApplicationError) as error:
            grouped = apply_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form, grouped=grouped))
        messages.success(self.request, self.saved_message(agreement))
        return HttpResponseRedirect(agreement_url(self.tenant, agreement))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            context["cancel_url"] = agreement_url(self.tenant, self.object)
        else:
            context["cancel_url"] = reverse("incentives:agreements", kwargs={"tenant_slug": self.tenant.slug})
        context.setdefault("grouped", {})
        context["version"] = self.version
        return context

    def load(self) -> None:
        """Nothing to load for a new agreement."""


class AgreementCreateView(AgreementFormPage):
    def save(self, identity: dict, terms: dict) -> ProfitShareAgreement:
        return services.agreement_create(actor=self.request.user, **identity, **terms)

    def saved_message(self, agreement: ProfitShareAgreement) -> str:
        return _("Agreement %(name)s created (version 1).") % {"name": agreement.name}


class AgreementEditView(AgreementFormPage):
    def load(self) -> None:
        self.object = self.get_object()
        self.version = selectors.latest_version(self.object)

    def get_initial(self):
        return AgreementForm.initial_for(self.object, self.version)

    def save(self, identity: dict, terms: dict) -> ProfitShareAgreement:
        return services.agreement_update(actor=self.request.user, agreement=self.object, **identity, **terms)

    def saved_message(self, agreement: ProfitShareAgreement) -> str:
        if agreement.latest.number != self.version.number:
            return _("Version %(old)s has paid out, so it is kept as it was: the new terms are version %(new)s.") % {
                "old": self.version.number,
                "new": agreement.latest.number,
            }
        return _("Agreement %(name)s saved (version %(number)s).") % {
            "name": agreement.name,
            "number": agreement.latest.number,
        }
