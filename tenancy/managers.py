"""The fail-closed manager every tenant-owned model uses (after PostHog's scoping)."""

from __future__ import annotations

from django.db import models

from .context import (
    TenantScopeMissing,
    current_tenant,
    is_crossing_tenants,
    is_describing_only,
    is_user_scoped,
    require_tenant,
)


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        tenant = require_tenant()
        for obj in objs:
            if obj.tenant_id is None:
                obj.tenant_id = tenant.pk
            elif obj.tenant_id != tenant.pk:
                raise ValueError("bulk_create across tenants")
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Rows of the tenant in scope only; with no tenant in scope it raises."""

    def get_queryset(self) -> TenantQuerySet:
        if current_tenant() is None and is_describing_only():
            return super().get_queryset().none()
        tenant = require_tenant()
        return super().get_queryset().filter(tenant_id=tenant.pk)

    def none(self) -> TenantQuerySet:
        """Empty, scope or no scope: it shows nothing of any tenant (OpenAPI schema generation asks for one)."""
        return super().get_queryset().none()

    def unscoped(self) -> TenantQuerySet:
        """Without the manager's tenant filter: inside ``crossing_tenants()`` (every tenant's rows) or
        ``user_scope()`` (the signed-in user's own memberships and invitations). Say at the call site
        why. Anywhere else row-level security would show nothing, so asking is a bug: it raises."""
        if not (is_crossing_tenants() or is_user_scoped() or current_tenant() is not None):
            raise TenantScopeMissing(
                "unscoped() outside crossing_tenants() or user_scope() reads nothing: row-level security "
                "shows no tenant's rows there."
            )
        return super().get_queryset()
