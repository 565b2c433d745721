"""Set-based writes: COPY rows into a staging table, then one INSERT … ON CONFLICT.

Two statements whatever the number of rows, and COPY is how PostgreSQL likes bulk data.
(COPY cannot write a table under row-level security directly; a temporary table can.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction


def upsert_rows(
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    conflict: Sequence[str],
    update: Sequence[str],
    constant_columns: dict[str, object] | None = None,
    conflict_where: str = "",
    before_insert=None,
) -> None:
    """Upsert ``rows`` (tuples in ``columns`` order) into ``table``.

    ``constant_columns`` are the same for every row (the tenant, timestamps as SQL such as
    ``now()`` given as strings starting with "sql:"); ``conflict`` names the unique key and
    ``update`` the columns a conflicting row takes from the new one. ``before_insert(cursor,
    stage)`` may look at the staged rows first (to count updates, say).
    """
    constants = constant_columns or {}
    stage = f"stage_{table}"
    column_list = ", ".join(columns)
    constant_names = list(constants)
    constant_sql = []
    params = []
    for value in constants.values():
        if isinstance(value, str) and value.startswith("sql:"):
            constant_sql.append(value[4:])
        else:
            constant_sql.append("%s")
            params.append(value)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in update)
    target = f"({', '.join(conflict)})" + (f" WHERE {conflict_where}" if conflict_where else "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if before_insert is not None:
            before_insert(cursor, stage)
        insert_columns = ", ".join([*constant_names, *columns])
        select_columns = ", ".join([*constant_sql, *columns])
        cursor.execute(
            f"INSERT INTO {table} ({insert_columns}) SELECT {select_columns} FROM {stage} "
            f"ON CONFLICT {target} DO UPDATE SET {updates}",
            params,
        )
        cursor.execute(f"DROP TABLE {stage}")
