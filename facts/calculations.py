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

# Every invoice issued by %(day)s with what is settled on it. One scan of each fact table:
# payments are summed per (partner, invoice named) once, giving both the money a named
# invoice takes and each partner's total; one window pass over the invoices in due order
# gives the running sum the oldest-first allocation needs.
SETTLEMENT_CTES = """
money AS (
    SELECT partner_id, invoice_id, SUM(amount) AS amount
    FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s {partner_filter}
    GROUP BY partner_id, invoice_id
),
paid AS (
    SELECT partner_id, SUM(amount) AS total FROM money GROUP BY partner_id
),
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

INVOICE_SETTLEMENT_SQL = (
    "WITH"
    + SETTLEMENT_CTES
    + """
SELECT id, partner_id, number, issue_date, due_date, amount, named_applied, pooled_applied
FROM settled ORDER BY partner_id, due_date, number, id
"""
)

# The invoices overdue by at least %(min_days)s days on %(day)s that are still open, the most overdue
# first, at most %(per_partner)s of them per partner, with how many there are in all.
OVERDUE_INVOICES_SQL = (
    "WITH"
    + SETTLEMENT_CTES
    + """,
still_open AS (
    SELECT * FROM settled
    WHERE due_date <= %(day)s::date - %(min_days)s AND amount - named_applied - pooled_applied > 0
),
ranked AS (
    SELECT still_open.*,
           row_number() OVER (PARTITION BY partner_id ORDER BY due_date, number, id) AS position,
           count(*) OVER (PARTITION BY partner_id) AS how_many
    FROM still_open
)
SELECT id, partner_id, number, issue_date, due_date, amount, named_applied, pooled_applied, how_many
FROM ranked WHERE position <= %(per_partner)s ORDER BY partner_id, due_date, number, id
"""
)

# What each partner owes as of %(day)s after its named payments, in total and on the invoices
# overdue by at least 1, 31, 61, 91 and n days; and what it paid. One scan of each fact table.
AGING_SQL = """
WITH money AS (
    SELECT partner_id, invoice_id, SUM(amount) AS amount
    FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s {partner_filter}
    GROUP BY partner_id, invoice_id
),
paid AS (
    SELECT partner_id, SUM(amount) AS total FROM money GROUP BY partner_id
),
owed AS (
    SELECT i.partner_id, i.amount, i.due_date,
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
)
SELECT COALESCE(b.partner_id, paid.partner_id), COALESCE(b.invoiced, 0), COALESCE(paid.total, 0),
       COALESCE(b.named_total, 0), COALESCE(b.owed_all, 0), COALESCE(b.owed_1, 0), COALESCE(b.owed_31, 0),
       COALESCE(b.owed_61, 0), COALESCE(b.owed_91, 0), COALESCE(b.owed_n, 0), b.owed_at
FROM by_partner b FULL JOIN paid ON paid.partner_id = b.partner_id
"""


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


@dataclasses.dataclass(frozen=True)
class OverdueInvoices:
    """A partner's open invoices overdue by at least n days: the most overdue first, and how many in all."""

    invoices: list[InvoiceSettlement]
    count: int


def overdue_invoices(
    *, day: datetime.date, min_days: int, partner_ids: Iterable[int] | None = None, per_partner: int = 20
) -> dict[int, OverdueInvoices]:
    """Partner id → its invoices overdue by at least ``min_days`` on ``day`` that are still open (one query).

    The same allocation as ``invoice_settlements`` (SPEC §4.1), kept to the ``per_partner`` most
    overdue invoices of each partner; partners with none are absent.
    """
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    params = {"tenant": tenant.pk, "day": day, "min_days": max(1, int(min_days)), "per_partner": per_partner, **extra}
    result: dict[int, OverdueInvoices] = {}
    with analytic_cursor() as cursor:
        cursor.execute(OVERDUE_INVOICES_SQL.format(**fragments), params)
        for *row, how_many in cursor.fetchall():
            settlement = InvoiceSettlement(*row, day=day)
            found = result.setdefault(settlement.partner_id, OverdueInvoices(invoices=[], count=how_many))
            found.invoices.append(settlement)
    return result


def receivables_as_of(
    *,
    day: datetime.date,
    partner_ids: Iterable[int] | None = None,
    overdue_days: int = 1,
    overdue_at: Sequence[int] = (),
) -> dict[int, Receivables]:
    """Receivables and aging of every partner (or those given) as of ``day``, in one query.

    Partners with neither invoices nor payments by then are absent (all zeros).
    ``overdue_days`` sets the n of the ``overdue_n`` figure (overdue by at least n days);
    ``overdue_at`` asks for more of them at once, in ``overdue_by`` (n → overdue_amount(D, n)).
    """
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    days = [int(n) for n in overdue_at]
    owed_at = ", ".join(
        f"SUM(after_named) FILTER (WHERE due_date <= %(day)s::date - %(overdue_at_{index})s)"
        for index in range(len(days))
    )
    sql = AGING_SQL.format(owed_at=owed_at, **fragments)
    params = {"tenant": tenant.pk, "day": day, "overdue_days": overdue_days, **extra}
    params.update({f"overdue_at_{index}": n for index, n in enumerate(days)})
    result: dict[int, Receivables] = {}
    with analytic_cursor() as cursor:
        cursor.execute(sql, params)
        for partner_id, invoiced, paid, named, *owed, owed_at_values in cursor.fetchall():
            unnamed_money = paid - named  # what the oldest-due-first allocation hands out
            open_all, open_1, open_31, open_61, open_91, open_n = (max(ZERO, amount - unnamed_money) for amount in owed)
            owed_by = zip(days, owed_at_values or [None] * len(days), strict=True)
            result[partner_id] = Receivables(
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
                overdue_n=open_n,
                overdue_by={n: max(ZERO, (amount or ZERO) - unnamed_money) for n, amount in owed_by},
            )
    return result


def receivables_for(*, partner_id: int, day: datetime.date) -> Receivables:
    return receivables_as_of(day=day, partner_ids=[partner_id]).get(partner_id, Receivables(partner_id, day))
