"""The fail-closed manager every tenant-owned model uses (after PostHog's scoping)."""

from __future__ import annotations

from django.db import models

from .context import current_tenant, is_describing_only, require_tenant


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
        """Every tenant's rows. Say at the call site why crossing tenants is right there."""
        return super().get_queryset()
