"""The validator's fast path: a whole batch checked column by column, not cell by cell.

``validate.validate_rows_per_cell`` is the definition; this path must agree with it on every
batch. It only ever *accepts* a batch: it checks each column at once where the cells are in
their plain form (one regular expression over the column's text for amounts and text; each
distinct value parsed once, by the definition's own parser, for dates, partner codes and
categories, which repeat), reads any other column cell by cell with the definition's parser,
and the rows against each other and the database with set operations. The moment it meets
anything the definition would report — a bad cell, a blank required one, an unknown field or
partner, a duplicate — it stops, and the definition reads the batch and names every error, so
errors, rows, messages, order and counts are the definition's by construction.

An accepted batch comes out as the COPY text of the written columns (``write.COLUMNS``), which
PostgreSQL reads into the staging table: no Decimal or date object is made per cell, and the
plain forms it passes on ("1234.5", "2026-03-31") are read by PostgreSQL to the very values
the definition's parser gives.
"""

from __future__ import annotations

import dataclasses
import datetime
import operator
import re
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from django.db import connection

from common.bulk import CopyText
from partners.models import Partner
from tenancy.context import require_tenant

from ..models import Invoice
from .columns import COLUMNS, CellError, Column, parse_date, parse_money
from .write import TEXT_DEFAULTS

# Plain amounts: what parse_money reads to the same number that PostgreSQL's numeric(16, 2) does.
_AMOUNT = r"-?[0-9]{1,14}+(?:\.[0-9]{1,2}+)?+"
# Every line of a column's text (lines end in "\n") a plain amount. Possessive: a line parses one
# way only, and sre then keeps no backtracking state per line (13 times faster).
_AMOUNT_LINES = re.compile(rf"(?:{_AMOUNT}\n)*+")
_ZERO_AMOUNT = re.compile(r"(?:\A|\n)-?0+(?:\.0*)?(?=\n|\Z)")
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


class _Refused(Exception):
    """The fast path cannot accept the batch: the definition reads it and names its errors."""


def _copy_escape(text: str) -> str:
    if _COPY_SPECIAL.search(text):
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _escape_column(texts: list[str]) -> list[str]:
    """COPY's escapes, over a whole column at once (the cells hold no NUL)."""
    joined = "\x00".join(texts)
    if not _COPY_SPECIAL.search(joined):
        return texts
    return _copy_escape(joined).split("\x00")


def _as_copy_text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, str):
        return _copy_escape(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)  # a Decimal, quantized: "1234.50"


def _only_text(cells: Sequence[Any]) -> bool:
    return set(map(type, cells)) == {str}


def _cell(column: Column, cell: Any) -> Any:
    """The definition's reading of one cell; refused where it finds an error."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        if column.required:
            raise _Refused
        return None
    try:
        return column.parse(cell)
    except CellError:
        raise _Refused from None


def _cells_one_by_one(column: Column, cells: Sequence[Any]) -> list[Any]:
    """The definition's reading of each cell: of each distinct text once, when every cell is text."""
    if _only_text(cells):
        read = {cell: _cell(column, cell) for cell in set(cells)}
        return list(map(read.__getitem__, cells))
    return [_cell(column, cell) for cell in cells]


@dataclasses.dataclass
class _Column:
    """A checked column: its COPY texts, and its values where a check between columns needs them."""

    texts: list[str]
    values: list[Any] | None = None


def _storable(joined: str) -> bool:
    """No lone surrogate (the text has a UTF-8 form)."""
    if joined.isascii():
        return True
    try:
        joined.encode()
    except UnicodeEncodeError:
        return False
    return True


def _text_column(column: Column, cells: list[Any], *, max_length: int, text_default: bool) -> _Column:
    if _only_text(cells):
        joined = "\x00".join(cells)
        if (
            joined.count("\x00") == len(cells) - 1  # no cell holds a NUL
            and _storable(joined)
            and "\x00".join(map(str.strip, cells)) == joined  # nothing to strip
            and (not column.required or min(map(len, cells)) > 0)
            and max(map(len, cells)) <= max_length
        ):
            return _Column(_escape_column(cells), cells)
    values = _cells_one_by_one(column, cells)
    if text_default:
        values = ["" if value is None else value for value in values]
    return _Column([_as_copy_text(value) for value in values], values)


def _money_column(column: Column, cells: list[Any], *, sign: str) -> _Column:
    """``sign``: "any", "not negative" or "positive" (else refused, as the definition's row check)."""
    if _only_text(cells):
        joined = "\n".join(cells)
        plain = _AMOUNT_LINES.fullmatch(joined + "\n") is not None
        if plain and sign != "any":
            plain = "-" not in joined and (sign == "not negative" or not _ZERO_AMOUNT.search(joined))
        if plain:
            return _Column(cells)
    values = _cells_one_by_one(column, cells)
    if sign == "not negative" and any(value is not None and value < 0 for value in values):
        raise _Refused
    if sign == "positive" and any(value is not None and value <= 0 for value in values):
        raise _Refused
    return _Column([_as_copy_text(value) for value in values], values)


