"""Reads for facts: a partner's statement of account and its monthly figures."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .calculations import ZERO, invoice_settlements, receivables_for
from .models import Payment, Sale


def monthly_totals(model, *, partner, since: datetime.date, date_field: str = "date") -> list[dict]:
    """Sum of amounts per month since ``since``: one query."""
    return list(
        model.objects.filter(partner=partner, **{f"{date_field}__gte": since})
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )


def statement_of_account(*, partner, day: datetime.date) -> dict:
    """What the partner owes as of ``day``, invoice by invoice, with its recent money in and out."""
    since = (day.replace(day=1) - datetime.timedelta(days=365)).replace(day=1)
    settlements = invoice_settlements(day=day, partner_ids=[partner.pk])
    return {
        "day": day,
        "receivables": receivables_for(partner_id=partner.pk, day=day),
        "open_invoices": [settlement for settlement in settlements if settlement.open_amount > 0],
        "recent_payments": list(
            Payment.objects.filter(partner=partner, date__lte=day)
            .select_related("invoice")
            .order_by("-date", "-id")[:20]
        ),
        "months": _merge_months(
            monthly_totals(Sale, partner=partner, since=since),
            monthly_totals(Payment, partner=partner, since=since),
        ),
    }


def _merge_months(sales: list[dict], collections: list[dict]) -> list[dict]:
    months: dict = {}
    for row in sales:
        months.setdefault(row["month"], {"month": row["month"], "sales": ZERO, "collections": ZERO})["sales"] = row[
            "total"
        ]
    for row in collections:
        entry = months.setdefault(row["month"], {"month": row["month"], "sales": ZERO, "collections": ZERO})
        entry["collections"] = row["total"]
    return [months[month] for month in sorted(months, reverse=True)]


def trailing_totals(*, partner, day: datetime.date, days: int = 365) -> dict:
    """Sales and collections in the ``days`` ending ``day`` (two queries)."""
    since = day - datetime.timedelta(days=days)
    window = {"partner": partner, "date__gt": since, "date__lte": day}
    return {
        "sales": Sale.objects.filter(**window).aggregate(total=Sum("amount"))["total"] or ZERO,
        "collections": Payment.objects.filter(**window).aggregate(total=Sum("amount"))["total"] or ZERO,
    }
