"""The communication pages: announcements, business reviews, tickets, satisfaction and the settings.

Both sides use them: a partner-side member sees what is addressed to its own partner (another
partner's review or ticket is a 404), and never the vendor's copy of a review's figures.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from common.dates import tenant_today
from common.errors import ApplicationError
from common.periods import Period
from tenancy.access import visible_partners
from tenancy.pages import ServiceFormMixin, TenantPageMixin
from tenancy.roles import VENDOR_ROLES, Capability

from . import calculations, selectors, services
from .filters import AnnouncementFilter, ReviewFilter, TicketFilter
from .forms import (
    ActionItemForm,
    ActionUpdateForm,
    AnnouncementForm,
    CloseForm,
    MessageForm,
    PulseForm,
    ReviewEditForm,
    ReviewForm,
    SettingsForm,
    TicketForm,
)
from .models import ActionItem, Announcement, CommunicationSettings, Pulse, Review, Side, Ticket, TicketMessage
from .rendering import render_markdown


def url_of(name: str, tenant, **kwargs) -> str:
    return reverse(f"communication:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def error_text(error, form=None) -> str:
    """What went wrong, in words: the form's own errors first, else the service's."""
    if form is not None and form.errors:
        return " ".join(str(message) for errors in form.errors.values() for message in errors)
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


class ActionView(TenantPageMixin, SingleObjectMixin, View):
    """POST a form about one object (``pk``) to a service, then back to a page with what happened."""

    http_method_names = ["post"]
    form_class: type | None = None
    done_message = ""

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, request.FILES) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            self.act(form.cleaned_data if form is not None else {})
        except (ValidationError, ApplicationError) as error:
            messages.error(request, error_text(error, form))
        else:
            messages.success(request, str(self.done_message))
        return HttpResponseRedirect(self.next_url())

    def act(self, data: dict) -> None:
        raise NotImplementedError

    def next_url(self) -> str:
        raise NotImplementedError


# --- announcements -------------------------------------------------------------------------------


class AnnouncementMixin:
    model = Announcement
    partner_field = None  # addressed to many partners: narrowed to the reader's own below
    nav_section = "announcements"

    def narrow_queryset(self, queryset):
        return queryset.filter(pk__in=selectors.announcements_for(self.membership).values("pk"))


class AnnouncementListView(AnnouncementMixin, TenantPageMixin, ListView):
    """Every announcement (the vendor: with read and acknowledged rates); a partner sees those addressed to it."""

    paginate_by = 25
    template_name = "communication/announcement_list.html"

    def narrow_queryset(self, queryset):
        queryset = super().narrow_queryset(queryset).select_related("published_by")
        if self.membership.is_partner_side:
            queryset = selectors.with_own_receipt(queryset, self.membership)
        else:
            queryset = selectors.with_counts(queryset)
        self.filterset = AnnouncementFilter(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs.order_by("-published_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["may_publish"] = self.can(Capability.MANAGE_COMMUNICATION)
        return context


class AnnouncementCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Announcement
    partner_field = None
    nav_section = "announcements"
    capability = Capability.MANAGE_COMMUNICATION
    form_class = AnnouncementForm
    template_name = "communication/announcement_form.html"

    def call_service(self, form):
        data = form.cleaned_data
        return services.announcement_publish(
            actor=self.request.user,
            title=data["title"],
            body=data["body"],
            audience=data["audience"],
            audience_values=form.audience_values(),
            requires_acknowledgement=data["requires_acknowledgement"],
        )

    def get_success_message(self):
        return _("Published to %(count)d partners.") % {"count": self.result.audience_rows.count()}

    def get_success_url(self):
        return url_of("announcement", self.tenant, pk=self.result.pk)


class AnnouncementDetailView(AnnouncementMixin, TenantPageMixin, DetailView):
    """The announcement. A partner's reading is recorded; the vendor sees who read and acknowledged it, and who not."""

    template_name = "communication/announcement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        announcement = self.object
        context["body_html"] = render_markdown(announcement.body)
        if self.membership.is_partner_side:
            context["receipt"] = services.announcement_read(member=self.membership, announcement=announcement)
            return context
        readers = selectors.readers_of(announcement)
        show = self.request.GET.get("show", "")
        if show == "unread":
            readers = readers.filter(read_at__isnull=True)
        elif show == "unacknowledged":
            readers = readers.filter(acknowledged_at__isnull=True)
        counts = selectors.with_counts(Announcement.objects.filter(pk=announcement.pk)).get()
        context.update(
            counts=counts,
            read_rate=_rate(counts.read_count, counts.reader_count),
            acknowledged_rate=_rate(counts.acknowledged_count, counts.reader_count),
            readers=readers[:500],
            show=show,
        )
        return context


