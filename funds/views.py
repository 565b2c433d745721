"""The funds pages: funds with their figures, partners' requests and claims, and the decisions on them.

Every member reads: vendor members every fund (a channel manager with a portfolio, its partners'
requests and claims); a partner's members the funds open to its tier, with only their own figures,
requests and claims. Decisions are buttons on a request's or claim's page (POST, then back to it).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.errors import ApplicationError
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import Capability

from . import selectors, services
from .filters import PAYMENT_CHOICES, FundClaimFilter, FundFilter, FundRequestFilter
from .forms import ApproveForm, FundClaimForm, FundForm, FundRequestForm, RejectForm
from .models import ClaimFile, DecisionStatus, Fund, FundClaim, FundRequest


def _url(name: str, tenant, pk: int | None = None) -> str:
    kwargs = {"tenant_slug": tenant.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"funds:{name}", kwargs=kwargs)


class FundScopeMixin:
    """Funds as the member sees them: a partner only those open to its tier, with its own figures."""

    model = Fund
    partner_field = None

    def narrow_queryset(self, queryset):
        if self.membership.is_partner_side:
            partner = self.membership.partner
            return selectors.with_figures(selectors.funds_for_tier(queryset, partner.tier.code), partner_id=partner.pk)
        return selectors.with_figures(queryset)


class FundListView(FundScopeMixin, TenantPageMixin, ListView):
    nav_section = "funds"
    paginate_by = 25
    template_name = "funds/fund_list.html"

    def narrow_queryset(self, queryset):
        funds = super().narrow_queryset(queryset)
        self.filterset = FundFilter(self.request.GET or None, queryset=funds, request=self.request)
        return self.filterset.qs if self.filterset.is_valid() else funds

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            filtering=any(self.request.GET.get(name) for name in FundFilter.base_filters),
            may_manage=self.can(Capability.MANAGE_FUNDS),
            may_request=self.can(Capability.REQUEST_FUNDS),
        )
        return context


class FundDetailView(FundScopeMixin, TenantPageMixin, DetailView):
    """A fund: budget, approved, claimed and paid; its requests and claims (a partner: its own), its history."""

    nav_section = "funds"
    template_name = "funds/fund_detail.html"

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        from tenancy.access import restrict_to_visible_partners

        context = super().get_context_data(**kwargs)
        fund = self.object
        requests = restrict_to_visible_partners(FundRequest.objects.filter(fund=fund), self.membership, "partner")
        claims = restrict_to_visible_partners(FundClaim.objects.filter(request__fund=fund), self.membership, "partner")
        request_page = Paginator(selectors.request_list(requests), 20).get_page(self.request.GET.get("page"))
        claim_page = Paginator(selectors.claim_list(claims), 20).get_page(self.request.GET.get("claims_page"))
        context.update(
            requests=request_page,
            claims=claim_page,
            history=selectors.history_of(fund=fund) if self.membership.is_vendor_side else [],
            may_manage=self.can(Capability.MANAGE_FUNDS),
            may_request=self.can(Capability.REQUEST_FUNDS) and fund.is_open,
        )
        return context


class FundCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Fund
    partner_field = None
    nav_section = "funds"
    capability = Capability.MANAGE_FUNDS
    form_class = FundForm
    template_name = "funds/fund_form.html"
    success_message = gettext_lazy("Fund saved.")

    def get_initial(self):
        return {"is_open": True}

    def call_service(self, form):
        return services.fund_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return _url("fund", self.tenant, self.result.pk)


class FundEditView(FundScopeMixin, ObjectFormPage):
    nav_section = "funds"
    capability = Capability.MANAGE_FUNDS
    form_class = FundForm
    template_name = "funds/fund_form.html"
    success_message = gettext_lazy("Fund saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["editing"] = True
        return kwargs

    def get_initial(self):
        fund = self.object
        return {name: getattr(fund, name) for name in ("code", "name", "period", "budget", "tiers", "is_open",
                                                       "description")}  # fmt: skip

    def call_service(self, form):
        changes = {name: form.cleaned_data[name] for name in services.FUND_FIELDS}
        return services.fund_update(fund=self.object, actor=self.request.user, **changes)

    def get_success_url(self):
        return _url("fund", self.tenant, self.object.pk)


class FundRequestCreateView(FundScopeMixin, ObjectFormPage):
    """A partner's administrator asks for part of a fund (``pk`` names the fund)."""

    nav_section = "funds"
    capability = Capability.REQUEST_FUNDS
    form_class = FundRequestForm
    template_name = "funds/request_form.html"
    success_message = gettext_lazy("Request sent: you will hear when it is decided.")

    def call_service(self, form):
        return services.fund_request_submit(
            fund=self.object, partner=self.membership.partner, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return _url("request", self.tenant, self.result.pk)


class FundRequestListView(TenantPageMixin, ListView):
    model = FundRequest
    nav_section = "fund-requests"
    paginate_by = 25
    template_name = "funds/request_list.html"

    def narrow_queryset(self, queryset):
        requests = selectors.request_list(queryset)
        self.filterset = FundRequestFilter(self.request.GET or None, queryset=requests, request=self.request)
        return self.filterset.qs if self.filterset.is_valid() else requests

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            statuses=DecisionStatus.choices,
            filtering=any(self.request.GET.get(name) for name in FundRequestFilter.base_filters),
        )
        return context


