"""Reads for facts: a partner's statement of account and its monthly figures, a row's history."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from partners.models import Partner

from .calculations import ZERO, invoice_settlements, receivables_for
from .imports.write import COLUMNS as WRITTEN_COLUMNS
from .models import FactChange, Invoice, Payment, Sale


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


@dataclasses.dataclass(frozen=True)
class FieldChange:
    field: str  # the column's name in the upload template (``amount``, ``partner``…)
    old: Any
    new: Any


@dataclasses.dataclass(frozen=True)
class RowChange:
    """One change of a fact row as a reader may see it."""

    changed_at: datetime.datetime
    changed_by: str | None  # an e-mail; None when the reader may not know who (or nobody is known)
    by_vendor: bool  # the reader is partner-side: show “the vendor”
    import_job_id: int | None
    fields: list[FieldChange]


@dataclasses.dataclass(frozen=True)
class RowHistory:
    changes: list[RowChange]
    earlier_hidden: bool  # older changes exist that the reader may not see


def fact_history(*, kind: str, fact, partner_id: int | None = None) -> RowHistory:
    """The changes of one fact row, newest first: three queries, however long the history.

    ``partner_id`` is the reader's own partner for a partner-side reader: it never learns who on
    the vendor side changed the row nor through which import, and sees no change from the time
    the row belonged to another partner (that partner's values are not its to see).
    """
    changes = FactChange.objects.filter(kind=kind, fact_id=fact.pk).select_related("changed_by")
    entries = list(changes.order_by("-created_at", "-id"))
    earlier_hidden = False
    if partner_id is not None:
        visible = []
        for entry in entries:
            if str(entry.old_values.get("partner_id")) != str(partner_id):
                earlier_hidden = True
                break
            visible.append(entry)
        entries = visible
    names = _referenced_names(entries, partner_id=partner_id)
    changes = []
    for entry in entries:
        fields = [
            FieldChange(
                field=_FIELD_OF_COLUMN.get(column, column),
                old=_readable(column, entry.old_values.get(column), names),
                new=_readable(column, entry.new_values.get(column), names),
            )
            for column in sorted(entry.changed_fields(), key=_in_row_order(kind))
        ]
        changes.append(
            RowChange(
                changed_at=entry.created_at,
                changed_by=None if partner_id is not None or entry.changed_by is None else entry.changed_by.email,
                by_vendor=partner_id is not None,
                import_job_id=None if partner_id is not None else entry.import_job_id,
                fields=fields,
            )
        )
    return RowHistory(changes=changes, earlier_hidden=earlier_hidden)


_FIELD_OF_COLUMN = {"partner_id": "partner", "invoice_id": "invoice"}


def _in_row_order(kind: str):
    order = {column: position for position, column in enumerate(WRITTEN_COLUMNS[kind])}
    return lambda column: order.get(column, len(order))


_MONEY = frozenset({"amount", "cost"})
_DATES = frozenset({"date", "issue_date", "due_date"})


def _referenced_names(entries: list[FactChange], *, partner_id: int | None) -> dict[tuple[str, str], str]:
    """Partner codes and invoice numbers for the ids the changes name (one query each)."""
    ids: dict[str, set[int]] = {"partner_id": set(), "invoice_id": set()}
    for entry in entries:
        for values in (entry.old_values, entry.new_values):
            for column, found in ids.items():
                if values.get(column):
                    found.add(int(values[column]))
    names: dict[tuple[str, str], str] = {}
    if ids["partner_id"]:
        for pk, code in Partner.objects.filter(pk__in=ids["partner_id"]).values_list("pk", "code"):
            names[("partner_id", str(pk))] = code
    if ids["invoice_id"]:
        invoices = Invoice.objects.filter(pk__in=ids["invoice_id"])
        if partner_id is not None:  # another partner's invoice number is not the reader's to see
            invoices = invoices.filter(partner_id=partner_id)
        for pk, number in invoices.values_list("pk", "number"):
            names[("invoice_id", str(pk))] = number
    return names


def _readable(column: str, value: str | None, names: dict[tuple[str, str], str]) -> Any:
    if value is None or value == "":
        return None
    if column in _FIELD_OF_COLUMN:
        return names.get((column, value), "—")
    if column in _MONEY:
        return Decimal(value)
    if column in _DATES:
        return datetime.date.fromisoformat(value)
    return value