def _rate(part: int, whole: int):
    from decimal import ROUND_HALF_UP, Decimal

    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class AnnouncementAcknowledgeView(AnnouncementMixin, ActionView):
    capability = Capability.GIVE_FEEDBACK
    done_message = gettext_lazy("Thank you: your acknowledgement is recorded.")

    def act(self, data):
        services.announcement_acknowledge(member=self.membership, announcement=self.object)

    def next_url(self):
        return url_of("announcement", self.tenant, pk=self.object.pk)


# --- business reviews ----------------------------------------------------------------------------


class ReviewMixin:
    model = Review
    partner_field = "partner"
    nav_section = "reviews"


class ReviewListView(ReviewMixin, TenantPageMixin, ListView):
    paginate_by = 25
    template_name = "communication/review_list.html"

    def narrow_queryset(self, queryset):
        queryset = queryset.select_related("partner")
        self.filterset = ReviewFilter(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs.order_by("-held_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = tenant_today(self.tenant)
        context.update(
            filter=self.filterset,
            may_schedule=self.can(Capability.MANAGE_COMMUNICATION),
            overdue=selectors.overdue_actions(self.membership, today=today).filter(
                partner__in=visible_partners(self.membership)
            )[:20],
            today=today,
        )
        return context


class ReviewCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Review
    partner_field = "partner"
    nav_section = "reviews"
    capability = Capability.MANAGE_COMMUNICATION
    form_class = ReviewForm
    template_name = "communication/review_form.html"
    success_message = gettext_lazy("Review scheduled; the period's figures are kept with it.")

    def get_form_kwargs(self):
        partners = visible_partners(self.membership).order_by("code")
        return {**super().get_form_kwargs(), "partners": partners}

    def get_initial(self):
        today = tenant_today(self.tenant)
        quarter = Period.containing(today, "quarter").previous()
        initial = {"period": str(quarter), "held_on": today}
        partner = self.request.GET.get("partner", "")
        if partner.isdigit() and len(partner) < 19:
            initial["partner"] = partner
        return initial

    def call_service(self, form):
        data = form.cleaned_data
        return services.review_schedule(
            actor=self.request.user, partner=data["partner"], period=data["period"], held_on=data["held_on"],
            attendees=data["attendees"],
        )  # fmt: skip

    def get_success_url(self):
        return url_of("review", self.tenant, pk=self.result.pk)


class ReviewDetailView(ReviewMixin, TenantPageMixin, DetailView):
    """A review: the figures kept with it (the open alerts on the vendor's copy only), minutes and action items."""

    template_name = "communication/review_detail.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.object
        today = tenant_today(self.tenant)
        actions = list(review.actions.select_related("owner__user", "changed_by"))
        side = Side.PARTNER if self.membership.is_partner_side else Side.VENDOR
        context.update(
            actions=[(item, item.is_overdue(today), self._may_update(item, side)) for item in actions],
            may_edit=self.can(Capability.MANAGE_COMMUNICATION),
            action_form=ActionItemForm(
                owners=selectors.owner_choices(review.partner, Side.PARTNER)
                | selectors.owner_choices(review.partner, Side.VENDOR)
            ),
            update_form=ActionUpdateForm(),
            show_vendor_figures=self.membership.is_vendor_side,
            targets=figure_targets(review.figures),
            aging=figure_aging(review.figures),
            alerts=figure_alerts(review.vendor_figures) if self.membership.is_vendor_side else [],
            period_label=Period.parse(review.period, within_limits=False).label,
            today=today,
        )
        return context

    def _may_update(self, item: ActionItem, side: str) -> bool:
        if self.can(Capability.MANAGE_COMMUNICATION):
            return True
        return self.can(Capability.CONVERSE) and item.owner_side == side


AGING_LABELS = {
    "current": gettext_lazy("Current"),
    "days_1_30": gettext_lazy("1–30 days"),
    "days_31_60": gettext_lazy("31–60 days"),
    "days_61_90": gettext_lazy("61–90 days"),
    "days_over_90": gettext_lazy("Over 90 days"),
}


def figure_targets(figures: dict) -> list[dict]:
    from decimal import Decimal

    from targets.models import Metric

    metrics = dict(Metric.choices)
    return [
        {**target, "metric_label": metrics.get(target["metric"], target["metric"]),
         "attainment_value": Decimal(target["attainment"])}
        for target in figures.get("targets", [])
    ]  # fmt: skip


def figure_aging(figures: dict) -> list[tuple[str, str]]:
    return [(AGING_LABELS.get(name, name), amount) for name, amount in figures.get("aging", {}).items()]


def figure_alerts(vendor_figures: dict) -> list[dict]:
    from risk.models import AlertRule, Severity

    rules, severities = dict(AlertRule.choices), dict(Severity.choices)
    return [
        {**alert, "rule_label": rules.get(alert["rule"], alert["rule"]),
         "severity_label": severities.get(alert["severity"], alert["severity"])}
        for alert in vendor_figures.get("open_alerts", [])
    ]  # fmt: skip


class ReviewEditView(ReviewMixin, ServiceFormMixin, TenantPageMixin, SingleObjectMixin, FormView):
    capability = Capability.MANAGE_COMMUNICATION
    form_class = ReviewEditForm
    template_name = "communication/review_edit.html"
    success_message = gettext_lazy("Review saved.")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"held_on": self.object.held_on, "attendees": self.object.attendees, "minutes": self.object.minutes}

    def call_service(self, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.review_update(review=self.object, **changes)

    def get_success_url(self):
        return url_of("review", self.tenant, pk=self.object.pk)


def review_ics(review: Review, tenant) -> str:
    """The review and its open action items as all-day calendar events."""
    partner = review.partner
    period = Period.parse(review.period, within_limits=False).label
    events = [
        calculations.CalendarEvent(
            uid=f"review-{review.pk}@{tenant.slug}.qudao",
            day=review.held_on,
            summary=_("Business review: %(code)s %(name)s, %(period)s")
            % {"code": partner.code, "name": partner.name, "period": period},
            description="\n".join(filter(None, [review.attendees, review.minutes]))[:4000],
            stamp=review.updated_at,
        )
    ]
    for item in review.actions.filter(status="open"):
        events.append(
            calculations.CalendarEvent(
                uid=f"action-{item.pk}@{tenant.slug}.qudao",
                day=item.due_on,
                summary=_("Action due (%(side)s): %(title)s")
                % {"side": item.get_owner_side_display(), "title": item.title},
                stamp=item.updated_at,
            )
        )
    return calculations.ics_calendar(events, name=str(partner.name))


class ReviewIcsView(ReviewMixin, TenantPageMixin, SingleObjectMixin, View):
    """The review as an ``.ics`` file (RFC 5545) for a calendar."""

    def get(self, request, *args, **kwargs):
        review = self.get_object()
        response = HttpResponse(review_ics(review, self.tenant), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="review-{review.partner.code}-{review.period}.ics"'
        return response


class ActionItemCreateView(ReviewMixin, ActionView):
    """POST a new action item on the review ``pk``."""

    capability = Capability.MANAGE_COMMUNICATION
    done_message = gettext_lazy("Action item added.")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        owners = selectors.owner_choices(self.object.partner, Side.PARTNER) | selectors.owner_choices(
            self.object.partner, Side.VENDOR
        )
        form = ActionItemForm(request.POST, owners=owners)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            services.action_item_create(actor=request.user, review=self.object, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, error_text(error, form))
        else:
            messages.success(request, str(self.done_message))
        return HttpResponseRedirect(url_of("review", self.tenant, pk=self.object.pk))


class ActionItemUpdateView(ActionView):
    """POST a new status (and note) of an action item; a partner-side member, of its own side's items only."""

    model = ActionItem
    partner_field = "partner"
    nav_section = "reviews"
    capability = Capability.CONVERSE
    form_class = ActionUpdateForm
    done_message = gettext_lazy("Action item updated.")

    def act(self, data):
        services.action_item_update(actor=self.membership, item=self.object, status=data["status"], note=data["note"])

    def next_url(self):
        return url_of("review", self.tenant, pk=self.object.review_id)


# --- tickets -------------------------------------------------------------------------------------


class TicketMixin:
    model = Ticket
    partner_field = "partner"
    nav_section = "tickets"


class TicketListView(TicketMixin, TenantPageMixin, ListView):
    paginate_by = 25
    template_name = "communication/ticket_list.html"

    def narrow_queryset(self, queryset):
        queryset = queryset.select_related("partner")
        self.scoped = queryset
        self.filterset = TicketFilter(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs.order_by("-opened_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = selectors.settings_of(self.tenant)
        context.update(
            filter=self.filterset,
            counts=selectors.ticket_counts(self.scoped),
            breached_count=selectors.breached(self.scoped).count(),
            sla_hours=settings.ticket_sla_hours,
            now=timezone.now(),
            may_open=self.can(Capability.GIVE_FEEDBACK),
            statuses=TicketFilter.base_filters["status"].extra["choices"],
            categories=TicketFilter.base_filters["category"].extra["choices"],
        )
        return context


class TicketCreateView(ServiceFormMixin, TenantPageMixin, FormView):
    model = Ticket
    partner_field = "partner"
    nav_section = "tickets"
    capability = Capability.GIVE_FEEDBACK
    form_class = TicketForm
    template_name = "communication/ticket_form.html"
    success_message = gettext_lazy("Ticket opened. We will answer soon.")

    def call_service(self, form):
        return services.ticket_open(actor=self.membership, **form.cleaned_data)

    def get_success_url(self):
        return url_of("ticket", self.tenant, pk=self.result.pk)


class TicketDetailView(TicketMixin, TenantPageMixin, DetailView):
    template_name = "communication/ticket_detail.html"

    def narrow_queryset(self, queryset):
        return queryset.select_related("partner", "opened_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.object
        now = timezone.now()
        context.update(
            ticket_messages=ticket.messages.select_related("author"),
            changes=ticket.status_changes.select_related("actor"),
            message_form=MessageForm(),
            close_form=CloseForm(),
            may_write=self.can(Capability.CONVERSE),
            waited=calculations.time_to_first_answer(ticket.opened_at, ticket.first_answered_at),
            is_breached=calculations.breaches_sla(
                answer_due_at=ticket.answer_due_at, first_answered_at=ticket.first_answered_at, now=now
            ),
        )
        return context


class TicketReplyView(TicketMixin, ActionView):
    capability = Capability.CONVERSE
    form_class = MessageForm
    done_message = gettext_lazy("Message sent.")

    def act(self, data):
        services.ticket_message_add(actor=self.membership, ticket=self.object, **data)

    def next_url(self):
        return url_of("ticket", self.tenant, pk=self.object.pk)


class TicketCloseView(TicketMixin, ActionView):
    capability = Capability.CONVERSE
    form_class = CloseForm
    done_message = gettext_lazy("Ticket closed.")

    def act(self, data):
        rating = data.get("rating") if self.membership.is_partner_side else None
        services.ticket_close(actor=self.membership, ticket=self.object, rating=rating)

    def next_url(self):
        return url_of("ticket", self.tenant, pk=self.object.pk)


class TicketAttachmentView(TenantPageMixin, SingleObjectMixin, View):
    """A message's file, to the members who may see the ticket (never served publicly)."""

    model = TicketMessage
    partner_field = "partner"
    nav_section = "tickets"

    def get(self, request, *args, **kwargs):
        message = self.get_object()
        if not message.attachment:
            raise Http404
        return FileResponse(
            message.attachment.open("rb"), as_attachment=True,
            filename=message.original_filename or message.attachment.name,
        )  # fmt: skip


# --- satisfaction --------------------------------------------------------------------------------


def chart_number(value) -> float | None:
    """A figure for Chart.js (JSON has no Decimal); shown only, never computed with."""
    return None if value is None else float(value)


class SatisfactionView(TenantPageMixin, ListView):
    """The partner-satisfaction figure per quarter, overall and per tier, beside the ticket ratings."""

    model = Pulse
    partner_field = None
    read_roles = VENDOR_ROLES
    nav_section = "satisfaction"
    template_name = "communication/satisfaction.html"

    def narrow_queryset(self, queryset):
        return queryset.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = selectors.satisfaction_report(tenant=self.tenant)
        labels = [Period.parse(quarter, within_limits=False).label for quarter in report.quarters]
        chart = {
            "labels": labels,
            "overall": [chart_number(report.overall[q].figure) for q in report.quarters],
            "mean": [chart_number(report.overall[q].mean) for q in report.quarters],
            "ratings": [chart_number(report.ratings[q]) for q in report.quarters],
            "tiers": [
                {"name": tier.name, "values": [chart_number(figures[q].figure) for q in report.quarters]}
                for tier, figures in report.by_tier
            ],
        }
        table = [
            {
                "label": label,
                "overall": report.overall[quarter],
                "tiers": [figures[quarter] for _tier, figures in report.by_tier],
                "rating": report.ratings[quarter],
                "rating_count": report.rating_counts[quarter],
            }
            for quarter, label in zip(report.quarters, labels, strict=True)
        ]
        context.update(report=report, chart=chart, rows=table, table=table)
        return context


class PulseView(ServiceFormMixin, TenantPageMixin, FormView):
    """POST this quarter's answer (0–10) from the portal; back to where it was asked."""

    model = Pulse
    partner_field = "partner"
    capability = Capability.GIVE_FEEDBACK
    form_class = PulseForm
    http_method_names = ["post"]
    success_message = gettext_lazy("Thank you for your answer!")

    def call_service(self, form):
        return services.pulse_answer(actor=self.membership, **form.cleaned_data)

    def form_invalid(self, form):
        messages.error(self.request, error_text(None, form))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse("tenant-home", kwargs={"tenant_slug": self.tenant.slug})


# --- settings ------------------------------------------------------------------------------------


class SettingsView(ServiceFormMixin, TenantPageMixin, FormView):
    """The tenant's communication settings (administrators): the time to first answer of a ticket."""

    model = CommunicationSettings
    partner_field = None
    nav_section = "communication-settings"
    capability = Capability.MANAGE_SETTINGS
    form_class = SettingsForm
    template_name = "communication/settings.html"
    success_message = gettext_lazy("Saved.")

    def get_initial(self):
        return {"ticket_sla_hours": selectors.settings_of(self.tenant).ticket_sla_hours}

    def call_service(self, form):
        return services.settings_update(tenant=self.tenant, **form.cleaned_data)

    def get_success_url(self):
        return url_of("settings", self.tenant)
