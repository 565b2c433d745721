"""The one base every tenant page stands on: login, membership (404), role (403), scoping.

Like the API's ``TenantViewSet``: subclasses name their ``model``, ``partner_field`` and the
``capability`` a write needs, may narrow the scoped queryset in ``narrow_queryset``, and
cannot override ``get_queryset``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseRedirect
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from common.errors import ApplicationError

from .access import membership_for, restrict_to_visible_partners
from .roles import role_can


class TenantPageMixin(LoginRequiredMixin):
    model = None
    partner_field: str | None = "partner"
    capability: str | None = None  # needed for every method when set (form pages)
    read_roles: frozenset[str] | None = None
    object_first = True  # a detail page resolves its object (404) before any 403

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__ and not cls.__dict__.get("allow_get_queryset_override"):
            raise TypeError(f"{cls.__name__} must not override get_queryset: narrow_queryset is the hook")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.tenant = request.tenant
        self.membership = membership_for(request.user, request.tenant)
        request.membership = self.membership
        may_read = self.read_roles is None or self.membership.role in self.read_roles
        may_act = self.capability is None or role_can(self.membership.role, self.capability)
        if not (may_read and may_act):
            if self.object_first and "pk" in kwargs and hasattr(self, "get_object"):
                self.get_object()  # another tenant's or partner's object is a 404 before any 403
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = self.model.objects.all()
        queryset = restrict_to_visible_partners(queryset, self.membership, self.partner_field)
        return self.narrow_queryset(queryset)

    def narrow_queryset(self, queryset):
        return queryset

    def can(self, capability: str) -> bool:
        return role_can(self.membership.role, capability)


def apply_errors_to_form(form, error: Exception) -> None:
    """Show a service's error on the form, field by field where it names fields."""
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.messages)
    elif isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    else:
        raise error


class ServiceFormMixin:
    """A form page whose valid form goes to one service; the service's errors go back on the form."""

    success_message = ""

    def call_service(self, form) -> object:
        raise NotImplementedError

    def get_success_message(self) -> str:
        return str(self.success_message)

    def form_valid(self, form):
        try:
            self.result = self.call_service(form)
        except (DjangoValidationError, ApplicationError) as error:
            apply_errors_to_form(form, error)
            return self.form_invalid(form)
        message = self.get_success_message()
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class ObjectLoadedMixin(SingleObjectMixin):
    """A page about one object named by ``pk``: it is loaded, scoped, before GET and POST."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)


class ObjectFormPage(ServiceFormMixin, TenantPageMixin, ObjectLoadedMixin, FormView):
    """A form about one object of ``model``, named by ``pk`` in the URL (404 before 403)."""
