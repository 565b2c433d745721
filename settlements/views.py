"""The settlement pages.

Vendor side: the runs (start one for a period, watch it with htmx, its outcome or why it
failed), the statements by period and status with their totals, and a statement with its
lines explained, its history and the actions the member's role may take. Partner side: “our
statements” and a statement with each line explained; its administrator may dispute a draft.
Every page stands on ``TenantPageMixin`` (scoping, 404 before 403); every write is one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from common.errors import ApplicationError
from common.money import format_money
from common.periods import Period
from tenancy.pages import ObjectFormPage, TenantPageMixin, apply_errors_to_form
from tenancy.roles import VENDOR_ROLES, Capability, role_can

from . import selectors
from .filters import StatementFilter
from .forms import AdjustmentForm, ApproveForm, DisputeForm, MarkPaidForm, ResolveForm, RunStartForm
from .models import LineKind, SettlementRun, Statement, StatementEvent, StatementStatus
from .services import statements as services
from .services.runs import settlement_run_start, settlement_runs_expire


def statement_url(tenant, statement: Statement) -> str:
    return reverse("settlements:statement", kwargs={"tenant_slug": tenant.slug, "pk": statement.pk})


# --- runs ---------------------------------------------------------------------------------------


class RunListView(TenantPageMixin, ListView):
    """The settlement runs, newest first, with the form that starts one."""

    model = SettlementRun
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "settlement-runs"
    paginate_by = 25
    template_name = "settlements/run_list.html"

    def get(self, request, *args, **kwargs):
        settlement_runs_expire()  # a run whose worker died shows as failed, with its reason
        return super().get(request, *args, **kwargs)

    def narrow_queryset(self, queryset):
        return queryset.select_related("started_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = [run.load_live_progress() for run in context["object_list"]]
        context["form"] = RunStartForm() if self.can(Capability.RUN_SETTLEMENTS) else None
        return context


class RunStartView(TenantPageMixin, FormView):
    """Start a run of a period: it computes as a task; its page shows how far it got."""

    model = SettlementRun
    partner_field = None
    read_roles = VENDOR_ROLES
    capability = Capability.RUN_SETTLEMENTS
    nav_section = "settlement-runs"
    form_class = RunStartForm
    template_name = "settlements/run_start.html"

    def form_valid(self, form):
        try:
            run = settlement_run_start(period=form.cleaned_data["period"], actor=self.request.user)
        except ApplicationError as error:
            apply_errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The settlement run of %(period)s has started.") % {
            "period": Period.parse(run.period).label})  # fmt: skip
        return redirect("settlements:run", tenant_slug=self.tenant.slug, pk=run.pk)


class RunDetailView(TenantPageMixin, DetailView):
    """A run's progress (polled with htmx while it is under way) and its outcome."""

    model = SettlementRun
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "settlement-runs"
    template_name = "settlements/run_detail.html"
    context_object_name = "run"

    def get(self, request, *args, **kwargs):
        settlement_runs_expire()
        return super().get(request, *args, **kwargs)

    def narrow_queryset(self, queryset):
        return queryset.select_related("started_by")

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["settlements/_run_progress.html"]
        return [self.template_name]

    def get_object(self, queryset=None):
        return super().get_object(queryset).load_live_progress()


# --- statements ---------------------------------------------------------------------------------


class StatementListView(TenantPageMixin, ListView):
    """Statements by period, status and partner (code or name), with their totals; partners: their own."""

    model = Statement
    partner_field = "partner"
    nav_section = "statements"
    paginate_by = 50
    template_name = "settlements/statement_list.html"

    def narrow_queryset(self, queryset):
        self.scoped = queryset
        self.filterset = StatementFilter(self.request.GET or None, queryset=queryset)
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        filtered = queryset.none() if invalid else self.filterset.qs
        self.filtered = filtered
        return selectors.statement_list(filtered)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        totals = selectors.statement_totals(self.filtered)
        context.update(
            filter=self.filterset,
            statuses=StatementStatus.choices,
            periods=sorted(set(self.scoped.order_by().values_list("period", flat=True).distinct()), reverse=True)[:40],
            totals=totals,
            status_counts=[(value, label, totals.by_status.get(value, 0)) for value, label in StatementStatus.choices],
            period=self.filterset.form.cleaned_data.get("period", "") if self.filterset.is_bound else "",
        )
        return context


