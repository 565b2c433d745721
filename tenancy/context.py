"""The tenant in scope: set once per request (middleware), task (decorator) or command.

Everything that reads tenant-owned rows asks this module which tenant it is working for;
nothing keeps a tenant in a module global.

A scope is a database transaction. Entering ``tenant_scope(tenant)`` opens one (or a
savepoint inside the caller's) and names the tenant for row-level security with a
transaction-local setting (``tenancy.rls``); leaving it ends the transaction, or puts the
outer scope's setting back, so the database never sees a tenant outside its scope — not
after a streamed response, not on a reused connection. The Python side agrees: once the
scope's transaction is over, asking for the tenant raises (``require_tenant``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from .rls import ALL_TENANTS_SETTING, TENANT_SETTING, USER_SETTING

if TYPE_CHECKING:
    from .models import Tenant

_current_tenant: contextvars.ContextVar[Tenant | None] = contextvars.ContextVar("qudao_current_tenant", default=None)
_crossing: contextvars.ContextVar[bool] = contextvars.ContextVar("qudao_crossing_tenants", default=False)
_acting_user: contextvars.ContextVar[int | None] = contextvars.ContextVar("qudao_acting_user", default=None)
_describing: contextvars.ContextVar[bool] = contextvars.ContextVar("qudao_describing_only", default=False)


class TenantScopeMissing(RuntimeError):
    """A tenant-owned table was queried with no tenant in scope (fail closed)."""


def current_tenant() -> Tenant | None:
    """The tenant in scope, while its transaction lasts."""
    tenant = _current_tenant.get()
    if tenant is not None and not connection.in_atomic_block:
        return None  # the scope's transaction has ended (an on-commit hook, say): no tenant any more
    return tenant


def require_tenant() -> Tenant:
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeMissing(
            "No tenant in scope: enter tenant_scope(tenant), or cross tenants in crossing_tenants() "
            "with a comment saying why crossing tenants is right there."
        )
    return tenant


def is_crossing_tenants() -> bool:
    return _crossing.get() and connection.in_atomic_block


def is_user_scoped() -> bool:
    return _acting_user.get() is not None and connection.in_atomic_block


def set_local(name: str, value: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """A transaction-local setting, on the connection itself (not one of the app's counted queries)."""
    target = connections[using]
    target.ensure_connection()
    target.connection.execute("SELECT set_config(%s, %s, true)", [name, value])


@contextlib.contextmanager
def _scoped_setting(variable: contextvars.ContextVar, value, setting: str, as_text) -> Iterator:
    """Set ``variable`` and the database ``setting`` for one transaction (a savepoint when nested)."""
    token = variable.set(value)
    try:
        with transaction.atomic():
            set_local(setting, as_text(value))
            yield value
            # Leaving normally: a released savepoint keeps what was set in it, so put the outer value back
            # (leaving by an exception rolls the savepoint back, and the setting with it).
            if len(connection.atomic_blocks) > 1 and not connection.needs_rollback:
                set_local(setting, as_text(None if token.old_value is token.MISSING else token.old_value))
    finally:
        variable.reset(token)


def tenant_text(tenant) -> str:
    return "" if tenant is None else str(tenant.pk)


@contextlib.contextmanager
def tenant_scope(tenant: Tenant | None) -> Iterator[Tenant | None]:
    """Work for ``tenant`` (or, with None, for no tenant: tenant-owned rows are then out of reach)."""
    with _scoped_setting(_current_tenant, tenant, TENANT_SETTING, tenant_text):
        yield tenant


@contextlib.contextmanager
def crossing_tenants() -> Iterator[None]:
    """The one named way to read or write every tenant's rows; say at the call site why it is right.

    With it the fail-closed manager's ``.unscoped()`` and raw SQL see all tenants; without it
    they see only the tenant in scope, or nothing.
    """
    with _scoped_setting(_crossing, True, ALL_TENANTS_SETTING, lambda on: "on" if on else ""):
        yield


@contextlib.contextmanager
def user_scope(user) -> Iterator[None]:
    """Outside any tenant: the signed-in user may read their own memberships and invitations."""
    user_id = getattr(user, "pk", None)
    with _scoped_setting(_acting_user, user_id, USER_SETTING, lambda pk: "" if pk is None else str(pk)):
        yield


@contextlib.contextmanager
def describing_only() -> Iterator[None]:
    """While the API's schema is drawn: no tenant in scope, and every tenant-owned table looks empty.

    Schema generation builds querysets (a FilterSet resolves its fields on one) but reads no
    tenant's rows; here the fail-closed manager answers with an empty queryset instead of raising.
    """
    token = _describing.set(True)
    try:
        yield
    finally:
        _describing.reset(token)


def is_describing_only() -> bool:
    return _describing.get()


def in_tenant_scope(func):
    """For Celery tasks: the first argument ``tenant_id`` selects the scope; the task is one transaction."""

    @functools.wraps(func)
    def wrapper(tenant_id: int, *args, **kwargs):
        from .models import Tenant

        tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant):
            return func(tenant_id, *args, **kwargs)

    return wrapper
