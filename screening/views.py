"""The screening pages: candidates and the compare view, a partner's screening, the evaluation form,
the scorecard, and exit reviews. Vendor members only: partner-side members get a 403 (their own
partner) or a 404 (any other): evaluations, screening scores and exit reviews are the vendor's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from partners.models import Partner, PartnerKind, PartnerStatus
from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin, apply_errors_to_form
from tenancy.roles import VENDOR_ROLES, Capability

from . import selectors, services
from .filters import CandidateFilter, ExitReviewFilter
from .forms import (
    CriterionForm,
    CriterionFormSet,
    EvaluationForm,
    ExitReviewDecisionForm,
    ExitReviewOpenForm,
    ScreeningDecisionForm,
    ThresholdsForm,
)
from .models import Criterion, Decision, Evidence, ExitReview, ExitStatus

MAX_COMPARED = 6


def screening_url(partner, tenant) -> str:
    return reverse("screening:partner", kwargs={"tenant_slug": tenant.slug, "pk": partner.pk})


def first_message(error, form=None) -> str:
    if form is not None and form.errors:
        return " ".join(str(message) for errors in form.errors.values() for message in errors)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class CandidateListView(TenantPageMixin, ListView):
    """Partners to screen (prospects unless filtered otherwise), with their screening score; pick some to compare."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    nav_section = "screening"
    paginate_by = 25
    template_name = "screening/candidates.html"

    def narrow_queryset(self, queryset):
        data = self.request.GET.copy()
        if "status" not in data:
            data["status"] = PartnerStatus.PROSPECT
        self.filterset = CandidateFilter(data, queryset=queryset.select_related("manager"), request=self.request)
        return self.filterset.qs.order_by("code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = list(context["object_list"])
        screenings = selectors.screenings_of(partners, with_decisions=True)
        context.update(
            filter=self.filterset,
            rows=[screenings[partner.pk] for partner in partners],
            statuses=PartnerStatus.choices,
            kinds=PartnerKind.choices,
            max_compared=MAX_COMPARED,
            filtering=any(self.request.GET.get(name) for name in CandidateFilter.base_filters),
        )
        return context


class CompareView(TenantPageMixin, TemplateView):
    """Up to six partners side by side: a radar chart over the criteria each, the scores, tags, region, kind, notes."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    nav_section = "screening"
    template_name = "screening/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = []
        for value in self.request.GET.getlist("partner"):
            if value.isdigit() and len(value) < 12 and int(value) not in ids:
                ids.append(int(value))
        if len(ids) > MAX_COMPARED:
            messages.warning(
                self.request,
                _("At most %(count)d partners side by side: the first ones are shown.") % {"count": MAX_COMPARED},
            )
            ids = ids[:MAX_COMPARED]
        partners = list(self.get_queryset().filter(pk__in=ids).select_related("manager"))
        partners.sort(key=lambda partner: ids.index(partner.pk))
        screenings = selectors.screenings_of(partners, with_decisions=True)
        criteria = selectors.scorecard()
        columns = []
        for partner in partners:
            screening = screenings[partner.pk]
            means = screening.mean_ratings()
            columns.append(
                {
                    "screening": screening,
                    "means": [means.get(criterion.pk) for criterion in criteria],
                    "chart_id": f"radar-{partner.pk}",
                }
            )
        chart = {
            "labels": [criterion.name for criterion in criteria],
            "partners": [
                {
                    "id": column["chart_id"],
                    "name": column["screening"].partner.name,
                    "values": [float(value) if value is not None else None for value in column["means"]],
                }
                for column in columns
            ],
        }
        context.update(
            criteria=criteria,
            columns=columns,
            rows=[
                (criterion, [column["means"][index] for column in columns]) for index, criterion in enumerate(criteria)
            ],
            chart=chart,
        )
        return context


class PartnerScreeningView(TenantPageMixin, DetailView):
    """One partner's screening: each evaluator's latest evaluation, the score, the recommendation, the decisions."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    nav_section = "partners"
    template_name = "screening/partner.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("tier", "manager", "tenant")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.object
        may_evaluate = self.can(Capability.MANAGE_PARTNERS)
        context.update(
            screening=selectors.screening_of(partner),
            criteria=selectors.scorecard(),
            earlier=selectors.earlier_versions(partner)[:50],
            may_evaluate=may_evaluate and partner.status != PartnerStatus.TERMINATED,
            may_decide=may_evaluate and partner.status == PartnerStatus.PROSPECT,
            decision_form=ScreeningDecisionForm(),
            exit_reviews=ExitReview.objects.filter(partner=partner).select_related("decided_by")[:20],
        )
        return context


class EvaluateView(ObjectFormPage):
    """The acting member's evaluation of a partner (a new version when it evaluated before)."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PARTNERS
    nav_section = "partners"
    form_class = EvaluationForm
    template_name = "screening/evaluate.html"
    success_message = gettext_lazy("Evaluation saved; the screening score is up to date.")

    def get_form_kwargs(self):
        self.criteria = selectors.scorecard()
        return {**super().get_form_kwargs(), "criteria": self.criteria}

    def get_initial(self):
        own = selectors.own_current_evaluation(self.object, self.request.user)
        self.own = own
        return EvaluationForm.initial_from(own) if own else {}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "partner": self.object, "own": getattr(self, "own", None)}

    def call_service(self, form):
        return services.evaluation_submit(
            partner=self.object,
            actor=self.request.user,
            ratings=form.ratings(),
            summary=form.cleaned_data["summary"],
            evidence=form.cleaned_data["evidence"],
        )

    def get_success_url(self):
        return screening_url(self.object, self.tenant)


class ScreeningDecideView(TenantPageMixin, SingleObjectMixin, View):
    """POST the decision on a screened prospect: proceed to due diligence or decline, then back to its screening."""

    model = Partner
    partner_field = ""
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PARTNERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        partner = self.get_object()
        form = ScreeningDecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            record = services.screening_decide(partner=partner, actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, first_message(error, form))
            return HttpResponseRedirect(screening_url(partner, self.tenant))
        if record.decision == Decision.DECLINE:
            messages.success(request, _("Declined; the prospect is terminated, with the reason in its history."))
        elif record.moved_to:
            messages.success(request, _("Proceeding: the partner is in onboarding and its due diligence has started."))
            return HttpResponseRedirect(
                reverse("diligence:partner", kwargs={"tenant_slug": self.tenant.slug, "pk": partner.pk})
            )
        else:
            names = ", ".join(item["name"] for item in getattr(record, "missing", []))
            messages.warning(
                request,
                _(
                    "Proceeding is recorded. The partner stays a prospect until its checklist's onboarding "
                    "items are met: %(items)s."
                )
                % {"items": names},
            )
            return HttpResponseRedirect(
                reverse("diligence:partner", kwargs={"tenant_slug": self.tenant.slug, "pk": partner.pk})
            )
        return HttpResponseRedirect(screening_url(partner, self.tenant))


class EvidenceFileView(TenantPageMixin, SingleObjectMixin, View):
    """An evaluation's evidence file, to vendor members who may see the partner (never served publicly)."""

    model = Evidence
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    nav_section = "partners"

    def get(self, request, *args, **kwargs):
        evidence = self.get_object()
        if not evidence.file:
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=evidence.original_filename or evidence.file.name)


