"""Receivables (SPEC §4.1), set-based: one statement for every partner of the tenant at once.

Payments settle invoices as of day D (only invoices issued and payments dated on or before D):
first the invoice a payment names (up to what that invoice still owes), then the rest of
the partner's money — payments naming none, and what a named invoice could not absorb —
goes to its open invoices oldest due date first (then number), as one running sum.

Aging needs no running sum. Every invoice overdue by at least n days falls due before every
invoice that is not, so the oldest-first money reaches all of them first: the open amount of the
invoices overdue by n days or more is max(0, what they still owe after their named payments −
the partner's unnamed money). One grouped pass gives that for each bucket boundary; the running
sum (a window over the invoices in due order) is needed only to show invoice by invoice how each
was settled (``invoice_settlements``).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from common.sql import analytic_cursor
from tenancy.context import require_tenant

ZERO = Decimal("0.00")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")

# The payments by day D summed per (partner, invoice named) once, and each partner's total from those sums.
PAYMENT_CTES = """
money AS (
    SELECT partner_id, invoice_id, SUM(amount) AS amount
    FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s {partner_filter}
    GROUP BY partner_id, invoice_id
),
paid AS (
    SELECT partner_id, SUM(amount) AS total FROM money GROUP BY partner_id
)"""

# Every invoice issued by %(day)s with what is settled on it. One scan of each fact table:
# payments are summed per (partner, invoice named) once, giving both the money a named
# invoice takes and each partner's total; one window pass over the invoices in due order
# gives the running sum the oldest-first allocation needs.
SETTLEMENT_CTES = (
    PAYMENT_CTES
    + """,
