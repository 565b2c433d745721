"""The target pages: targets by period with attainment and pace, the target form with its SMART
check, and the partner portal's own targets. Each view stands on ``TenantPageMixin``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from common.periods import Period, PeriodKind
from tenancy.access import visible_partners
from tenancy.pages import ObjectLoadedMixin, TenantPageMixin, apply_errors_to_form
from tenancy.roles import Capability

from .. import calculations, selectors, services
from ..filters import TargetFilter
from ..forms import TargetForm
from ..models import Metric, Target
from ..summary import rows_of, summarise


def targets_url(tenant, period: Period | str | None = None) -> str:
    url = reverse("targets:list", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?{urlencode({'period': str(period)})}" if period else url


class TargetListView(TenantPageMixin, ListView):
    """The targets of a period (default: the current quarter) with attainment bars and pace."""

    model = Target
    partner_field = "partner"
    nav_section = "targets"
    paginate_by = 50
    template_name = "targets/target_list.html"

    def selected_period(self) -> Period:
        self.today = tenant_today(self.tenant)
        default = Period.containing(self.today, PeriodKind.QUARTER)
        text = self.request.GET.get("period", "").strip()
        if not text:
            return default
        try:
            return Period.parse(text)
        except ValueError as error:
            messages.error(self.request, str(error))
            return default

    def narrow_queryset(self, queryset):
        self.scoped = queryset
        self.period = self.selected_period()
        data = {**self.request.GET.dict(), "period": str(self.period)}
        self.filterset = TargetFilter(data, queryset=queryset.select_related("partner", "goal"))
        return self.filterset.qs if self.filterset.is_valid() else queryset.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        everything = list(self.object_list)
        figures = calculations.figures(everything, self.today)
        context.update(
            period=self.period,
            today=self.today,
            periods=selectors.target_periods(self.scoped, include=self.period),
            metrics=Metric.choices,
            filter=self.filterset,
            summary=summarise(everything, figures),
            rows=rows_of(context["object_list"], figures),
        )
        return context


class MyTargetsView(TenantPageMixin, ListView):
    """The partner portal's “our targets”: its own targets with attainment and pace (vendors: the full list)."""

    model = Target
    partner_field = "partner"
    nav_section = "targets"
    paginate_by = 50
    template_name = "targets/mine.html"

    def get(self, request, *args, **kwargs):
        if self.membership.is_vendor_side:
            return redirect(targets_url(self.tenant))
        return super().get(request, *args, **kwargs)

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner").order_by("-starts_on", "ends_on", "metric")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        page = list(context["object_list"])
        figures = calculations.figures(page, today)
        rows = rows_of(page, figures)
        context.update(
            today=today,
            partner=self.membership.partner,
            current=[row for row in rows if row.target.starts_on <= today <= row.target.ends_on],
            other=[row for row in rows if not row.target.starts_on <= today <= row.target.ends_on],
        )
        return context


class TargetFormPage(TenantPageMixin, SingleObjectMixin, FormView):
    """The target form. A value far from last period's actual (SPEC §4.2) is shown and must be confirmed."""

    model = Target
    partner_field = "partner"
    nav_section = "targets"
    capability = Capability.MANAGE_TARGETS
    form_class = TargetForm
    template_name = "targets/target_form.html"
    object = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partners": visible_partners(self.membership).order_by("code")}

    def needs_check(self, form) -> bool:
        return True

    def form_valid(self, form):
        data = form.cleaned_data
        check = calculations.smart_check(
            partner_id=data["partner"].pk,
            metric=data["metric"],
            period=Period.parse(data["period"]),
            value=data["value"],
        )
        if self.needs_check(form) and check.warnings and not form.is_confirmed():
            form.data = form.data.copy()
            form.data["confirmed"] = form.fingerprint()
            return self.render_to_response(self.get_context_data(form=form, smart=check))
        try:
            target = self.save(form)
        except (ValidationError, ApplicationError) as error:
            apply_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Target saved."))
        for note in check.notes:
            messages.info(self.request, note)
        return HttpResponseRedirect(targets_url(self.tenant, target.period))

    def save(self, form) -> Target:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = targets_url(self.tenant, self.object.period if self.object else None)
        return context


class TargetCreateView(TargetFormPage):
    def get_initial(self):
        today = tenant_today(self.tenant)
        initial = {"period": str(Period.containing(today, PeriodKind.QUARTER)), "metric": Metric.SALES}
        for name in ("partner", "metric", "period", "goal"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def save(self, form) -> Target:
        data = {key: value for key, value in form.cleaned_data.items() if key != "confirmed"}
        return services.target_create(**data)


class TargetEditView(ObjectLoadedMixin, TargetFormPage):
    """Edit a target (``pk``); the SMART check runs when its partner, metric, period or value change."""

    def get_initial(self):
        return TargetForm.initial_for(self.object)

    def needs_check(self, form) -> bool:
        data, target = form.cleaned_data, self.object
        before = (target.partner_id, target.metric, target.period, target.value)
        return before != (data["partner"].pk, data["metric"], data["period"], data["value"])

    def save(self, form) -> Target:
        data = {key: value for key, value in form.cleaned_data.items() if key != "confirmed"}
        return services.target_update(target=self.object, **data)