def _date_column(column: Column, cells: list[Any]) -> _Column:
    """As ISO text, which orders as the days do (years 1900 to 2999): the checks between columns use it."""
    if _only_text(cells):
        read = {cell: _as_copy_text(_cell(column, cell)) for cell in set(cells)}
        return _Column(list(map(read.__getitem__, cells)))
    return _Column([_as_copy_text(_cell(column, cell)) for cell in cells])


def _column(kind: str, column: Column, cells: list[Any]) -> _Column:
    if column.parse is parse_date:
        return _date_column(column, cells)
    if column.parse is parse_money:
        if column.name == "cost":
            sign = "not negative"
        else:
            sign = "any" if kind == "sales" else "positive"
        return _money_column(column, cells, sign=sign)
    return _text_column(
        column,
        cells,
        max_length=TEXT_LENGTHS[column.name],
        text_default=column.name in TEXT_DEFAULTS,
    )


# The text columns' lengths (``columns.text(n)`` keeps n in a closure): the fast check needs them.
TEXT_LENGTHS = {
    "external_id": 100,
    "partner": 50,
    "customer": 200,
    "product_category": 100,
    "number": 64,
    "invoice": 64,
    "reason": 500,
}


def validate_rows_in_bulk(
    kind: str, rows: Sequence[tuple[int, Mapping[str, Any]]], *, written_columns: tuple[str, ...]
) -> CopyText | None:
    """The batch as COPY text of ``written_columns`` when it is clean; None when the definition must read it."""
    try:
        return _accepted(kind, rows, written_columns)
    except _Refused:
        return None


def _accepted(kind: str, rows: Sequence[tuple[int, Mapping[str, Any]]], written: tuple[str, ...]) -> CopyText:
    columns = COLUMNS[kind]
    names = [column.name for column in columns]
    raws = [raw for _number, raw in rows]
    if not raws or set(map(type, raws)) != {dict}:
        raise _Refused
    if not set(chain.from_iterable(raws)) <= set(names):
        raise _Refused  # an unknown field
    try:
        table = list(zip(*map(operator.itemgetter(*names), raws), strict=True))
    except KeyError:  # a field left out: the definition reads it as blank
        table = [[raw.get(name) for raw in raws] for name in names]
    checked = {column.name: _column(kind, column, list(cells)) for column, cells in zip(columns, table, strict=True)}
    external_ids = checked["external_id"].texts
    if len(set(external_ids)) != len(external_ids):
        raise _Refused  # a duplicate in the batch
    partner_ids = _partner_ids(_values(checked["partner"]))
    if kind == "invoices":
        _check_invoices(checked)
    invoice_ids = _invoice_ids(checked, partner_ids) if kind == "payments" else None
    texts = {name: column.texts for name, column in checked.items()}
    texts["partner_id"] = partner_ids
    if invoice_ids is not None:
        texts["invoice_id"] = invoice_ids
    lines = map("\t".join, zip(*(texts[name] for name in written), strict=True))
    return CopyText(columns=written, count=len(raws), text="\n".join(lines) + "\n")


def _values(column: _Column) -> list[Any]:
    return column.values if column.values is not None else column.texts


def _partner_ids(codes: list[str]) -> list[str]:
    """The partners' ids as text, by code in the tenant in scope (the query the definition makes, as one array)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code, id::text FROM {Partner._meta.db_table} WHERE tenant_id = %s AND code = ANY(%s)",
            [require_tenant().pk, list(set(codes))],
        )
        known = dict(cursor.fetchall())
    try:
        return list(map(known.__getitem__, codes))
    except KeyError:
        raise _Refused from None  # a partner code the tenant does not have


def _check_invoices(checked: dict[str, _Column]) -> None:
    """Issue before due; each number one invoice, in the batch and the database."""
    if any(map(operator.lt, _values(checked["due_date"]), _values(checked["issue_date"]))):
        raise _Refused
    numbers = _values(checked["number"])
    if len(set(numbers)) != len(numbers):
        raise _Refused
    owners = dict(zip(numbers, _values(checked["external_id"]), strict=True))
    for number, owner in Invoice.objects.filter(number__in=owners).values_list("number", "external_id"):
        if owners[number] != owner:
            raise _Refused


def _invoice_ids(checked: dict[str, _Column], partner_ids: list[str]) -> list[str]:
    """Each payment's invoice (by number, the same partner's) as COPY text, or null."""
    numbers = _values(checked["invoice"])
    named = {number for number in numbers if number}
    known: dict[str, tuple[str, str]] = {
        number: (str(invoice_id), str(partner_id))
        for number, invoice_id, partner_id in Invoice.objects.filter(number__in=named).values_list(
            "number", "id", "partner_id"
        )
    }
    ids = []
    for number, partner_id in zip(numbers, partner_ids, strict=True):
        if not number:
            ids.append(NULL)
            continue
        found = known.get(number)
        if found is None or found[1] != partner_id:
            raise _Refused
        ids.append(found[0])
    return ids