class FundRequestDetailView(TenantPageMixin, DetailView):
    model = FundRequest
    nav_section = "fund-requests"
    template_name = "funds/request_detail.html"

    def narrow_queryset(self, queryset):
        return selectors.request_list(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        claimable = selectors.request_claimable(request)
        context.update(
            claims=selectors.claim_list(FundClaim.objects.filter(request=request)),
            history=selectors.history_of(request=request),
            claimable=claimable,
            may_decide=self.can(Capability.MANAGE_FUNDS) and request.is_open,
            may_claim=self.can(Capability.REQUEST_FUNDS) and claimable > 0,
            approve_form=ApproveForm(),
            reject_form=RejectForm(),
        )
        return context


class DecisionView(TenantPageMixin, SingleObjectMixin, View):
    """POST an approval or a rejection of a request or claim (``pk``), then back to its page."""

    http_method_names = ["post"]
    form_class: type = ApproveForm
    page = ""

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.form_class(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            self.decide(obj, form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, _first_message(error, form))
        else:
            messages.success(request, self.done_message())
        return HttpResponseRedirect(_url(self.page, self.tenant, obj.pk))

    def decide(self, obj, data: dict) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError


def _first_message(error, form) -> str:
    if form.errors:
        return " ".join(str(message) for errors in form.errors.values() for message in errors)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class FundRequestApproveView(DecisionView):
    model = FundRequest
    capability = Capability.MANAGE_FUNDS
    page = "request"

    def decide(self, obj, data):
        services.fund_request_approve(
            request=obj, actor=self.request.user, amount=data["amount"], reason=data["reason"]
        )

    def done_message(self):
        return _("Request approved; the partner is told.")


class FundRequestRejectView(DecisionView):
    model = FundRequest
    capability = Capability.MANAGE_FUNDS
    form_class = RejectForm
    page = "request"

    def decide(self, obj, data):
        services.fund_request_reject(request=obj, actor=self.request.user, reason=data["reason"])

    def done_message(self):
        return _("Request rejected; the partner is told why.")


class FundClaimCreateView(ObjectFormPage):
    """Claim what was spent on an approved request (``pk`` names the request), with proof files."""

    model = FundRequest
    nav_section = "fund-claims"
    capability = Capability.REQUEST_FUNDS
    form_class = FundClaimForm
    template_name = "funds/claim_form.html"
    success_message = gettext_lazy("Claim sent: finance reviews it.")

    def narrow_queryset(self, queryset):
        return queryset.select_related("fund")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["claimable"] = selectors.request_claimable(self.object)
        return context

    def call_service(self, form):
        data = form.cleaned_data
        return services.fund_claim_submit(
            request=self.object, actor=self.request.user, amount=data["amount"], files=data["files"],
            description=data["description"],
        )  # fmt: skip

    def get_success_url(self):
        return _url("claim", self.tenant, self.result.pk)


class FundClaimListView(TenantPageMixin, ListView):
    model = FundClaim
    nav_section = "fund-claims"
    paginate_by = 25
    template_name = "funds/claim_list.html"

    def narrow_queryset(self, queryset):
        claims = selectors.claim_list(queryset)
        self.filterset = FundClaimFilter(self.request.GET or None, queryset=claims, request=self.request)
        return self.filterset.qs if self.filterset.is_valid() else claims

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            statuses=DecisionStatus.choices,
            payments=PAYMENT_CHOICES,
            filtering=any(self.request.GET.get(name) for name in FundClaimFilter.base_filters),
        )
        return context


class FundClaimDetailView(TenantPageMixin, DetailView):
    model = FundClaim
    nav_section = "fund-claims"
    template_name = "funds/claim_detail.html"

    def narrow_queryset(self, queryset):
        return selectors.claim_list(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        context.update(
            history=selectors.history_of(claim=claim),
            payment=selectors.payment_state(claim),
            may_decide=self.can(Capability.APPROVE_FUND_CLAIMS) and claim.status == DecisionStatus.SUBMITTED,
            approve_form=ApproveForm(),
            reject_form=RejectForm(),
        )
        return context


class FundClaimApproveView(DecisionView):
    model = FundClaim
    capability = Capability.APPROVE_FUND_CLAIMS
    page = "claim"

    def decide(self, obj, data):
        services.fund_claim_approve(claim=obj, actor=self.request.user, amount=data["amount"], reason=data["reason"])

    def done_message(self):
        return _("Claim approved: the next settlement run pays it on the partner's statement.")


class FundClaimRejectView(DecisionView):
    model = FundClaim
    capability = Capability.APPROVE_FUND_CLAIMS
    form_class = RejectForm
    page = "claim"

    def decide(self, obj, data):
        services.fund_claim_reject(claim=obj, actor=self.request.user, reason=data["reason"])

    def done_message(self):
        return _("Claim rejected; the partner is told why.")


class ProofFileView(TenantPageMixin, SingleObjectMixin, View):
    """A claim's proof file, to members who may see the claim (never served publicly)."""

    model = ClaimFile
    partner_field = "claim__partner"
    nav_section = "fund-claims"

    def get(self, request, *args, **kwargs):
        proof = self.get_object()
        if not proof.file:
            raise Http404
        try:
            handle = proof.file.open("rb")
        except OSError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=proof.original_filename or proof.file.name)
