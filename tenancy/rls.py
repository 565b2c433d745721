"""Row-level security: the wall under the wall (SPEC §2), fail-closed.

Every table with a ``tenant_id`` column — found in the catalog, so history tables and
tables added later are covered too — gets a forced policy that shows only the rows of the
tenant named by the transaction-local setting ``qudao.tenant_id``. No setting, no rows.

The settings are written only by ``tenancy.context`` and only with ``set_config(…, true)``
inside a transaction, so they end with it:

- ``qudao.tenant_id``: the tenant in scope (``tenant_scope``);
- ``qudao.user_id``: the signed-in user outside any tenant (``user_scope``), who may read
  their own memberships and invitations in every tenant, and the partners those name;
- ``qudao.all_tenants``: ``on`` inside ``crossing_tenants``, the one named path for work
  that must cross tenants (the nightly dispatcher, maintenance, tests).

The runtime role owns no table (it cannot ``ALTER TABLE … NO FORCE``, ``DROP POLICY`` or
``TRUNCATE``): the migrations run as the owner role, which grants it plain reads and
writes here, after every ``migrate``. ``tenancy.checks`` refuses a deployment whose runtime
role could bypass all this.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.dispatch import receiver

TENANT_SETTING = "qudao.tenant_id"
USER_SETTING = "qudao.user_id"
ALL_TENANTS_SETTING = "qudao.all_tenants"
POLICY = "tenant_wall"
USER_POLICY = "own_user"

# Scalar subqueries become InitPlans: each setting is read once per statement, not once per row.
_TENANT = f"(SELECT NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint)"
_USER = f"(SELECT NULLIF(current_setting('{USER_SETTING}', true), '')::bigint)"
_ALL = f"(SELECT coalesce(current_setting('{ALL_TENANTS_SETTING}', true), '') = 'on')"
TENANT_RULE = f"tenant_id = {_TENANT} OR {_ALL}"

# Read-only ways in for the signed-in user outside a tenant (the tenant chooser, invitations).
USER_RULES = {
    "tenancy_membership": f"user_id = {_USER}",
    "tenancy_invitation": f"user_id = {_USER}",
    "partners_partner": (
        f"id IN (SELECT partner_id FROM tenancy_membership WHERE user_id = {_USER}"
        f" UNION ALL SELECT partner_id FROM tenancy_invitation WHERE user_id = {_USER} AND status = 'pending')"
    ),
}


def tables_with_a_tenant(connection) -> list[str]:
    """Every table of the schema with a ``tenant_id`` column, from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
              FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE a.attname = 'tenant_id' AND NOT a.attisdropped
               AND c.relkind IN ('r', 'p') AND n.nspname = current_schema()
             ORDER BY c.relname
            """
        )
        return [row[0] for row in cursor.fetchall()]


def install_policies(connection) -> None:
    """Idempotent: enable and force RLS and (re)create the policies on every table with a tenant."""
    tables = tables_with_a_tenant(connection)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            cursor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
            cursor.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({TENANT_RULE}) WITH CHECK ({TENANT_RULE})')
            cursor.execute(f'DROP POLICY IF EXISTS {USER_POLICY} ON "{table}"')
            if table in USER_RULES:
                cursor.execute(f'CREATE POLICY {USER_POLICY} ON "{table}" FOR SELECT USING ({USER_RULES[table]})')


def runtime_role() -> str:
    return settings.DATABASES["default"].get("USER") or ""


def grant_runtime_role(connection) -> None:
    """Give the runtime role reads and writes, nothing more (no TRUNCATE, REFERENCES or TRIGGER)."""
    role = runtime_role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if not role or cursor.fetchone()[0] == role:
            return  # one role for everything: tenancy.checks reports it
        quoted = connection.ops.quote_name(role)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}")


@receiver(connection_created)
def _default_trigger_settings(sender, connection, **kwargs) -> None:
    """Give every session a value for ``pgtrigger.ignore`` (not a tenant setting: the same for everyone).

    Every trigger made with django-pgtrigger (the audit history's, the statements') first reads that
    setting inside an exception block; when it is unset, the read raises and is caught — most of a
    millisecond per row, which made a settlement run of 10,000 statements spend seconds in its
    triggers. With an empty list set, the read is a plain lookup. (A database-wide default would
    need a superuser.)
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', false)")


@receiver(post_migrate)
def _install_after_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate is sent once per app after every migration has run: once is enough.
    if sender.name != "tenancy":
        return
    connection = connections[using]
    install_policies(connection)
    grant_runtime_role(connection)
