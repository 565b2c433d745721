"""The one base every tenant API viewset stands on: it owns scoping and access.

Subclasses name their ``model``, where a row's partner is (``partner_field``) and which
capability a write needs; they may narrow the scoped queryset in ``narrow_queryset`` but
cannot override ``get_queryset``/``get_object`` (after PostHog's TeamAndOrgViewSetMixin).
"""

from __future__ import annotations

import pghistory
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from tenancy.access import membership_for, restrict_to_visible_partners
from tenancy.roles import role_can

from .schema import TenantAutoSchema

PROTECTED = ("get_queryset", "get_object", "initial")


class TenantViewSet(viewsets.GenericViewSet):
    model = None
    schema = TenantAutoSchema()
    partner_field: str | None = "partner"
    write_capability: str | None = None
    action_capabilities: dict[str, str] = {}
    read_roles: frozenset[str] | None = None  # None: every member may read

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in PROTECTED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} must not override {name}: narrow_queryset is the hook")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.tenant = request._request.tenant
        self.membership = membership_for(request.user, self.tenant)
        request.membership = self.membership
        pghistory.context(user=request.user.pk)
        allowed = self.may_proceed()
        if self.lookup_url_kwarg_value() is not None and (not allowed or self.request.method not in SAFE_METHODS):
            self.get_object()  # another tenant's or partner's object is a 404 before any 403 or 400
        if not allowed:
            raise PermissionDenied()

    def may_proceed(self) -> bool:
        """Whether the member's role may read this resource and do this action (403 if not)."""
        if self.read_roles is not None and self.membership.role not in self.read_roles:
            return False
        try:
            capability = self.required_capability()
        except PermissionDenied:
            return False
        return capability is None or role_can(self.membership.role, capability)

    def lookup_url_kwarg_value(self):
        return self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)

    def required_capability(self) -> str | None:
        if self.action in self.action_capabilities:
            return self.action_capabilities[self.action]
        if self.request.method in SAFE_METHODS:
            return None
        if self.write_capability is None:
            raise PermissionDenied()
        return self.write_capability

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no tenant
            return self.model._base_manager.none()
        queryset = self.model.objects.all()
        queryset = restrict_to_visible_partners(queryset, self.membership, self.partner_field)
        return self.narrow_queryset(queryset)

    def narrow_queryset(self, queryset):
        return queryset

    def get_object(self):
        return super().get_object()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["membership"] = getattr(self, "membership", None)
        context["tenant"] = getattr(self, "tenant", None)
        return context
