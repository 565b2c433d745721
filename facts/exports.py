"""CSV and XLSX exports of facts, with cells a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """Text that Excel or LibreOffice would run as a formula gets a leading apostrophe.

    Numbers and dates are written as what they are (a negative amount stays a number).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date | Decimal | int):
        return str(value)
    return str(neutralise(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """UTF-8 with a BOM, so that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(str(header)) for header in headers])
    for row in rows:
        yield writer.writerow([_cell_text(value) for value in row])


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(str(header)) for header in headers])
    for row in rows:
        sheet.append([neutralise(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
