"""The rebate program pages: the list, a program's rules and versions, the form with its bracket table
and its "Preview on a past period" step (a what-if: nothing is saved until Save is pressed).
"""

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
from common.forms import PeriodField
from settlements.models import LineKind, StatementLine
from tenancy.pages import TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from .. import selectors, services
from ..filters import ProgramFilter
from ..forms import BracketFormSet, ProgramForm, bracket_initial, bracket_rows
from ..models import Basis, Method, PeriodChoice, RebateProgram
from ..words import describe_program, describe_tiers
from .common import apply_service_errors, paginate, visible_partner_ids

PREVIEW_ROWS = 50  # a preview shows the largest differences; its totals count every partner


def program_url(tenant, program: RebateProgram) -> str:
    return reverse("incentives:program", kwargs={"tenant_slug": tenant.slug, "pk": program.pk})


class ProgramListView(TenantPageMixin, ListView):
    """Every rebate program with its latest version: basis, method, period, tiers, version, in force today."""

    model = RebateProgram
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "programs"
    paginate_by = 25
    template_name = "incentives/program_list.html"

    def narrow_queryset(self, queryset):
        queryset = selectors.programs_with_latest(queryset).order_by("code")
        self.filterset = ProgramFilter(self.request.GET or None, queryset=queryset)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        names = selectors.tier_names()
        rows = []
        for program in context["object_list"]:
            version = selectors.latest_version(program)
            rows.append(
                {
                    "program": program,
                    "version": version,
                    "tiers": describe_tiers(version.tiers, names),
                    "in_force": version.in_force_on(today),
                }
            )
        context.update(
            rows=rows,
            filter=self.filterset,
            bases=Basis.choices,
            methods=Method.choices,
            periods=PeriodChoice.choices,
            tiers=names.items(),
            filtering=any(self.request.GET.get(name) for name in ProgramFilter.base_filters),
        )
        return context


class ProgramDetailView(TenantPageMixin, DetailView):
    """A program's rules as people read them; for vendor members its versions and a what-if.

    ``?version=n`` shows an earlier version's rules; ``?period=2026-Q1`` runs the shown version
    over that period (every partner's figures: vendor members only). Partner members see the
    programs of their tier only (another is a 404).
    """

    model = RebateProgram
    partner_field = None
    nav_section = "programs"
    template_name = "incentives/program_detail.html"
    context_object_name = "program"

    def narrow_queryset(self, queryset):
        return selectors.programs_visible_to(selectors.programs_with_latest(queryset), self.membership)

    def shown_version(self, program: RebateProgram):
        latest = selectors.latest_version(program)
        number = self.request.GET.get("version", "")
        if self.membership.is_vendor_side and number.isdigit() and int(number) != latest.number:
            return program.versions.filter(number=int(number)).first() or latest
        return latest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.object
        latest = selectors.latest_version(program)
        version = self.shown_version(program)
        context.update(
            version=version,
            latest=latest,
            rules=describe_program(version, currency=self.tenant.currency, tier_names=selectors.tier_names()),
            in_force=version.in_force_on(tenant_today(self.tenant)),
        )
        if self.membership.is_vendor_side:
            context.update(self.versions_context(program))
            context.update(self.what_if_context(version))
        return context

    def versions_context(self, program: RebateProgram) -> dict:
        paid = set(
            StatementLine.objects.filter(kind=LineKind.REBATE, source_code=program.code)
            .order_by()
            .values_list("source_version", flat=True)
            .distinct()
        )
        versions = program.versions.select_related("created_by", "changed_by").order_by("-number")
        page = paginate(self.request, versions, 10, "versions_page")
        return {"versions": page, "paid_versions": paid}

    def what_if_context(self, version) -> dict:
        today = tenant_today(self.tenant)
        period_field = PeriodField(required=False)
        text = self.request.GET.get("period", "").strip()
        context = {
            "what_if_period": text or str(services.last_complete_period(version.period_kind, today)),
            "what_if": None,
            "what_if_errors": [],
        }
        if not text:
            return context
        try:
            period = period_field.clean(text)
            result = services.program_what_if(
                period=period, today=today, version=version, partner_ids=visible_partner_ids(self.membership)
            )
        except ValidationError as error:
            context["what_if_errors"] = error.messages
            return context
        context.update(
            what_if=result,
            what_if_rows=paginate(self.request, result.rows, 25),
        )
        return context


