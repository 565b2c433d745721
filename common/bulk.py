"""Set-based writes: COPY rows into a staging table, then one INSERT … ON CONFLICT.

A few statements whatever the number of rows, and COPY is how PostgreSQL likes bulk data.
(COPY cannot write a table under row-level security directly; a temporary table can.)

The upsert may also skip rows that would not change (``skip_unchanged``) and keep the old
values of the rows it changes in a log table (``change_log``): a data-modifying CTE in the
same statement, so the log reads the rows before the upsert changes them (every part of
one statement sees the same snapshot) and no change can go unrecorded. With a change log the
new rows go in first, by a statement of their own that leaves every known key alone; the
upsert with its log runs after it only when some staged key was already there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from django.db import connection, transaction


@dataclasses.dataclass(frozen=True)
class ChangeLog:
    """Where an upsert records the rows it changes: one log row per changed row.

    ``constants`` are the log's columns that are the same for every change (who, which import,
    the tenant, timestamps; values, or SQL as strings starting with "sql:"). The log also gets
    the changed row's id (the table's ``id``) in ``row_id``, its key in ``key`` (a column of that
    name in both tables), and every compared column's old and new value, as text, in the JSON
    objects ``old_values`` and ``new_values``.
    """

    table: str
    constants: dict[str, object]
    row_id: str = "fact_id"
    key: str = "external_id"
    old_values: str = "old_values"
    new_values: str = "new_values"


@dataclasses.dataclass(frozen=True)
class CopyText:
    """Rows already written as PostgreSQL COPY text (tab-separated, ``\\N`` for null), one line each.

    ``columns`` name the fields of each line, in order; ``count`` is the number of lines.
    """

    columns: tuple[str, ...]
    count: int
    text: str


@dataclasses.dataclass(frozen=True)
class Upserted:
    """What an upsert did: rows staged, inserted or updated (``written``), and of those updated."""

    staged: int
    written: int
    changed: int | None  # known when the upsert keeps a change log

    @property
    def inserted(self) -> int | None:
        return None if self.changed is None else self.written - self.changed

    @property
    def unchanged(self) -> int:
        return self.staged - self.written


def _constant_sql(constants: dict[str, object]) -> tuple[list[str], list[object]]:
    sql, params = [], []
    for value in constants.values():
        if isinstance(value, str) and value.startswith("sql:"):
            sql.append(value[4:])
        else:
            sql.append("%s")
            params.append(value)
    return sql, params


def _json_of(alias: str, columns: Sequence[str]) -> str:
    """The columns as a JSON object of texts: exact for numerics, ISO for dates whatever DateStyle says."""
    pairs = ", ".join(f"'{column}', to_jsonb({alias}.{column}) #>> '{{}}'" for column in columns)
    return f"jsonb_build_object({pairs})"


def upsert_rows(
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence] | CopyText,
    conflict: Sequence[str],
    update: Sequence[str],
    constant_columns: dict[str, object] | None = None,
    conflict_where: str = "",
    skip_unchanged: bool = False,
    change_log: ChangeLog | None = None,
) -> Upserted:
    """Upsert ``rows`` (tuples in ``columns`` order, or the same as COPY text) into ``table``.

    ``constant_columns`` are the same for every row (the tenant, timestamps as SQL such as
    ``now()`` given as strings starting with "sql:"); ``conflict`` names the unique key and
    ``update`` the columns a conflicting row takes from the new one. With ``skip_unchanged``,
    a conflicting row whose staged columns among ``update`` are all equal to its own is left
    alone (not rewritten, its ``updated_at`` kept). With ``change_log`` (which implies
    ``skip_unchanged``), every row that does change is logged in the same statement.
    """
    constants = constant_columns or {}
    stage = f"stage_{table}"
    column_list = ", ".join(columns)
    constant_sql, constant_params = _constant_sql(constants)
    compared = [column for column in update if column in columns]
    skip_unchanged = skip_unchanged or change_log is not None
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in update)
    target = f"({', '.join(conflict)})" + (f" WHERE {conflict_where}" if conflict_where else "")
    differs = ""
    if skip_unchanged:
        table_side = ", ".join(f"{table}.{column}" for column in compared)
        excluded_side = ", ".join(f"EXCLUDED.{column}" for column in compared)
        differs = f" WHERE ({table_side}) IS DISTINCT FROM ({excluded_side})"
    insert_columns = ", ".join([*constants, *columns])
    select_columns = ", ".join([*constant_sql, *columns])
    upsert = (
        f"INSERT INTO {table} ({insert_columns}) SELECT {select_columns} FROM {stage} "
        f"ON CONFLICT {target} DO UPDATE SET {updates}{differs}"
    )
    params: list[object] = []
    if change_log is None:
        statement = f"WITH written AS ({upsert} RETURNING 1) SELECT count(*), NULL FROM written"
        params = constant_params
    else:
        log_constant_sql, log_params = _constant_sql(change_log.constants)
        # The staged row meets the stored one on the conflict key (constants such as the tenant
        # compare with their value).
        joins, join_params = [], []
        for column in conflict:
            if column in constants:
                value = constants[column]
                if isinstance(value, str) and value.startswith("sql:"):
                    joins.append(f"t.{column} = {value[4:]}")
                else:
                    joins.append(f"t.{column} = %s")
                    join_params.append(value)
            else:
                joins.append(f"t.{column} = s.{column}")
        log_columns = ", ".join(
            [*change_log.constants, change_log.row_id, change_log.key, change_log.old_values, change_log.new_values]
        )
        stored = ", ".join(f"t.{column}" for column in compared)
        staged = ", ".join(f"s.{column}" for column in compared)
        log = (
            f"INSERT INTO {change_log.table} ({log_columns}) "
            f"SELECT {', '.join([*log_constant_sql, 't.id', f's.{change_log.key}'])}, "
            f"{_json_of('t', compared)}, {_json_of('s', compared)} "
            f"FROM {stage} s JOIN {table} t ON {' AND '.join(joins)} "
            f"WHERE ({stored}) IS DISTINCT FROM ({staged}) RETURNING 1"
        )
        statement = (
            f"WITH changed AS ({log}), written AS ({upsert} RETURNING 1) "
            "SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM changed)"
        )
        params = [*log_params, *join_params, *constant_params]
    staged_count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy:
            if isinstance(rows, CopyText):
                if rows.columns != tuple(columns):
                    raise ValueError(f"COPY text of {rows.columns}, not of {tuple(columns)}")
                copy.write(rows.text)
                staged_count = rows.count
            else:
                for row in rows:
                    copy.write_row(row)
                    staged_count += 1
        inserted = 0
        if change_log is not None:
            # New rows first, on their own: an insert that leaves every known key alone, through the
            # key's unique index. When that is every staged row (a first import), nothing can have
            # changed and the change log's join, whose plan depends on the table's statistics (stale
            # after a tenant's first big import, when it may read every row of the tenant per
            # batch), is not run at all. Otherwise the statement below finds the rows just inserted
            # equal to their staged values: neither rewritten nor logged.
            cursor.execute(
                f"WITH inserted AS (INSERT INTO {table} ({insert_columns}) SELECT {select_columns} FROM {stage} "
                f"ON CONFLICT {target} DO NOTHING RETURNING 1) SELECT count(*) FROM inserted",
                constant_params,
            )
            (inserted,) = cursor.fetchone()
        if inserted < staged_count:
            cursor.execute(statement, params)
            written, changed = cursor.fetchone()
        else:
            written, changed = 0, (None if change_log is None else 0)
        cursor.execute(f"DROP TABLE {stage}")
    return Upserted(staged=staged_count, written=inserted + written, changed=changed)