class ScorecardView(TenantPageMixin, TemplateView):
    """The tenant's scorecard and thresholds; administrators change them."""

    model = Criterion
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "scorecard"
    template_name = "screening/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            settings=selectors.screening_settings(),
            criteria=selectors.scorecard(),
            may_edit=self.can(Capability.MANAGE_SETTINGS),
        )
        return context


class ScorecardEditView(TenantPageMixin, FormView):
    """Administrators edit the criteria (weights summing to 100, anchors in both languages) and the thresholds."""

    model = Criterion
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_SETTINGS
    nav_section = "scorecard"
    template_name = "screening/scorecard_edit.html"
    form_class = ThresholdsForm

    def get_initial(self):
        settings = selectors.screening_settings()
        return {"threshold": settings.threshold, "exit_threshold": settings.exit_threshold}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in context:
            initial = [CriterionForm.initial_for(criterion) for criterion in selectors.scorecard()]
            context["formset"] = CriterionFormSet(initial=initial, prefix="criteria")
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            rows = [
                {name: data[name] for name in ("code", "name_zh", "name_en", "weight", "anchors_zh", "anchors_en")}
                for data in formset.cleaned_data
                if data and not data.get("empty")
            ]
            try:
                services.scorecard_update(
                    criteria=rows,
                    threshold=form.cleaned_data["threshold"],
                    exit_threshold=form.cleaned_data["exit_threshold"],
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                apply_errors_to_form(form, error)
            else:
                messages.success(request, _("Scorecard saved."))
                return HttpResponseRedirect(reverse("screening:scorecard", kwargs={"tenant_slug": self.tenant.slug}))
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class ExitReviewListView(TenantPageMixin, ListView):
    """Partners up for exit review: awaiting a decision first, then what was decided."""

    model = ExitReview
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    nav_section = "exit-reviews"
    paginate_by = 25
    template_name = "screening/exit_reviews.html"

    def narrow_queryset(self, queryset):
        data = self.request.GET.copy()
        if "status" not in data:
            data["status"] = ExitStatus.OPEN
        queryset = queryset.select_related("partner", "partner__manager", "partner__tier", "decided_by")
        self.filterset = ExitReviewFilter(data, queryset=queryset, request=self.request)
        return self.filterset.qs.order_by("-flagged_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            statuses=ExitStatus.choices,
            may_open=self.can(Capability.MANAGE_PARTNERS),
            open_form=ExitReviewOpenForm(),
        )
        return context


class ExitReviewOpenView(ServiceFormMixin, TenantPageMixin, FormView):
    """POST: put a partner up for exit review by hand, with a reason."""

    model = ExitReview
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PARTNERS
    form_class = ExitReviewOpenForm
    http_method_names = ["post"]

    def call_service(self, form):
        from tenancy.access import restrict_to_visible_partners

        visible = restrict_to_visible_partners(Partner.objects.all(), self.membership, "")
        partner = visible.filter(code__iexact=form.cleaned_data["partner"].strip()).first()
        if partner is None:
            raise ValidationError({"partner": _("No partner has this code.")})
        return services.exit_review_open(partner=partner, actor=self.request.user, reason=form.cleaned_data["reason"])

    def get_success_message(self):
        return _("The partner is up for exit review.")

    def form_invalid(self, form):
        messages.error(self.request, first_message(None, form))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        if getattr(self, "result", None) is not None:
            return reverse("screening:exit-review", kwargs={"tenant_slug": self.tenant.slug, "pk": self.result.pk})
        return reverse("screening:exit-reviews", kwargs={"tenant_slug": self.tenant.slug})


class ExitReviewView(TenantPageMixin, DetailView):
    """One exit review: the partner's weak months, its score trend, and the decision (or the form to make it)."""

    model = ExitReview
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    nav_section = "exit-reviews"
    template_name = "screening/exit_review.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "partner__manager", "partner__tier", "decided_by", "opened_by")

    def get_context_data(self, **kwargs):
        from scoring.models import PartnerScore

        context = super().get_context_data(**kwargs)
        review = self.object
        scores = list(
            PartnerScore.objects.filter(
                partner=review.partner,
                day__gte=review.window_starts_on or review.flagged_on,
                day__lte=review.flagged_on,
            )
            .order_by("day")
            .values_list("day", "score")
        )
        context.update(
            trend={
                "labels": [day.isoformat() for day, _score in scores],
                "scores": [float(score) for _day, score in scores],
                "threshold": float(review.exit_threshold),
            },
            may_decide=review.is_open and self.can(Capability.MANAGE_PARTNERS),
            form=ExitReviewDecisionForm(),
            today=tenant_today(self.tenant),
        )
        return context


class ExitReviewDecideView(TenantPageMixin, SingleObjectMixin, View):
    """POST the decision on an exit review: keep (plan and review date), suspend or terminate, with a reason."""

    model = ExitReview
    partner_field = "partner"
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PARTNERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review = self.get_object()
        form = ExitReviewDecisionForm(request.POST)
        url = reverse("screening:exit-review", kwargs={"tenant_slug": self.tenant.slug, "pk": review.pk})
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            services.exit_review_decide(review=review, actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, first_message(error, form))
        else:
            messages.success(request, _("Decided; it is recorded in the partner's history."))
        return HttpResponseRedirect(url)
