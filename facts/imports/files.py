"""Reading uploaded CSV and XLSX files into ``(line, {field: cell})`` pairs.

CSV arrives as UTF-8 (with or without the BOM Excel writes) or GB18030 (what Chinese
Excel writes). Headers may be field names or their English or Chinese labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from .columns import COLUMNS, header_map


class FileRejected(ValueError):
    """The file as a whole cannot be read (type, encoding, header, size)."""


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8) and try again."))


def _map_header(kind: str, header: list[Any]) -> list[str | None]:
    known = header_map(kind)
    fields = [known.get(str(cell or "").strip().lower()) for cell in header]
    required = [column.name for column in COLUMNS[kind] if column.required]
    missing = [name for name in required if name not in fields]
    if missing:
        raise FileRejected(
            _("The header row lacks the column(s): %(columns)s. Download the template to see them.")
            % {"columns": ", ".join(missing)}
        )
    return fields


def _rows(kind: str, records: Iterator[list[Any]]) -> Iterator[tuple[int, dict]]:
    try:
        header = next(records)
    except StopIteration:
        raise FileRejected(_("The file is empty.")) from None
    fields = _map_header(kind, header)
    for line, record in enumerate(records, start=2):
        if not any(cell not in (None, "") and str(cell).strip() for cell in record):
            continue  # blank lines are not rows
        row = {field: value for field, value in zip(fields, record, strict=False) if field is not None}
        yield line, row


def read_csv(kind: str, data: bytes) -> Iterator[tuple[int, dict]]:
    text = decode_csv(data)
    return _rows(kind, iter(csv.reader(io.StringIO(text, newline=""))))


def read_xlsx(kind: str, data: bytes) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRejected(_("The file is not an Excel workbook (.xlsx).")) from error
    sheet = workbook.worksheets[0]
    return _rows(kind, (list(row) for row in sheet.iter_rows(values_only=True)))


def read_upload(kind: str, filename: str, data: bytes) -> Iterator[tuple[int, dict]]:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return read_csv(kind, data)
    if lowered.endswith(".xlsx"):
        return read_xlsx(kind, data)
    raise FileRejected(_("Upload a .csv or .xlsx file."))
