"""The tenant in scope: set once per request (middleware), task (decorator) or command.

Everything that reads tenant-owned rows asks this module which tenant it is working for;
nothing keeps a tenant in a module global.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Tenant

_current_tenant: contextvars.ContextVar[Tenant | None] = contextvars.ContextVar("qudao_current_tenant", default=None)
_describing: contextvars.ContextVar[bool] = contextvars.ContextVar("qudao_describing_only", default=False)


class TenantScopeMissing(RuntimeError):
    """A tenant-owned table was queried with no tenant in scope (fail closed)."""


def current_tenant() -> Tenant | None:
    return _current_tenant.get()


def require_tenant() -> Tenant:
    tenant = _current_tenant.get()
    if tenant is None:
        raise TenantScopeMissing(
            "No tenant in scope: enter tenant_scope(tenant), or use .unscoped() "
            "with a comment saying why crossing tenants is right here."
        )
    return tenant


def enter_scope(tenant: Tenant | None) -> contextvars.Token:
    from .rls import apply_database_scope

    token = _current_tenant.set(tenant)
    apply_database_scope(tenant)
    return token


def exit_scope(token: contextvars.Token) -> None:
    from .rls import apply_database_scope

    _current_tenant.reset(token)
    apply_database_scope(_current_tenant.get())


@contextlib.contextmanager
def tenant_scope(tenant: Tenant | None) -> Iterator[Tenant | None]:
    token = enter_scope(tenant)
    try:
        yield tenant
    finally:
        exit_scope(token)


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
    """For Celery tasks: the first argument ``tenant_id`` selects the scope."""

    @functools.wraps(func)
    def wrapper(tenant_id: int, *args, **kwargs):
        from .models import Tenant

        tenant = Tenant.objects.get(pk=tenant_id)
        with tenant_scope(tenant):
            return func(tenant_id, *args, **kwargs)

    return wrapper
