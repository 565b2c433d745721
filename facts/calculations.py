"""Receivables (SPEC §4.1), set-based: one statement for every partner of the tenant at once.

Payments settle invoices as of day D (only invoices issued and payments dated on or before D):
first the invoice a payment names (up to what that invoice still owes), then the rest of
the partner's money — payments naming none, and what a named invoice could not absorb —
goes to its open invoices oldest due date first (then number), as one running sum.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from tenancy.context import require_tenant

ZERO = Decimal("0.00")
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")

# The open amount of every invoice as of %(day)s. Parameters: tenant, day, partner filter.
INVOICE_SETTLEMENT_SQL = """
WITH inv AS (
    SELECT id, partner_id, number, issue_date, due_date, amount
    FROM facts_invoice
    WHERE tenant_id = %(tenant)s AND issue_date <= %(day)s {partner_filter}
),
pay AS (
    SELECT p.partner_id, p.amount, inv.id AS invoice_id
    FROM facts_payment p
    LEFT JOIN inv ON inv.id = p.invoice_id
    WHERE p.tenant_id = %(tenant)s AND p.date <= %(day)s {payment_partner_filter}
),
named AS (
    SELECT inv.id, LEAST(inv.amount, SUM(pay.amount)) AS applied
    FROM inv JOIN pay ON pay.invoice_id = inv.id
    GROUP BY inv.id, inv.amount
),
named_by_partner AS (
    SELECT inv.partner_id, SUM(named.applied) AS applied FROM named JOIN inv ON inv.id = named.id
    GROUP BY inv.partner_id
),
pool AS (
    SELECT paid.partner_id, paid.money - COALESCE(named_by_partner.applied, 0) AS money
    FROM (SELECT partner_id, SUM(amount) AS money FROM pay GROUP BY partner_id) paid
    LEFT JOIN named_by_partner ON named_by_partner.partner_id = paid.partner_id
),
remaining AS (
    SELECT inv.*, COALESCE(named.applied, 0) AS named_applied, inv.amount - COALESCE(named.applied, 0) AS owed
    FROM inv LEFT JOIN named ON named.id = inv.id
),
ordered AS (
    SELECT remaining.*,
           COALESCE(SUM(owed) OVER (
               PARTITION BY partner_id ORDER BY due_date, number, id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed_before
    FROM remaining
)
SELECT ordered.id, ordered.partner_id, ordered.number, ordered.issue_date, ordered.due_date, ordered.amount,
       ordered.named_applied,
       GREATEST(0, LEAST(ordered.owed, COALESCE(pool.money, 0) - ordered.owed_before)) AS pooled_applied
FROM ordered LEFT JOIN pool ON pool.partner_id = ordered.partner_id
"""

AGING_SQL = f"""
WITH settled AS ({INVOICE_SETTLEMENT_SQL}),
open_invoices AS (
    SELECT partner_id, amount - named_applied - pooled_applied AS open_amount,
           (%(day)s::date - due_date) AS days_overdue
    FROM settled
),
invoiced AS (
    SELECT partner_id, SUM(amount) AS total FROM facts_invoice
    WHERE tenant_id = %(tenant)s AND issue_date <= %(day)s {{partner_filter}} GROUP BY partner_id
),
paid AS (
    SELECT partner_id, SUM(amount) AS total FROM facts_payment
    WHERE tenant_id = %(tenant)s AND date <= %(day)s {{partner_filter}} GROUP BY partner_id
),
aging AS (
    SELECT partner_id,
        SUM(open_amount) FILTER (WHERE days_overdue <= 0) AS current,
        SUM(open_amount) FILTER (WHERE days_overdue BETWEEN 1 AND 30) AS days_1_30,
        SUM(open_amount) FILTER (WHERE days_overdue BETWEEN 31 AND 60) AS days_31_60,
        SUM(open_amount) FILTER (WHERE days_overdue BETWEEN 61 AND 90) AS days_61_90,
        SUM(open_amount) FILTER (WHERE days_overdue > 90) AS days_over_90,
        SUM(open_amount) FILTER (WHERE days_overdue >= 1) AS overdue_1,
        SUM(open_amount) FILTER (WHERE days_overdue >= %(overdue_days)s) AS overdue_n
    FROM open_invoices WHERE open_amount > 0 GROUP BY partner_id
)
SELECT COALESCE(invoiced.partner_id, paid.partner_id) AS partner_id,
       COALESCE(invoiced.total, 0) AS invoiced, COALESCE(paid.total, 0) AS paid,
       aging.current, aging.days_1_30, aging.days_31_60, aging.days_61_90, aging.days_over_90,
       aging.overdue_1, aging.overdue_n
FROM invoiced
FULL JOIN paid ON paid.partner_id = invoiced.partner_id
LEFT JOIN aging ON aging.partner_id = COALESCE(invoiced.partner_id, paid.partner_id)
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
        return {"partner_filter": "", "payment_partner_filter": ""}, {}
    return (
        {
            "partner_filter": "AND partner_id = ANY(%(partners)s)",
            "payment_partner_filter": "AND p.partner_id = ANY(%(partners)s)",
        },
        {"partners": list(partner_ids)},
    )


def invoice_settlements(*, day: datetime.date, partner_ids: Iterable[int] | None = None) -> list[InvoiceSettlement]:
    """Every invoice issued by ``day`` with what is settled on it (the rows behind the aging)."""
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    sql = INVOICE_SETTLEMENT_SQL.format(**fragments) + " ORDER BY ordered.partner_id, ordered.due_date, ordered.number"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tenant": tenant.pk, "day": day, **extra})
        return [InvoiceSettlement(*row, day=day) for row in cursor.fetchall()]


def receivables_as_of(
    *, day: datetime.date, partner_ids: Iterable[int] | None = None, overdue_days: int = 1
) -> dict[int, Receivables]:
    """Receivables and aging of every partner (or those given) as of ``day``, in one query.

    Partners with neither invoices nor payments by then are absent (all zeros).
    ``overdue_days`` sets the n of the ``overdue_n`` figure (overdue by at least n days).
    """
    tenant = require_tenant()
    fragments, extra = _filters(partner_ids)
    sql = AGING_SQL.format(**fragments)
    params = {"tenant": tenant.pk, "day": day, "overdue_days": overdue_days, **extra}
    result: dict[int, Receivables] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for partner_id, invoiced, paid, *amounts in cursor.fetchall():
            current, d30, d60, d90, over90, overdue_1, overdue_n = (amount or ZERO for amount in amounts)
            result[partner_id] = Receivables(
                partner_id=partner_id,
                day=day,
                invoiced=invoiced,
                paid=paid,
                current=current,
                days_1_30=d30,
                days_31_60=d60,
                days_61_90=d90,
                days_over_90=over90,
                overdue=overdue_1,
                overdue_n=overdue_n,
            )
    return result


def receivables_for(*, partner_id: int, day: datetime.date) -> Receivables:
    return receivables_as_of(day=day, partner_ids=[partner_id]).get(partner_id, Receivables(partner_id, day))
