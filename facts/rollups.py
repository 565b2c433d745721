"""Sums of the facts over date windows, read from the partner totals the database keeps.

``facts_partnerdaytotal`` and ``facts_partnermonthtotal`` hold, per tenant, partner and day (or
calendar month), the sales, the invoices issued and the payments received, with how many fact rows
are behind them. Statement-level triggers on the fact tables keep them (migration
``facts.0006_partner_totals_rollups``): every statement, whoever sends it, adds its rows' amounts in
one aggregate upsert per grain.

A window of days is read as the whole months inside it plus the days at its two ends, so its cost
grows with the partners and the width of the window, not with the number of facts behind it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, transaction

from common.sql import analytic_cursor
from tenancy.context import require_tenant

ZERO = Decimal("0.00")
MEASURES = ("sales", "invoiced", "paid")

Window = tuple[datetime.date, datetime.date]  # first and last day, both included


def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def window_pieces(first: datetime.date, last: datetime.date) -> tuple[Window | None, list[Window]]:
    """The whole months of ``[first, last]`` (first days of the first and last of them) and the days left over."""
    if first > last:
        return None, []
    month_from = first if first.day == 1 else _month_after(first)
    if _month_after(last) - datetime.timedelta(days=1) == last:  # the window ends on a month's last day
        month_to = last.replace(day=1)
    else:
        month_to = (last.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if month_from > month_to:
        return None, [(first, last)]
    days = []
    if first < month_from:
        days.append((first, month_from - datetime.timedelta(days=1)))
    after = _month_after(month_to)
    if after <= last:
        days.append((after, last))
    return (month_from, month_to), days


def window_totals(*, windows: Sequence[Window], measures: Sequence[str] = MEASURES) -> dict[int, tuple]:
    """Partner id → each measure summed over each window: (w0 m0, w0 m1, …, w1 m0, …), for the tenant in scope.

    Partners with no fact in any window are absent. One statement whatever the windows.
    """
    for name in measures:
        if name not in MEASURES:
            raise ValueError(name)
    tenant = require_tenant()
    params: dict = {"tenant": tenant.pk}
    parts = []
    columns = ", ".join(measures)
    for index, (first, last) in enumerate(windows):
        months, days = window_pieces(first, last)
        if months:
            params[f"m{index}_from"], params[f"m{index}_to"] = months
            parts.append(
                f"SELECT partner_id, {index} AS w, {columns} FROM facts_partnermonthtotal "
                f"WHERE tenant_id = %(tenant)s AND month BETWEEN %(m{index}_from)s AND %(m{index}_to)s"
            )
        for piece, (day_from, day_to) in enumerate(days):
            key = f"d{index}_{piece}"
            params[f"{key}_from"], params[f"{key}_to"] = day_from, day_to
            parts.append(
                f"SELECT partner_id, {index} AS w, {columns} FROM facts_partnerdaytotal "
                f"WHERE tenant_id = %(tenant)s AND day BETWEEN %({key}_from)s AND %({key}_to)s"
            )
    if not parts:
        return {}
    sums = ", ".join(
        f"COALESCE(SUM({name}) FILTER (WHERE w = {index}), 0)" for index in range(len(windows)) for name in measures
    )
    sql = f"SELECT partner_id, {sums} FROM ({' UNION ALL '.join(parts)}) pieces GROUP BY partner_id"
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


# The totals from the facts themselves: the definition the triggers keep, and what a rebuild writes.
FROM_SCRATCH_SQL = """
INSERT INTO {target} (tenant_id, partner_id, {period}, sales, invoiced, paid, entries, created_at, updated_at)
SELECT %(tenant)s, partner_id, {period}, SUM(sales), SUM(invoiced), SUM(paid), SUM(n), now(), now() FROM (
    SELECT partner_id, {of_date} AS {period}, amount AS sales, 0 AS invoiced, 0 AS paid, 1 AS n
    FROM facts_sale WHERE tenant_id = %(tenant)s
    UNION ALL
    SELECT partner_id, {of_issue_date}, 0, amount, 0, 1 FROM facts_invoice WHERE tenant_id = %(tenant)s
    UNION ALL
    SELECT partner_id, {of_date}, 0, 0, amount, 1 FROM facts_payment WHERE tenant_id = %(tenant)s
) facts GROUP BY partner_id, {period}
"""
REBUILDS = {
    "facts_partnerdaytotal": FROM_SCRATCH_SQL.format(
        target="facts_partnerdaytotal", period="day", of_date="date", of_issue_date="issue_date"
    ),
    "facts_partnermonthtotal": FROM_SCRATCH_SQL.format(
        target="facts_partnermonthtotal",
        period="month",
        of_date="date_trunc('month', date)::date",
        of_issue_date="date_trunc('month', issue_date)::date",
    ),
}


@transaction.atomic
def rollups_rebuild() -> dict[str, int]:
    """Make the tenant's partner totals again from its facts; how many rows of each grain.

    The triggers keep them right; this is for repair (or a restore that bypassed them). The fact
    tables are locked against writes for the while, so no statement slips between the delete and
    the insert.
    """
    tenant = require_tenant()
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE facts_sale, facts_invoice, facts_payment IN SHARE MODE")
        for table, sql in REBUILDS.items():
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
            cursor.execute(sql, {"tenant": tenant.pk})
            counts[table] = cursor.rowcount
    return counts