inv AS (
    SELECT i.id, i.partner_id, i.number, i.issue_date, i.due_date, i.amount,
           LEAST(i.amount, COALESCE(named.amount, 0)) AS named_applied
    FROM facts_invoice i
    LEFT JOIN money named ON named.invoice_id = i.id AND named.partner_id = i.partner_id
    WHERE i.tenant_id = %(tenant)s AND i.issue_date <= %(day)s {invoice_partner_filter}
),
ordered AS (
    SELECT inv.*,
           COALESCE(SUM(amount - named_applied) OVER (
               PARTITION BY partner_id ORDER BY due_date, number, id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed_before,
           SUM(named_applied) OVER (PARTITION BY partner_id) AS named_total
    FROM inv
),
settled AS (
    SELECT ordered.id, ordered.partner_id, ordered.number, ordered.issue_date, ordered.due_date,
           ordered.amount, ordered.named_applied,
           GREATEST(0, LEAST(ordered.amount - ordered.named_applied,
                             COALESCE(paid.total, 0) - ordered.named_total - ordered.owed_before)) AS pooled_applied
    FROM ordered LEFT JOIN paid ON paid.partner_id = ordered.partner_id
)
"""
)

INVOICE_SETTLEMENT_SQL = (
    "WITH"
    + SETTLEMENT_CTES
    + """
SELECT id, partner_id, number, issue_date, due_date, amount, named_applied, pooled_applied
FROM settled ORDER BY partner_id, due_date, number, id
"""
)

# What each partner owes as of %(day)s after its named payments, in total and on the invoices overdue by at
# least each of the boundaries asked for (1, 31, 61, 91, n, …); and what it paid. The payments are read twice,
# each partner's total apart from the named ones grouped per invoice: half the rows go through the big
# grouping, neither is kept as a materialised CTE, and the planner may scan them in parallel.
# The invoices are first summed per partner and "bucket" (how many boundaries their due date is past: a small
# integer), so each invoice feeds two sums, not one per boundary; the few buckets of a partner then give every
# figure. (The late invoices, when asked for, come from AGING_SQL_REFERENCE with LATE_CTES.)
AGING_SQL = """
WITH money AS (
    SELECT partner_id, invoice_id, SUM(amount) AS amount
    FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s AND invoice_id IS NOT NULL {partner_filter}
    GROUP BY partner_id, invoice_id
),
paid AS (
    SELECT partner_id, SUM(amount) AS total
    FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s {partner_filter}
    GROUP BY partner_id
),
owed AS (
    SELECT i.id, i.partner_id, i.number, i.amount, i.due_date,
           LEAST(i.amount, COALESCE(named.amount, 0)) AS named_applied,
           i.amount - LEAST(i.amount, COALESCE(named.amount, 0)) AS after_named
    FROM facts_invoice i
    LEFT JOIN money named ON named.invoice_id = i.id AND named.partner_id = i.partner_id
    WHERE i.tenant_id = %(tenant)s AND i.issue_date <= %(day)s {invoice_partner_filter}
),
by_bucket AS (
    SELECT partner_id, {bucket} AS bucket, SUM(amount) AS invoiced, SUM(named_applied) AS named_total
    FROM owed GROUP BY 1, 2
),
by_partner AS (
    SELECT partner_id, SUM(invoiced) AS invoiced, SUM(named_total) AS named_total,
           ARRAY[{owed}]::numeric[] AS owed
    FROM by_bucket GROUP BY partner_id
)
SELECT COALESCE(b.partner_id, paid.partner_id), COALESCE(b.invoiced, 0), COALESCE(paid.total, 0),
       COALESCE(b.named_total, 0), b.owed
FROM by_partner b FULL JOIN paid ON paid.partner_id = b.partner_id
"""

# The invoices overdue by at least %(late_days)s days, oldest due first, with what each still owes.
# The partner's unnamed money settles its invoices oldest due first, and every invoice overdue by n days
# falls due before every one that is not: the running sum over the overdue invoices alone is the running
# sum the allocation of SPEC §4.1 makes, so the window needs no other invoice. Of each partner, how many
# are open, and the first %(late_listed)s as parallel arrays.
LATE_CTES = """,
late AS (
    SELECT owed.id, owed.partner_id, owed.number, owed.due_date, owed.amount,
           owed.after_named - GREATEST(0, LEAST(owed.after_named,
               COALESCE(paid.total, 0) - b.named_total
               - COALESCE(SUM(owed.after_named) OVER (
                     PARTITION BY owed.partner_id ORDER BY owed.due_date, owed.number, owed.id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS open_amount
    FROM owed JOIN by_partner b ON b.partner_id = owed.partner_id
    LEFT JOIN paid ON paid.partner_id = owed.partner_id
    WHERE owed.due_date <= %(day)s::date - %(late_days)s
),
late_open AS (
    SELECT late.*, row_number() OVER (PARTITION BY partner_id ORDER BY due_date, number, id) AS position
    FROM late WHERE open_amount > 0
),
late_listed AS (
    SELECT partner_id, count(*) AS how_many,
           array_agg(id ORDER BY position) FILTER (WHERE position <= %(late_listed)s) AS ids,
           array_agg(number ORDER BY position) FILTER (WHERE position <= %(late_listed)s) AS numbers,
           array_agg(due_date ORDER BY position) FILTER (WHERE position <= %(late_listed)s) AS due_dates,
           array_agg(amount ORDER BY position) FILTER (WHERE position <= %(late_listed)s) AS amounts,
           array_agg(open_amount ORDER BY position) FILTER (WHERE position <= %(late_listed)s) AS open_amounts
    FROM late_open GROUP BY partner_id
)"""
LATE_COLUMNS = """,
       COALESCE(late_listed.how_many, 0), late_listed.ids, late_listed.numbers, late_listed.due_dates,
       late_listed.amounts, late_listed.open_amounts"""
LATE_JOIN = """
LEFT JOIN late_listed ON late_listed.partner_id = COALESCE(b.partner_id, paid.partner_id)"""

# The aging as it was before the buckets: one filtered sum per boundary over every invoice. Still the one
# that lists late invoices, and the reference the law test holds the bucketed statement to.
# {late_ctes} and {late_columns}, when asked for, list the invoices behind one of those figures.
AGING_SQL_REFERENCE = (
    "WITH "
    + PAYMENT_CTES
    + """,
owed AS (
    SELECT i.id, i.partner_id, i.number, i.amount, i.due_date,
           LEAST(i.amount, COALESCE(named.amount, 0)) AS named_applied,
           i.amount - LEAST(i.amount, COALESCE(named.amount, 0)) AS after_named
    FROM facts_invoice i
    LEFT JOIN money named ON named.invoice_id = i.id AND named.partner_id = i.partner_id
    WHERE i.tenant_id = %(tenant)s AND i.issue_date <= %(day)s {invoice_partner_filter}
),
by_partner AS (
    SELECT partner_id,
           SUM(amount) AS invoiced,
           SUM(named_applied) AS named_total,
           SUM(after_named) AS owed_all,
           SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - 1) AS owed_1,
           SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - 31) AS owed_31,
           SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - 61) AS owed_61,
           SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - 91) AS owed_91,
           SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - %(overdue_days)s) AS owed_n,
           ARRAY[{owed_at}]::numeric[] AS owed_at
    FROM owed GROUP BY partner_id
){late_ctes}
SELECT COALESCE(b.partner_id, paid.partner_id), COALESCE(b.invoiced, 0), COALESCE(paid.total, 0),
       COALESCE(b.named_total, 0), COALESCE(b.owed_all, 0), COALESCE(b.owed_1, 0), COALESCE(b.owed_31, 0),
       COALESCE(b.owed_61, 0), COALESCE(b.owed_91, 0), COALESCE(b.owed_n, 0), b.owed_at{late_columns}
FROM by_partner b FULL JOIN paid ON paid.partner_id = b.partner_id{late_join}
"""
)


@dataclasses.dataclass(frozen=True)
class OpenInvoice:
    """An invoice still owing something on a day: how much of it, and how many days overdue."""

    invoice_id: int
    number: str
    due_date: datetime.date
    amount: Decimal
    open_amount: Decimal
    day: datetime.date

    @property
    def days_overdue(self) -> int:
        days = (self.day - self.due_date).days
        return days if days > 0 and self.open_amount > 0 else 0


@dataclasses.dataclass(frozen=True)
class Receivables:
    """A partner's receivables as of a day: totals, overdue and aging buckets."""

    partner_id: int
    day: datetime.date
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    current: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    days_over_90: Decimal = ZERO
    overdue: Decimal = ZERO  # overdue_amount(D, 1)
    overdue_n: Decimal = ZERO  # overdue_amount(D, n) for the n asked for
    overdue_by: Mapping[int, Decimal] = dataclasses.field(default_factory=dict)  # n → overdue_amount(D, n)
    late_invoices: tuple[OpenInvoice, ...] = ()  # the first few invoices overdue by the days asked for
    late_invoice_count: int = 0  # … and how many there are in all

    @property
    def outstanding(self) -> Decimal:
        return self.invoiced - self.paid

    @property
    def buckets(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in BUCKETS}


@dataclasses.dataclass(frozen=True)
class InvoiceSettlement:
    """How much of one invoice is settled as of a day, and by what."""

    invoice_id: int
    partner_id: int
    number: str
    issue_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    named_applied: Decimal
    pooled_applied: Decimal
    day: datetime.date

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.named_applied - self.pooled_applied

    @property
    def days_overdue(self) -> int:
        days = (self.day - self.due_date).days
        return days if days > 0 and self.open_amount > 0 else 0


def _filters(partner_ids: Iterable[int] | None) -> tuple[dict, dict]:
    if partner_ids is None:
        return {"partner_filter": "", "invoice_partner_filter": ""}, {}
    return (
        {
            "partner_filter": "AND partner_id = ANY(%(partners)s)",
            "invoice_partner_filter": "AND i.partner_id = ANY(%(partners)s)",
        },
        {"partners": list(partner_ids)},
    )


def invoice_settlements(*, day: datetime.date, partner_ids: Iterable[int] | None = None) -> list[InvoiceSettlement]:
    """Every invoice issued by ``day`` with what is settled on it (the rows behind the aging)."""
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    sql = INVOICE_SETTLEMENT_SQL.format(**fragments)
    with analytic_cursor() as cursor:
        cursor.execute(sql, {"tenant": tenant.pk, "day": day, **extra})
        return [InvoiceSettlement(*row, day=day) for row in cursor.fetchall()]


def receivables_as_of(
    *,
    day: datetime.date,
    partner_ids: Iterable[int] | None = None,
    overdue_days: int = 1,
    overdue_at: Sequence[int] = (),
    late_invoices_at: int | None = None,
    late_invoices_listed: int = 20,
) -> dict[int, Receivables]:
    """Receivables and aging of every partner (or those given) as of ``day``, in one query.

    Partners with neither invoices nor payments by then are absent (all zeros).
    ``overdue_days`` sets the n of the ``overdue_n`` figure (overdue by at least n days);
    ``overdue_at`` asks for more of them at once, in ``overdue_by`` (n → overdue_amount(D, n)).
    ``late_invoices_at`` (n) lists the invoices behind overdue_amount(D, n), the most overdue first: the
    first ``late_invoices_listed`` in ``late_invoices``, how many in ``late_invoice_count``.
    """
    if late_invoices_at is not None:
        # Listing the late invoices needs every invoice's row kept for the window: there the statement of one
        # filtered sum per boundary plans better (measured at 10,000 partners) than the bucketed one.
        return receivables_as_of_reference(
            day=day,
            partner_ids=partner_ids,
            overdue_days=overdue_days,
            overdue_at=overdue_at,
            late_invoices_at=late_invoices_at,
            late_invoices_listed=late_invoices_listed,
        )
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    days = [int(n) for n in overdue_at]
    # an invoice's bucket: how many of these boundaries its due date is past
    boundaries = sorted({1, 31, 61, 91, int(overdue_days), *days})
    bucket = " + ".join(f"(due_date <= %(day)s::date - %(boundary_{k})s)::int" for k in range(len(boundaries)))
    owed = ", ".join(
        ["SUM(invoiced - named_total)"]
        + [f"SUM(invoiced - named_total) FILTER (WHERE bucket > {k})" for k in range(len(boundaries))]
    )
    position = {n: k + 2 for k, n in enumerate(boundaries)}  # where owed(n) sits in the array (1-based)
    sql = AGING_SQL.format(bucket=bucket, owed=owed, **fragments)
    params = {"tenant": tenant.pk, "day": day, **extra}
    params.update({f"boundary_{k}": n for k, n in enumerate(boundaries)})
    result: dict[int, Receivables] = {}
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        for partner_id, invoiced, paid, named, owed_values in cursor.fetchall():
            unnamed_money = paid - named  # what the oldest-due-first allocation hands out
            # open in all, then overdue by at least each boundary (no invoice that late: nothing owed)
            opened = [
                max(ZERO, (amount or ZERO) - unnamed_money) for amount in owed_values or [None] * (len(position) + 1)
            ]
            open_all = opened[0]
            open_1, open_31, open_61, open_91 = (opened[position[n] - 1] for n in (1, 31, 61, 91))
            result[partner_id] = _receivables(
                partner_id,
                day,
                invoiced,
                paid,
                (open_all, open_1, open_31, open_61, open_91),
                overdue_n=opened[position[int(overdue_days)] - 1],
                overdue_by={n: opened[position[n] - 1] for n in days},
            )
    return result


def receivables_as_of_reference(
    *,
    day: datetime.date,
    partner_ids: Iterable[int] | None = None,
    overdue_days: int = 1,
    overdue_at: Sequence[int] = (),
    late_invoices_at: int | None = None,
    late_invoices_listed: int = 20,
) -> dict[int, Receivables]:
    """``receivables_as_of`` as it was before the buckets: one filtered sum per boundary over every invoice.

    Still the statement that lists late invoices (``receivables_as_of`` hands those requests here), and the
    reference the law test holds the bucketed statement to.
    """
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    days = [int(n) for n in overdue_at]
    owed_at = ", ".join(
        f"SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - %(overdue_at_{index})s)"
        for index in range(len(days))
    )
    late = late_invoices_at is not None
    sql = AGING_SQL_REFERENCE.format(
        owed_at=owed_at,
        late_ctes=LATE_CTES if late else "",
        late_columns=LATE_COLUMNS if late else "",
        late_join=LATE_JOIN if late else "",
        **fragments,
    )
    params = {"tenant": tenant.pk, "day": day, "overdue_days": overdue_days, **extra}
    params.update({f"overdue_at_{index}": n for index, n in enumerate(days)})
    if late:
        params.update(late_days=max(1, int(late_invoices_at)), late_listed=late_invoices_listed)
    result: dict[int, Receivables] = {}
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            partner_id, invoiced, paid, named, *owed = row[:10]
            owed_at_values, late_row = row[10], row[11:]
            unnamed_money = paid - named  # what the oldest-due-first allocation hands out
            open_all, open_1, open_31, open_61, open_91, open_n = (max(ZERO, amount - unnamed_money) for amount in owed)
            owed_by = zip(days, owed_at_values or [None] * len(days), strict=True)
            result[partner_id] = _receivables(
                partner_id,
                day,
                invoiced,
                paid,
                (open_all, open_1, open_31, open_61, open_91),
                overdue_n=open_n,
                overdue_by={n: max(ZERO, (amount or ZERO) - unnamed_money) for n, amount in owed_by},
                **(_late_invoices(late_row, day) if late else {}),
            )
    return result


def _receivables(partner_id, day, invoiced, paid, opened: Sequence[Decimal], **rest) -> Receivables:
    """A partner's receivables from what is open in all and overdue by 1, 31, 61 and 91 days or more."""
    open_all, open_1, open_31, open_61, open_91 = opened
    return Receivables(
        partner_id=partner_id,
        day=day,
        invoiced=invoiced,
        paid=paid,
        current=open_all - open_1,
        days_1_30=open_1 - open_31,
        days_31_60=open_31 - open_61,
        days_61_90=open_61 - open_91,
        days_over_90=open_91,
        overdue=open_1,
        **rest,
    )


def _late_invoices(row: Sequence, day: datetime.date) -> dict:
    count, ids, numbers, due_dates, amounts, open_amounts = row
    listed = zip(ids or (), numbers or (), due_dates or (), amounts or (), open_amounts or (), strict=True)
    return {
        "late_invoices": tuple(OpenInvoice(*invoice, day=day) for invoice in listed),
        "late_invoice_count": count,
    }


def receivables_for(*, partner_id: int, day: datetime.date) -> Receivables:
    return receivables_as_of(day=day, partner_ids=[partner_id]).get(partner_id, Receivables(partner_id, day))
