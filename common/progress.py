"""Progress of long work, seen by others while the work's own transaction is still open.

A long job (an import, a settlement run) writes its results in one transaction, so nothing it
writes to the database shows before the end. Its progress goes to the cache instead (Redis when
``REDIS_URL`` is set, so a web process sees a worker's progress; otherwise this process's memory,
where in-process tasks run), keyed by the tenant and the job, and is read over the job's row.
"""

from __future__ import annotations

import dataclasses

from django.core.cache import cache

TTL_SECONDS = 6 * 3600


@dataclasses.dataclass(frozen=True)
class Progress:
    done: int
    total: int


def _key(tenant_id: int, kind: str, pk: int) -> str:
    return f"progress:{tenant_id}:{kind}:{pk}"


def progress_publish(*, tenant_id: int, kind: str, pk: int, done: int, total: int) -> None:
    cache.set(_key(tenant_id, kind, pk), (done, total), TTL_SECONDS)


def progress_read(*, tenant_id: int, kind: str, pk: int) -> Progress | None:
    value = cache.get(_key(tenant_id, kind, pk))
    return Progress(*value) if value else None


def progress_clear(*, tenant_id: int, kind: str, pk: int) -> None:
    cache.delete(_key(tenant_id, kind, pk))