class StatementDetailView(TenantPageMixin, DetailView):
    """A statement: partner, period, status, each line explained, the total, its history and the actions."""

    model = Statement
    partner_field = "partner"
    nav_section = "statements"
    template_name = "settlements/statement_detail.html"
    context_object_name = "statement"

    def narrow_queryset(self, queryset):
        return selectors.statement_with_history(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(statement_context(self.object, self.membership))
        return context


def statement_context(statement: Statement, membership) -> dict:
    """What a statement's page shows, in the reader's language; the vendor's people only to the vendor."""
    vendor = membership.is_vendor_side
    period = Period.parse(statement.period)
    lines = list(statement.lines.all())
    names = selectors.source_names(lines)
    rows = [
        {
            "line": line,
            "source": selectors.source_label(line, names, show_people=vendor),
            "explanation": selectors.line_explanation(line, period=period, currency=statement.currency),
        }
        for line in lines
    ]
    events = [
        {"event": event, "who": _event_actor(event, vendor=vendor), "about": _disputed_line(event, statement)}
        for event in statement.events.all()
    ]
    status = statement.status
    may_run = role_can(membership.role, Capability.RUN_SETTLEMENTS)
    return {
        "period": period,
        "rows": rows,
        "events": events,
        "may_approve": may_run and status == StatementStatus.DRAFT,
        "may_adjust": may_run and status in (StatementStatus.DRAFT, StatementStatus.DISPUTED),
        "may_resolve": may_run and status == StatementStatus.DISPUTED,
        "may_mark_paid": may_run and status == StatementStatus.APPROVED,
        "may_dispute": role_can(membership.role, Capability.DISPUTE_STATEMENTS) and status == StatementStatus.DRAFT,
        "approve_form": ApproveForm(),
    }


def _event_actor(event: StatementEvent, *, vendor: bool) -> str:
    if event.actor_id is None:
        return _("Settlement run")
    if vendor or event.action == StatementEvent.Action.DISPUTED:  # a dispute is the partner's own
        return event.actor.email
    return _("The vendor")


def _disputed_line(event: StatementEvent, statement: Statement) -> str:
    """“Rebate · RETRO v1 · ¥18,000.00”: the line a dispute was about, as it was then."""
    details = event.details or {}
    if event.action != StatementEvent.Action.DISPUTED or "kind" not in details:
        return ""
    kind = LineKind(details["kind"]).label if details["kind"] in LineKind.values else details["kind"]
    source = details.get("source_code") or "—"
    if details.get("source_version") is not None:
        source = _("%(source)s v%(version)s") % {"source": source, "version": details["source_version"]}
    return f"{kind} · {source} · {format_money(details.get('amount'), statement.currency)}"


class StatementActionView(ObjectFormPage):
    """A form about one statement that calls one service, then goes back to the statement."""

    model = Statement
    partner_field = "partner"
    nav_section = "statements"
    template_name = "settlements/statement_action.html"
    heading = ""
    submit_label = gettext_lazy("Save")

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner")

    def get_success_url(self) -> str:
        return statement_url(self.tenant, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = self.object
        context.update(
            statement=statement,
            heading=self.heading,
            submit_label=self.submit_label,
            cancel_url=statement_url(self.tenant, statement),
            subtitle=_("%(code)s %(name)s · %(period)s · total %(total)s")
            % {
                "code": statement.partner.code,
                "name": statement.partner.name,
                "period": Period.parse(statement.period).label,
                "total": format_money(statement.total, statement.currency),
            },
        )
        return context


class StatementApproveView(StatementActionView):
    capability = Capability.RUN_SETTLEMENTS
    form_class = ApproveForm
    heading = gettext_lazy("Approve the statement")
    submit_label = gettext_lazy("Approve")
    success_message = gettext_lazy("Statement approved.")

    def call_service(self, form):
        return services.statement_approve(statement=self.object, actor=self.request.user)


class StatementDisputeView(StatementActionView):
    capability = Capability.DISPUTE_STATEMENTS
    form_class = DisputeForm
    heading = gettext_lazy("Dispute the statement")
    submit_label = gettext_lazy("Send the dispute")
    success_message = gettext_lazy("Your dispute was sent; finance will answer it.")

    def get_form_kwargs(self):
        statement = self.object
        lines = [
            (line.pk, f"{line.get_kind_display()} · {line.source_code or '—'} · "
                      f"{format_money(line.amount, statement.currency)}")
            for line in statement.lines.all()
        ]  # fmt: skip
        return {**super().get_form_kwargs(), "lines": lines}

    def call_service(self, form):
        return services.statement_dispute(statement=self.object, reason=form.cleaned_data["reason"],
                                          line_id=form.cleaned_data["line"], actor=self.request.user)  # fmt: skip


class StatementResolveView(StatementActionView):
    capability = Capability.RUN_SETTLEMENTS
    form_class = ResolveForm
    heading = gettext_lazy("Resolve the dispute")
    submit_label = gettext_lazy("Resolve, back to draft")
    success_message = gettext_lazy("The dispute is resolved; the statement is a draft again.")

    def call_service(self, form):
        return services.statement_resolve(statement=self.object, note=form.cleaned_data["note"],
                                          actor=self.request.user)  # fmt: skip


class StatementMarkPaidView(StatementActionView):
    capability = Capability.RUN_SETTLEMENTS
    form_class = MarkPaidForm
    heading = gettext_lazy("Mark the statement paid")
    submit_label = gettext_lazy("Mark paid")
    success_message = gettext_lazy("Statement marked paid.")

    def call_service(self, form):
        return services.statement_mark_paid(statement=self.object,
                                            payment_reference=form.cleaned_data["payment_reference"],
                                            actor=self.request.user)  # fmt: skip


class StatementAdjustView(StatementActionView):
    capability = Capability.RUN_SETTLEMENTS
    form_class = AdjustmentForm
    heading = gettext_lazy("Add an adjustment")
    submit_label = gettext_lazy("Add the adjustment")
    success_message = gettext_lazy("Adjustment added; the total is recomputed.")

    def call_service(self, form):
        return services.statement_adjust(statement=self.object, amount=form.cleaned_data["amount"],
                                         reason=form.cleaned_data["reason"], actor=self.request.user)  # fmt: skip
