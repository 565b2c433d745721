"""The company goal pages: goals with their coverage, the goal form, and a goal's split.

A split is proposed on the goal page (a GET: proposing writes nothing, so every vendor member
may look) from last year's shares or tier weights, edited by hand in the same table, and
written by the apply view (a POST that needs ``manage_targets``).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from common.periods import Period, PeriodKind
from partners.models import Partner, PartnerStatus, Tier
from tenancy.access import restrict_to_visible_partners, visible_partners
from tenancy.pages import ObjectLoadedMixin, ServiceFormMixin, TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from .. import calculations, selectors, services
from ..forms import AllocationForm, GoalForm, TierWeightsForm
from ..models import CompanyGoal, Metric, Target
from ..summary import rows_of


def goal_url(tenant, goal: CompanyGoal) -> str:
    return reverse("targets:goal", kwargs={"tenant_slug": tenant.slug, "pk": goal.pk})


class GoalListView(TenantPageMixin, ListView):
    """Company goals, latest period first, each with how much of it its partner targets cover."""

    model = CompanyGoal
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "targets"
    paginate_by = 50
    template_name = "targets/goal_list.html"

    def narrow_queryset(self, queryset):
        return selectors.with_allocated(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(goal, services.coverage(goal.allocated, goal.value)) for goal in context["object_list"]]
        return context


class GoalFormPage(ServiceFormMixin, TenantPageMixin, SingleObjectMixin, FormView):
    model = CompanyGoal
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "targets"
    capability = Capability.MANAGE_TARGETS
    form_class = GoalForm
    template_name = "targets/goal_form.html"
    object = None

    success_message = gettext_lazy("Goal saved.")

    def call_service(self, form) -> CompanyGoal:
        return self.save(form)

    def get_success_url(self) -> str:
        return goal_url(self.tenant, self.result)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            context["cancel_url"] = goal_url(self.tenant, self.object)
        else:
            context["cancel_url"] = reverse("targets:goals", kwargs={"tenant_slug": self.tenant.slug})
        return context


class GoalCreateView(GoalFormPage):
    def get_initial(self):
        return {"period": str(Period.containing(tenant_today(self.tenant), PeriodKind.QUARTER)), "metric": Metric.SALES}

    def save(self, form) -> CompanyGoal:
        return services.goal_create(**form.cleaned_data)


class GoalEditView(ObjectLoadedMixin, GoalFormPage):
    def get_initial(self):
        return GoalForm.initial_for(self.object)

    def save(self, form) -> CompanyGoal:
        return services.goal_update(goal=self.object, **form.cleaned_data)


@dataclasses.dataclass
class AllocationRow:
    """One partner's line in a goal's split: its current target of the goal and the proposal."""

    partner: Partner
    current: Target | None
    proposal: services.Proposal | None
    value: Decimal | None

    @property
    def field_name(self) -> str:
        return f"partner_{self.partner.pk}"


class GoalDetailView(TenantPageMixin, DetailView):
    """A goal: its coverage, its partner targets with attainment, and its split (proposed or by hand)."""

    model = CompanyGoal
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "targets"
    template_name = "targets/goal_detail.html"
    context_object_name = "goal"

    def narrow_queryset(self, queryset):
        return selectors.with_allocated(queryset)

    def proposals(self, goal: CompanyGoal, weights_form: TierWeightsForm) -> list[services.Proposal] | None:
        method = self.request.GET.get("method")
        if method not in services.SplitMethod.ALL:
            return None
        tier_weights = None
        if method == services.SplitMethod.TIER_WEIGHTS:
            if not weights_form.is_valid():
                return None
            tier_weights = weights_form.weights()
        try:
            return services.goal_propose_split(goal, method, tier_weights)
        except ValidationError as error:
            self.proposal_errors = error.messages
            return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        goal = self.object
        self.proposal_errors: list[str] = []
        targets = list(
            restrict_to_visible_partners(Target.objects.filter(goal=goal), self.membership, "partner")
            .select_related("partner")
            .order_by("partner__code")
        )
        rows = rows_of(targets, calculations.figures(targets, tenant_today(self.tenant)))
        tiers = list(Tier.objects.all())
        method = self.request.GET.get("method")
        weights_form = TierWeightsForm(
            self.request.GET if method == services.SplitMethod.TIER_WEIGHTS else None,
            tiers=tiers,
            defaults=services.default_tier_weights(),
        )
        proposals = self.proposals(goal, weights_form)
        context.update(
            coverage=services.coverage(goal.allocated, goal.value),
            rows=rows,
            method=method if proposals is not None else None,
            weights_form=weights_form,
            proposal_errors=self.proposal_errors,
            allocation=self.allocation_rows(targets, proposals),
            proposal_total=sum((p.value for p in proposals), Decimal("0")) if proposals else None,
        )
        return context

    def allocation_rows(self, targets: list[Target], proposals) -> list[AllocationRow]:
        """The visible active partners and any partner holding a target of the goal, by code."""
        current = {target.partner_id: target for target in targets}
        proposed = {proposal.partner.pk: proposal for proposal in proposals or []}
        partners = visible_partners(self.membership).filter(status=PartnerStatus.ACTIVE) | visible_partners(
            self.membership
        ).filter(pk__in=list(current))
        rows = []
        for partner in partners.order_by("code").distinct():
            proposal = proposed.get(partner.pk)
            target = current.get(partner.pk)
            if proposals is not None:
                value = proposal.value if proposal else Decimal("0")
            else:
                value = target.value if target else None
            rows.append(AllocationRow(partner, target, proposal, value))
        return rows


class GoalApplyView(TenantPageMixin, SingleObjectMixin, View):
    """Write the goal's split as posted (``partner_<id>`` → value; empty or 0: no target from this goal)."""

    model = CompanyGoal
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_TARGETS
    nav_section = "targets"

    def post(self, request, *args, **kwargs):
        goal = self.get_object()
        ids = [key.removeprefix("partner_") for key in request.POST if key.startswith("partner_")]
        # An id is ASCII digits, short of a bigint's 19: isdigit() alone takes “²” and 5,000-digit names.
        ids = [int(pk) for pk in ids if pk.isascii() and pk.isdigit() and len(pk) < 19]
        form = AllocationForm(request.POST, partners=list(visible_partners(self.membership).filter(pk__in=ids)))
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
            return HttpResponseRedirect(goal_url(self.tenant, goal))
        allocations = form.allocations()
        if not allocations:
            messages.info(request, _("Nothing to apply: give the partners their values first."))
            return HttpResponseRedirect(goal_url(self.tenant, goal))
        try:
            services.goal_apply_split(goal, allocations)
        except (ValidationError, ApplicationError) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        else:
            coverage = services.goal_coverage(goal) * 100
            messages.success(
                request,
                _("The split is applied: the partner targets cover %(coverage)s%% of the goal.")
                % {"coverage": f"{coverage:.2f}"},
            )
        return HttpResponseRedirect(goal_url(self.tenant, goal))
