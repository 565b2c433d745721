"""The notification pages.

Every member: the inbox (newest first, paginated; open one, mark one or all read) and the
preferences grid (which events reach them in the app and by e-mail). Administrators: the
tenant's webhooks (list, form, delete, a test message) and each webhook's delivery log.
Every page stands on ``TenantPageMixin``; every write is one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from tenancy.pages import ObjectFormPage, ServiceFormMixin, TenantPageMixin
from tenancy.roles import Capability, Role

from . import selectors, services
from .context_processors import unread_of
from .filters import DeliveryFilter, NotificationFilter
from .forms import ConfirmForm, PreferencesForm, WebhookForm
from .models import DeliveryStatus, Notification, Webhook

ADMINS = frozenset({Role.ADMIN})


def inbox_url(tenant) -> str:
    return reverse("notifications:inbox", kwargs={"tenant_slug": tenant.slug})


def webhook_url(tenant, webhook: Webhook) -> str:
    return reverse("notifications:webhook", kwargs={"tenant_slug": tenant.slug, "pk": webhook.pk})


# --- the inbox -------------------------------------------------------------------------------------


class InboxView(TenantPageMixin, ListView):
    """The member's own notifications; ``?unread=true`` for the unread ones only."""

    model = Notification
    partner_field = None  # narrowed to the member's own below
    nav_section = "notifications"
    paginate_by = 25
    template_name = "notifications/inbox.html"

    def narrow_queryset(self, queryset):
        own = queryset.filter(recipient=self.membership).order_by("-created_at", "-id")
        self.filterset = NotificationFilter(self.request.GET or None, queryset=own)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return own
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unread_only = self.filterset.is_bound and self.filterset.is_valid() and self.filterset.form.cleaned_data.get(
            "unread"
        )  # fmt: skip
        context.update(filter=self.filterset, unread_only=bool(unread_only), unread=unread_of(self.request))
        return context


class NotificationReadView(TenantPageMixin, SingleObjectMixin, View):
    """Mark one notification read; with ``open``, then go to what it is about."""

    model = Notification
    partner_field = None
    http_method_names = ["post"]

    def narrow_queryset(self, queryset):
        return queryset.filter(recipient=self.membership)

    def post(self, request, *args, **kwargs):
        notification = services.notification_read(membership=self.membership, notification_id=self.get_object().pk)
        target = notification.url
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
        if request.POST.get("open") and target and safe:
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(inbox_url(self.tenant))


class NotificationReadAllView(TenantPageMixin, View):
    model = Notification
    partner_field = None
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        marked = services.notifications_read_all(membership=self.membership)
        if marked:
            messages.success(request, _("All notifications are marked read."))
        return HttpResponseRedirect(inbox_url(self.tenant))


class PreferencesView(TenantPageMixin, FormView):
    """Which events reach the member in the app and by e-mail: a grid of checkboxes."""

    model = Notification
    partner_field = None
    nav_section = "notifications"
    form_class = PreferencesForm
    template_name = "notifications/preferences.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "grid": selectors.preferences_of(self.membership)}

    def form_valid(self, form):
        services.preferences_set(membership=self.membership, choices=form.choices())
        messages.success(self.request, _("Your notification settings are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences", kwargs={"tenant_slug": self.tenant.slug}))


# --- webhooks --------------------------------------------------------------------------------------


class WebhookListView(TenantPageMixin, ListView):
    model = Webhook
    partner_field = None
    read_roles = ADMINS
    nav_section = "webhooks"
    paginate_by = 25
    template_name = "notifications/webhook_list.html"

    def narrow_queryset(self, queryset):
        return queryset.order_by("name", "id")


class WebhookDetailView(TenantPageMixin, DetailView):
    """A webhook, what it sends, and its delivery log (``?status=failed``), newest first."""

    model = Webhook
    partner_field = None
    read_roles = ADMINS
    nav_section = "webhooks"
    template_name = "notifications/webhook_detail.html"
    context_object_name = "webhook"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log = selectors.deliveries_of(self.object)
        filterset = DeliveryFilter(self.request.GET or None, queryset=log)
        if not filterset.is_bound or filterset.is_valid():
            log = filterset.qs
        page = Paginator(log, 25).get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            deliveries=page.object_list,
            is_paginated=page.has_other_pages(),
            statuses=DeliveryStatus.choices,
            status=self.request.GET.get("status", ""),
        )
        return context


class WebhookFormPage(ServiceFormMixin, TenantPageMixin, FormView):
    model = Webhook
    partner_field = None
    read_roles = ADMINS
    capability = Capability.MANAGE_SETTINGS
    nav_section = "webhooks"
    form_class = WebhookForm
    template_name = "notifications/form.html"
    heading = ""
    object = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "webhook": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cancel = webhook_url(self.tenant, self.object) if self.object else reverse(
            "notifications:webhooks", kwargs={"tenant_slug": self.tenant.slug}
        )  # fmt: skip
        context.update(heading=self.heading, cancel_url=cancel)
        return context

    def get_success_url(self) -> str:
        return webhook_url(self.tenant, self.result)


class WebhookCreateView(WebhookFormPage):
    heading = gettext_lazy("New webhook")
    success_message = gettext_lazy("Webhook saved. Send it a test message to see that it works.")

    def call_service(self, form):
        return services.webhook_create(actor=self.membership, **form.cleaned_data)


class WebhookEditView(ObjectFormPage, WebhookFormPage):
    heading = gettext_lazy("Edit the webhook")
    success_message = gettext_lazy("Webhook saved.")

    def get_initial(self):
        return WebhookForm.initial_for(self.object)

    def call_service(self, form):
        return services.webhook_update(actor=self.membership, webhook=self.object, **form.cleaned_data)


class WebhookDeleteView(ObjectFormPage):
    model = Webhook
    partner_field = None
    read_roles = ADMINS
    capability = Capability.MANAGE_SETTINGS
    nav_section = "webhooks"
    form_class = ConfirmForm
    template_name = "notifications/form.html"
    success_message = gettext_lazy("Webhook deleted.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            heading=_("Delete the webhook “%(name)s”?") % {"name": self.object.name},
            subtitle=_("Its delivery log goes with it. Nothing more is sent to %(url)s.") % {"url": self.object.url},
            submit_label=_("Delete"),
            cancel_url=webhook_url(self.tenant, self.object),
        )
        return context

    def call_service(self, form):
        return services.webhook_delete(actor=self.membership, webhook=self.object)

    def get_success_url(self) -> str:
        return reverse("notifications:webhooks", kwargs={"tenant_slug": self.tenant.slug})


class WebhookTestView(ObjectFormPage):
    """Send a test message now; the page says what the receiver answered."""

    model = Webhook
    partner_field = None
    read_roles = ADMINS
    capability = Capability.MANAGE_SETTINGS
    nav_section = "webhooks"
    form_class = ConfirmForm
    template_name = "notifications/form.html"
    http_method_names = ["post"]

    def call_service(self, form):
        delivery = services.webhook_send_test(webhook=self.object, actor=self.membership)
        if delivery.status == DeliveryStatus.SENT:
            messages.success(
                self.request,
                _("The test message was delivered: the receiver answered %(status)s.") % {
                    "status": delivery.status_code or _("OK")},
            )  # fmt: skip
        else:
            messages.error(
                self.request,
                _("The test message was not delivered: %(error)s") % {"error": delivery.error or delivery.answer},
            )
        return delivery

    def get_success_url(self) -> str:
        return webhook_url(self.tenant, self.object)