class ProgramFormPage(TenantPageMixin, SingleObjectMixin, FormView):
    """The program form: identity, rules, a bracket table and an optional preview on a past period."""

    model = RebateProgram
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.MANAGE_PROGRAMS
    nav_section = "programs"
    form_class = ProgramForm
    template_name = "incentives/program_form.html"
    object = None
    version = None

    def get_initial(self):
        kind = "quarter"
        return {"period_kind": kind, "basis": "sales", "method": "retroactive", "starts_on": tenant_today(self.tenant)}

    def default_preview_period(self, period_kind: str) -> str:
        return str(services.last_complete_period(period_kind, tenant_today(self.tenant)))

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not form.is_bound:
            kind = form.initial.get("period_kind", "quarter")
            form.initial.setdefault("preview_period", self.default_preview_period(kind))
        return form

    def get(self, request, *args, **kwargs):
        self.load()
        return self.render(self.get_form(), BracketFormSet(prefix="brackets", initial=bracket_initial(self.version)))

    def post(self, request, *args, **kwargs):
        self.load()
        form = self.get_form()
        formset = BracketFormSet(request.POST, prefix="brackets")
        valid = [form.is_valid(), formset.is_valid()]
        if not all(valid):
            return self.render(form, formset)
        rules = form.rules(bracket_rows(formset))
        if request.POST.get("action") == "preview":
            return self.preview(form, formset, rules)
        try:
            program = self.save(form.identity(), rules)
        except (ValidationError, ApplicationError) as error:
            return self.render(form, formset, grouped=apply_service_errors(form, error))
        messages.success(request, self.saved_message(program))
        return HttpResponseRedirect(program_url(self.tenant, program))

    def preview(self, form, formset, rules: dict):
        """Run the form's rules over the chosen past period, and show the form again with the table."""
        code = self.object.code if self.object is not None else form.cleaned_data.get("code", "")
        try:
            result = services.program_what_if(
                period=form.cleaned_data.get("preview_period") or None,
                today=tenant_today(self.tenant),
                code=code,
                rules=rules,
                partner_ids=visible_partner_ids(self.membership),
            )
        except ValidationError as error:
            grouped = apply_service_errors(form, error, renamed={"period": "preview_period"})
            return self.render(form, formset, grouped=grouped)
        return self.render(form, formset, what_if=result)

    def render(self, form, formset, *, grouped: dict | None = None, what_if=None):
        context = self.get_context_data(form=form)
        context.update(
            brackets=formset,
            grouped=grouped or {},
            what_if=what_if,
            what_if_rows=what_if.rows[:PREVIEW_ROWS] if what_if else [],
            what_if_more=max(0, len(what_if.rows) - PREVIEW_ROWS) if what_if else 0,
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            context["cancel_url"] = program_url(self.tenant, self.object)
        else:
            context["cancel_url"] = reverse("incentives:programs", kwargs={"tenant_slug": self.tenant.slug})
        context["version"] = self.version
        return context

    def load(self) -> None:
        """Nothing to load for a new program."""


class ProgramCreateView(ProgramFormPage):
    def save(self, identity: dict, rules: dict) -> RebateProgram:
        return services.program_create(actor=self.request.user, **identity, **rules)

    def saved_message(self, program: RebateProgram) -> str:
        return _("Program %(name)s created (version 1).") % {"name": program.name}


class ProgramEditView(ProgramFormPage):
    def load(self) -> None:
        self.object = self.get_object()
        self.version = selectors.latest_version(self.object)

    def get_initial(self):
        return ProgramForm.initial_for(self.object, self.version)

    def save(self, identity: dict, rules: dict) -> RebateProgram:
        return services.program_update(actor=self.request.user, program=self.object, **identity, **rules)

    def saved_message(self, program: RebateProgram) -> str:
        if program.latest.number != self.version.number:
            return _("Version %(old)s has paid out, so it is kept as it was: the new rules are version %(new)s.") % {
                "old": self.version.number,
                "new": program.latest.number,
            }
        return _("Program %(name)s saved (version %(number)s).") % {
            "name": program.name,
            "number": program.latest.number,
        }
