"""The one validator behind every way in (API rows, CSV, XLSX).

It reads every row, checks every cell and the rows against each other and the database,
and returns either clean rows or every error as ``{row, field, message}``.

``validate_rows_per_cell`` is the definition, cell by cell. ``validate_rows``, what the imports
call, first tries the fast path (``validate_bulk``: the batch column by column, handed on as
COPY text), which accepts only batches the definition accepts, and leaves every other batch
to the definition, which names its errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from partners.models import Partner

from ..models import Invoice
from .columns import COLUMNS, CellError
from .validate_bulk import CopyText, validate_rows_in_bulk
from .write import COLUMNS as WRITTEN_COLUMNS

MAX_REPORTED_ERRORS = 1000


@dataclasses.dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclasses.dataclass
class Validated:
    kind: str
    rows: list[dict]
    errors: list[RowError]
    error_count: int
    copy_text: CopyText | None = None  # the clean batch, when the fast path read it (``rows`` is then empty)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, row: int, field: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(RowError(row, field, str(message)))


def validate_rows(
    kind: str,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    progress=None,
) -> Validated:
    """Check ``(row number, {field: cell})`` pairs of one kind, as ``validate_rows_per_cell`` does, faster."""
    rows = list(rows)
    copy_text = validate_rows_in_bulk(kind, rows, written_columns=WRITTEN_COLUMNS[kind])
    if copy_text is None:
        return validate_rows_per_cell(kind, rows, progress=progress)
    if progress is not None:
        for position in range(10000, len(rows) + 1, 10000):
            progress(position)
    return Validated(kind=kind, rows=[], errors=[], error_count=0, copy_text=copy_text)


def validate_rows_per_cell(
    kind: str,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    progress=None,
) -> Validated:
    """Check ``(row number, {field: cell})`` pairs of one kind; nothing is written here.

    The definition of a valid batch and of its errors, cell by cell.
    """
    columns = COLUMNS[kind]
    errors = _Errors()
    clean: list[dict] = []
    seen_external_ids: dict[str, int] = {}
    for position, (number, raw) in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            errors.add(number, "", _("Each row must be an object of fields."))
            continue
        unknown = set(raw) - {column.name for column in columns}
        for field in sorted(unknown):
            errors.add(number, field, _("Unknown field."))
        row: dict[str, Any] = {"_row": number}
        for column in columns:
            value = raw.get(column.name)
            empty = value is None or (isinstance(value, str) and not value.strip())
            if empty:
                if column.required:
                    errors.add(number, column.name, _("This field is required."))
                row[column.name] = None
                continue
            try:
                row[column.name] = column.parse(value)
            except CellError as error:
                errors.add(number, column.name, str(error))
                row[column.name] = None
        external_id = row.get("external_id")
        if external_id:
            if external_id in seen_external_ids:
                errors.add(
                    number,
                    "external_id",
                    _("The external id “%(id)s” is already on row %(row)d of this batch.")
                    % {"id": external_id, "row": seen_external_ids[external_id]},
                )
            else:
                seen_external_ids[external_id] = number
        _check_row(kind, row, errors)
        clean.append(row)
        if progress is not None and position % 10000 == 0:
            progress(position)
    _resolve_partners(clean, errors)
    if kind == "invoices":
        _check_invoice_numbers(clean, errors)
    if kind == "payments":
        _resolve_invoices(clean, errors)
    order = {column.name: position for position, column in enumerate(columns)}

    def in_file_order(error: RowError) -> tuple:
        return (error.row, order.get(error.field, len(order)), error.field)

    return Validated(kind=kind, rows=clean, errors=sorted(errors.items, key=in_file_order), error_count=errors.count)


def _check_row(kind: str, row: dict, errors: _Errors) -> None:
    number = row["_row"]
    amount = row.get("amount")
    if kind in {"invoices", "payments", "writeoffs"} and amount is not None and amount <= 0:
        errors.add(number, "amount", _("The amount must be greater than zero."))
    if kind == "sales" and row.get("cost") is not None and row["cost"] < 0:
        errors.add(number, "cost", _("The cost cannot be negative."))
    if kind == "invoices" and row.get("issue_date") and row.get("due_date") and row["due_date"] < row["issue_date"]:
        errors.add(number, "due_date", _("The due date is before the issue date."))


def _resolve_partners(rows: list[dict], errors: _Errors) -> None:
    codes = {row["partner"] for row in rows if row.get("partner")}
    known = dict(Partner.objects.filter(code__in=codes).values_list("code", "id"))
    for row in rows:
        code = row.get("partner")
        if code is None:
            continue
        partner_id = known.get(code)
        if partner_id is None:
            errors.add(row["_row"], "partner", _("No partner with code “%(code)s”.") % {"code": code})
        row["partner_id"] = partner_id


def _check_invoice_numbers(rows: list[dict], errors: _Errors) -> None:
    """An invoice number names one invoice in the tenant: in the batch and in the database."""
    seen: dict[str, int] = {}
    for row in rows:
        number = row.get("number")
        if not number:
            continue
        if number in seen:
            errors.add(
                row["_row"],
                "number",
                _("Invoice number “%(number)s” is already on row %(row)d of this batch.")
                % {"number": number, "row": seen[number]},
            )
        else:
            seen[number] = row["_row"]
    existing = dict(Invoice.objects.filter(number__in=seen).values_list("number", "external_id"))
    for row in rows:
        owner = existing.get(row.get("number"))
        if owner is not None and owner != row.get("external_id"):
            errors.add(
                row["_row"],
                "number",
                _("Invoice number “%(number)s” belongs to another invoice (external id %(owner)s).")
                % {"number": row["number"], "owner": owner},
            )


def _resolve_invoices(rows: list[dict], errors: _Errors) -> None:
    """A payment may name the invoice it pays: it must exist and be the same partner's."""
    numbers = {row["invoice"] for row in rows if row.get("invoice")}
    known = {
        number: (invoice_id, partner_id)
        for number, invoice_id, partner_id in Invoice.objects.filter(number__in=numbers).values_list(
            "number", "id", "partner_id"
        )
    }
    for row in rows:
        number = row.get("invoice")
        row["invoice_id"] = None
        if not number:
            continue
        found = known.get(number)
        if found is None:
            errors.add(row["_row"], "invoice", _("No invoice with number “%(number)s”.") % {"number": number})
        elif row.get("partner_id") is not None and found[1] != row["partner_id"]:
            errors.add(
                row["_row"],
                "invoice",
                _("Invoice “%(number)s” is another partner's.") % {"number": number},
            )
        else:
            row["invoice_id"] = found[0]
