"""Small helpers for the set-based statements."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

# Enough for the sorts and hashes of a tenant's whole year in memory instead of on disk.
ANALYTIC_WORK_MEM = "64MB"


@contextlib.contextmanager
def analytic_cursor() -> Iterator:
    """A cursor in a transaction with more sort memory (SET LOCAL ends with the transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{ANALYTIC_WORK_MEM}'")
        yield cursor
