"""``check --deploy``: refuse a deployment whose runtime database role could take the tenant wall down.

The web, the workers and the commands connect as ``DATABASES["default"]``. That role must not
be a superuser, must not have BYPASSRLS, must not own (or be able to act as the owner of) any
table, and must not hold TRUNCATE (which ignores row-level security) on any table of the schema;
every table with a ``tenant_id`` must have row-level security enabled and forced.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TAG = "database_role"


def _findings(cursor) -> list[str]:
    from .rls import tables_with_a_tenant

    findings = []
    cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    role, superuser, bypass = cursor.fetchone()
    if superuser:
        findings.append(_("the role %(role)s is a superuser (superusers bypass row-level security)") % {"role": role})
    if bypass:
        findings.append(_("the role %(role)s has BYPASSRLS") % {"role": role})
    cursor.execute(
        """
        SELECT count(*) FILTER (WHERE pg_has_role(current_user, c.relowner, 'MEMBER')),
               count(*) FILTER (WHERE has_table_privilege(current_user, c.oid, 'TRUNCATE'))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        """
    )
    owned, truncatable = cursor.fetchone()
    if owned:
        findings.append(
            ngettext(
                "the role %(role)s owns %(count)d table (an owner can drop the policies): run the migrations as "
                "another role (DATABASE_OWNER_URL)",
                "the role %(role)s owns %(count)d tables (an owner can drop the policies): run the migrations as "
                "another role (DATABASE_OWNER_URL)",
                owned,
            )
            % {"role": role, "count": owned}
        )
    if truncatable:
        findings.append(
            ngettext(
                "the role %(role)s may TRUNCATE %(count)d table (TRUNCATE ignores row-level security)",
                "the role %(role)s may TRUNCATE %(count)d tables (TRUNCATE ignores row-level security)",
                truncatable,
            )
            % {"role": role, "count": truncatable}
        )
    tables = tables_with_a_tenant(connections["default"])
    if tables:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname = ANY(%s) AND NOT (relrowsecurity AND relforcerowsecurity)",
            [tables],
        )
        (open_tables,) = cursor.fetchone()
        if open_tables:
            findings.append(
                ngettext(
                    "%(count)d table with a tenant_id lacks forced row-level security: run the migrations",
                    "%(count)d tables with a tenant_id lack forced row-level security: run the migrations",
                    open_tables,
                )
                % {"count": open_tables}
            )
    return findings


@register(Tags.security, TAG, deploy=True)
def check_runtime_role(app_configs=None, **kwargs) -> list[Error]:
    try:
        with connections["default"].cursor() as cursor:
            findings = _findings(cursor)
    except DatabaseError as error:
        return [
            Error(
                _("Cannot check the database role: %(error)s") % {"error": error},
                hint=_("The runtime role is checked on the database of DATABASE_URL; it must answer."),
                id="tenancy.E001",
            )
        ]
    return [
        Error(
            _("The runtime database role could bypass the tenant wall: %(finding)s.") % {"finding": finding},
            hint=_("Connect the web and the workers (DATABASE_URL) as a role that owns nothing and is no superuser."),
            id="tenancy.E002",
        )
        for finding in findings
    ]
