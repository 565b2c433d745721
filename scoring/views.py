"""Pages for scores: leaderboard, channel map, a partner's score, recommendations, job runs, settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from common.errors import ApplicationError
from common.pagination import PageByIdPaginator
from partners.models import Partner, PartnerKind, Tier
from tenancy.pages import TenantPageMixin, apply_errors_to_form
from tenancy.roles import VENDOR_ROLES, Capability

from . import services
from .explain import component_rows, path_to_next_tier
from .forms import DecisionForm, LeaderboardFilterForm, ScoreSettingsForm
from .jobs import tenant_yesterday
from .models import JobRun, PartnerScore, TierRecommendation
from .selectors import channel_map, latest_score_day, rank_of, rank_page, score_trend, scores_on


class LeaderboardView(TenantPageMixin, ListView):
    """排行榜: the scored partners of a day, best first, filtered by tier, region and kind."""

    model = PartnerScore
    read_roles = VENDOR_ROLES
    template_name = "scoring/leaderboard.html"
    nav_section = "leaderboard"
    paginate_by = 50
    paginator_class = PageByIdPaginator  # the page's scores picked by id, then read with their joins

    def get(self, request, *args, **kwargs):
        self.form = LeaderboardFilterForm(request.GET or None)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.day = data.get("date") or latest_score_day()
        filters = Q(partner__in=self.get_queryset_of_partners())
        if data.get("tier"):
            filters &= Q(partner__tier__code=data["tier"])
        if data.get("region"):
            filters &= Q(partner__region=data["region"])
        if data.get("kind"):
            filters &= Q(partner__kind=data["kind"])
        # Ranks are among the partners shown (the window runs after the filters).
        self.object_list = scores_on(self.day, filters) if self.day else PartnerScore.objects.none()
        return self.render_to_response(self.get_context_data())

    def get_queryset_of_partners(self):
        from tenancy.access import visible_partners

        return visible_partners(self.membership).values("pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.day:  # ranks among the partners shown, for the page's rows only (no window over them all)
            rank_page(self.object_list, list(context["object_list"]))
        context.update(
            form=self.form,
            day=self.day,
            tiers=Tier.objects.all(),
            kinds=PartnerKind.choices,
            regions=Partner.objects.exclude(region="").values_list("region", flat=True).distinct().order_by("region"),
        )
        return context


class ChannelMapView(TenantPageMixin, ListView):
    """渠道地图: partners by region × kind, coloured by tier, with counts and the last 365 days' sales."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    template_name = "scoring/channel_map.html"
    nav_section = "map"

    def get(self, request, *args, **kwargs):
        self.object_list = []
        self.grid = channel_map(self.get_queryset(), day=latest_score_day())
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(grid=self.grid, kinds=PartnerKind.choices, tiers=Tier.objects.all())
        return context


class PartnerScoreView(TenantPageMixin, DetailView):
    """A partner's score explained: each component in plain words, the sum, the trend, the next tier."""

    model = Partner
    partner_field = ""
    template_name = "scoring/partner_score.html"
    nav_section = "score"

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.object
        trend = score_trend(partner)
        score = trend[-1] if trend else None
        context["score"] = score
        if score is not None:
            score.recommended_tier = Tier.objects.get(pk=score.recommended_tier_id)
            next_tier = Tier.objects.filter(rank__lt=partner.tier.rank).order_by("-rank").first()
            rank, scored = rank_of(partner.pk, score.day)
            context.update(
                rows=component_rows(score, currency=self.tenant.currency, for_partner=self.membership.is_partner_side),
                next_step=path_to_next_tier(score, next_tier),
                keep_step=path_to_next_tier(score, partner.tier) if score.score < partner.tier.min_score else None,
                rank=rank,
                scored=scored,
                trend={"labels": [row.day.isoformat() for row in trend], "scores": [str(row.score) for row in trend]},
            )
        return context


class RecommendationListView(TenantPageMixin, ListView):
    """Tier recommendations to review: apply, or dismiss with a reason."""

    model = TierRecommendation
    read_roles = VENDOR_ROLES
    template_name = "scoring/recommendations.html"
    nav_section = "recommendations"
    paginate_by = 50
    paginator_class = PageByIdPaginator  # the page's recommendations picked by id, then read with their joins

    def narrow_queryset(self, queryset):
        status = self.request.GET.get("status") or TierRecommendation.Status.OPEN
        return (
            queryset.filter(status=status)
            .select_related("partner", "from_tier", "to_tier", "score", "decided_by")
            .order_by("-created_at", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("status") or TierRecommendation.Status.OPEN
        context["statuses"] = TierRecommendation.Status.choices
        context["may_decide"] = self.can(Capability.MANAGE_PARTNERS)
        return context


class RecommendationDecideView(TenantPageMixin, DetailView):
    """POST: apply or dismiss one recommendation."""

    model = TierRecommendation
    capability = Capability.MANAGE_PARTNERS
    read_roles = VENDOR_ROLES
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        recommendation = self.get_object()
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            if form.cleaned_data["decision"] == "apply":
                services.recommendation_apply(
                    recommendation=recommendation, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Applied: the tier change is in the partner's history."))
            else:
                services.recommendation_dismiss(
                    recommendation=recommendation, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Dismissed."))
        except (ValidationError, ApplicationError) as error:
            messages.error(request, _first_message(error, form))
        return redirect("scoring:recommendations", tenant_slug=self.tenant.slug)


def _first_message(error, form) -> str:
    if form.errors:
        return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class JobRunListView(TenantPageMixin, ListView):
    """The nightly runs: status, progress, duration, errors; an administrator can run yesterday now."""

    model = JobRun
    partner_field = None
    read_roles = VENDOR_ROLES
    template_name = "scoring/job_runs.html"
    nav_section = "jobs"
    paginate_by = 30

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["scoring/_job_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_run"] = self.can(Capability.MANAGE_SETTINGS)
        context["yesterday"] = tenant_yesterday(self.tenant)
        context["running"] = any(run.status == JobRun.Status.RUNNING for run in context["object_list"])
        return context


class JobRunNowView(TenantPageMixin, View):
    """POST: queue the nightly run of the tenant's yesterday (in-process when there is no broker)."""

    model = JobRun
    partner_field = None
    capability = Capability.MANAGE_SETTINGS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from .tasks import nightly_run_task

        day = tenant_yesterday(self.tenant)
        nightly_run_task.delay(self.tenant.pk, day.isoformat(), "manual")
        messages.success(request, _("The nightly run for %(day)s has been queued.") % {"day": day.isoformat()})
        return redirect("scoring:jobs", tenant_slug=self.tenant.slug)


class ScoreSettingsView(TenantPageMixin, FormView):
    """The tenant's score weights and whether tier recommendations apply on their own."""

    model = JobRun
    partner_field = None
    capability = Capability.MANAGE_SETTINGS
    form_class = ScoreSettingsForm
    template_name = "scoring/settings.html"
    nav_section = "settings"

    def get_initial(self):
        return {**self.tenant.score_weights, "auto_apply_tiers": self.tenant.auto_apply_tiers}

    def form_valid(self, form):
        data = form.cleaned_data
        weights = {name: data[name] for name in ("volume", "growth", "attainment", "collection", "overdue")}
        try:
            services.tenant_settings_update(
                tenant=self.tenant, weights=weights, auto_apply_tiers=data["auto_apply_tiers"]
            )
        except ValidationError as error:
            apply_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved. The next nightly run uses these weights."))
        return redirect("scoring:settings", tenant_slug=self.tenant.slug)
