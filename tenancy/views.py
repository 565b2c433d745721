"""Pages of the tenancy app: login, the tenant chooser, each tenant's home, and its members."""

import math

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView

from common.dates import tenant_today
from common.errors import ApplicationError
from partners.models import PartnerStatus, Tier
from qudao_api.throttles import MemberAddRateThrottle

from . import services
from .access import memberships_of, restrict_to_visible_partners, visible_partners
from .forms import MemberForm
from .models import Invitation, Membership
from .pages import TenantPageMixin, apply_errors_to_form
from .portal import portal_summary
from .roles import Capability


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """After login: straight into the only tenant, or a chooser when there are several or invitations wait."""
    memberships = memberships_of(request.user)
    invitations = services.pending_invitations_of(request.user)
    if len(memberships) == 1 and not invitations:
        return redirect(reverse("tenant-home", kwargs={"tenant_slug": memberships[0].tenant.slug}))
    return render(request, "tenancy/choose_tenant.html", {"memberships": memberships, "invitations": invitations})


@login_required
@require_POST
def invitation_answer(request, pk: int, answer: str):
    """Accept or decline an invitation from the chooser page."""
    try:
        if answer == "accept":
            membership = services.invitation_accept(user=request.user, invitation_id=pk)
        else:
            services.invitation_decline(user=request.user, invitation_id=pk)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("home")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home")
    if answer == "accept":
        messages.success(request, _("You are now a member of %(tenant)s.") % {"tenant": membership.tenant.name})
        return redirect(reverse("tenant-home", kwargs={"tenant_slug": membership.tenant.slug}))
    messages.success(request, _("The invitation was declined."))
    return redirect("home")


class TenantHomeView(TenantPageMixin, TemplateView):
    """The vendor's dashboard, or the partner portal's home for partner roles."""

    model = Tier
    partner_field = None
    nav_section = "home"

    def get_template_names(self):
        if self.membership.is_partner_side:
            return ["portal/home.html"]
        return ["tenancy/dashboard.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.membership.is_partner_side:
            context.update(self.portal_context())
        else:
            context.update(self.dashboard_context())
        return context

    def portal_context(self) -> dict:
        """The partner's own profile, its tier and benefits, the tier above it to aim for, and what it is
        on course to earn under each rebate program (its own accruals only)."""
        from incentives.selectors import latest_accruals
        from incentives.words import accrual_words

        partner = visible_partners(self.membership).select_related("tier", "manager").get()
        tiers = list(Tier.objects.all())
        better = [tier for tier in tiers if tier.rank < partner.tier.rank]
        today, currency = tenant_today(self.tenant), self.tenant.currency
        accruals = [accrual_words(accrual, currency=currency, today=today) for accrual in latest_accruals(partner.pk)]
        next_tier = better[-1] if better else None
        return {
            "partner": partner,
            "tiers": tiers,
            "next_tier": next_tier,
            "accruals": accruals,
            "summary": portal_summary(partner, today=today, next_tier=next_tier),
        }

    def dashboard_context(self) -> dict:
        """Counts of the partners the member sees, by status and by tier; overdue money, the highest credit
        utilisations and the open risk alerts."""
        from risk.selectors import dashboard_risk, receivables_day

        partners = visible_partners(self.membership)
        by_status = dict(partners.order_by().values_list("status").annotate(count=Count("pk")))
        by_tier = dict(partners.order_by().values_list("tier_id").annotate(count=Count("pk")))
        tiers = list(Tier.objects.all())
        return {
            "partner_count": sum(by_status.values()),
            "status_counts": [(value, label, by_status.get(value, 0)) for value, label in PartnerStatus.choices],
            "tier_counts": [(tier, by_tier.get(tier.pk, 0)) for tier in tiers],
            "tier_chart": {
                "labels": [tier.name for tier in tiers],
                "counts": [by_tier.get(tier.pk, 0) for tier in tiers],
            },
            "recent_partners": partners.select_related("tier").order_by("-created_at")[:5],
            "tiers": tiers,
            "risk": dashboard_risk(
                membership=self.membership, tenant=self.tenant, day=receivables_day(tenant_today(self.tenant))
            ),
        }


class MemberListView(TenantPageMixin, ListView):
    """The tenant's members; a partner administrator sees its own partner's users only."""

    model = Membership
    partner_field = "partner"
    nav_section = "members"
    capability = Capability.MANAGE_MEMBERS
    template_name = "tenancy/member_list.html"
    paginate_by = 50

    def narrow_queryset(self, queryset):
        return queryset.select_related("user", "partner").order_by("user__email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitations = Invitation.objects.filter(status=Invitation.Status.PENDING).select_related("partner")
        context["invitations"] = restrict_to_visible_partners(invitations, self.membership, "partner").order_by(
            "-created_at"
        )
        return context


class InvitationRevokeView(TenantPageMixin, View):
    """Withdraw a pending invitation (POST from the members page)."""

    model = Invitation
    partner_field = "partner"
    capability = Capability.MANAGE_MEMBERS
    http_method_names = ["post"]

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        invitation = self.get_object()
        try:
            services.invitation_revoke(actor=self.membership, invitation=invitation)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
        return HttpResponseRedirect(reverse("members", kwargs={"tenant_slug": self.tenant.slug}))


class MemberAddView(TenantPageMixin, FormView):
    """Add a user to the tenant with a role; the service enforces who may add whom."""

    model = Membership
    partner_field = "partner"
    nav_section = "members"
    capability = Capability.MANAGE_MEMBERS
    form_class = MemberForm
    template_name = "tenancy/member_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.membership}

    def form_valid(self, form):
        throttle = MemberAddRateThrottle()  # the same count as POST members/ in the API
        if not throttle.allow_request(self.request, self):
            minutes = max(1, math.ceil((throttle.wait() or 0) / 60))
            form.add_error(
                None,
                ngettext(
                    "You have added many members in a short time; try again in %(minutes)d minute.",
                    "You have added many members in a short time; try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        data = form.cleaned_data
        try:
            added = services.member_add(
                actor=self.membership,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                partner=data.get("partner"),
                password=data["password"] or None,
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors_to_form(form, error)
            return self.form_invalid(form)
        if added.invitation is not None:
            message = _("%(email)s already has a Qudao account: an invitation was sent, and they become a member when "
                        "they accept it.") % {"email": added.invitation.email}  # fmt: skip
        else:
            message = _("%(email)s added as a member.") % {"email": added.membership.user.email}
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("members", kwargs={"tenant_slug": self.tenant.slug}))
