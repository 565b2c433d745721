"""Row-level security: the wall under the wall (SPEC §2).

Every tenant-owned table gets a policy that shows only the rows of the tenant named by
the session setting ``qudao.tenant_id``. The setting follows the tenant scope: entering
a scope sets it on the open connection (or on the next one opened), leaving clears it.
With no tenant in scope (migrations, cross-tenant jobs) the policy shows every row; in a
scope, even a raw query that forgot its filter sees nothing of another tenant.
The application must connect as a role that is not a superuser (superusers bypass RLS).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.dispatch import receiver

SETTING = "qudao.tenant_id"
POLICY = "tenant_wall"


def _set(connection, tenant_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, "" if tenant_id is None else str(tenant_id)])


def apply_database_scope(tenant) -> None:
    """Mirror the scope onto the open connection; a new connection picks it up when it opens."""
    conn = default_connection
    if conn.connection is None or conn.needs_rollback:
        return
    _set(conn, tenant.pk if tenant is not None else None)


@receiver(connection_created)
def _scope_new_connection(sender, connection, **kwargs) -> None:
    from .context import current_tenant

    tenant = current_tenant()
    if tenant is not None:
        _set(connection, tenant.pk)


def tenant_owned_tables() -> list[str]:
    from .models import TenantOwned

    return sorted(
        model._meta.db_table for model in apps.get_models() if issubclass(model, TenantOwned) and not model._meta.proxy
    )


def install_policies(connection) -> None:
    """Idempotent: enable and force RLS and (re)create the policy on every tenant-owned table."""
    # Scalar subqueries become InitPlans: the setting is read once per statement, not once per row.
    scope = f"(SELECT NULLIF(current_setting('{SETTING}', true), '')::bigint)"
    expression = f"{scope} IS NULL OR tenant_id = {scope}"
    with connection.cursor() as cursor:
        for table in tenant_owned_tables():
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            cursor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
            cursor.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({expression}) WITH CHECK ({expression})')


@receiver(post_migrate)
def _install_after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    if sender.name != "tenancy":
        return
    install_policies(connections[using])
