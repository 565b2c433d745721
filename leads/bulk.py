"""Rows of a tenant-owned model inserted in a fixed number of statements however many there are.

``bulk_create`` sends one INSERT per ``batch_size`` rows and builds each in Python value by value
(a third of a 10,000-lead upload's time went into compiling them). Here the ids come from the table's
sequence in one query, and the rows go in one ``INSERT … SELECT FROM unnest(…)`` with a typed array per
column: two statements, whatever the number of rows, each row's id known before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from django.db import connection
from django.utils import timezone

from tenancy.context import require_tenant


def reserve_ids(model, count: int) -> list[int]:
    """``count`` new ids of ``model``'s table, in order (one query)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(model, ids: Sequence[int], columns: Mapping[str, Sequence]) -> None:
    """Insert ``len(ids)`` rows of ``model`` for the tenant in scope: ``columns`` maps a column (attname) to its values.

    JSON fields take Python values (dumped here). ``created_at`` and ``updated_at`` are now, as ``save`` makes them.
    """
    if not ids:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names, arrays, params = ["id"], ["%s::bigint[]"], [list(ids)]
    documents, document_params = [], []
    for name, values in columns.items():
        if len(values) != len(ids):
            raise ValueError(f"{name}: {len(values)} values for {len(ids)} rows")
        field = fields[name]
        if field.get_internal_type() == "JSONField":
            # One JSON document for the column, parsed once by the server (an array of JSON texts would be
            # escaped value by value on the way and parsed element by element).
            documents.append(name)
            document_params.append(json.dumps(list(values), ensure_ascii=False))
            continue
        names.append(name)
        arrays.append(f"%s::{field.db_type(connection)}[]")
        params.append(list(values))
    now = timezone.now()
    rows = f"unnest({', '.join(arrays)}) WITH ORDINALITY AS v({', '.join(names)}, n)"
    for number, name in enumerate(documents):
        rows += f" JOIN jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS j{number}({name}, n) USING (n)"
    quote = connection.ops.quote_name
    targets = ", ".join(quote(name) for name in [*names, *documents])
    sources = ", ".join(
        [*(f"v.{quote(name)}" for name in names), *(f"j{n}.{quote(d)}" for n, d in enumerate(documents))]
    )
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} (tenant_id, created_at, updated_at, {targets}) "
        f"SELECT %s, %s, %s, {sources} FROM {rows} ORDER BY n"
    )
    params = [require_tenant().pk, now, now, *params, *document_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
