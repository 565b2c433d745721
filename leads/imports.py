"""Leads in bulk: a CSV or XLSX upload, with the facts validator's all-or-nothing contract.

The file is read by the facts import readers (``facts.imports.files``: UTF-8 or GB18030 CSV, XLSX
checked for zip bombs and XML entities, rows counted as they are read), the headers may be field
names or their English or Chinese labels, and every cell is checked before anything is written:
one bad cell and nothing is made; every error names its row and column.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext

from facts.imports import files
from facts.imports.columns import CellError, Column, parse_money, text
from facts.imports.validate import MAX_REPORTED_ERRORS, RowError

from .models import COMPANY_MAX_LENGTH

MAX_ROWS = 10_000  # leads per file
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 10,000 rows of CSV take about 1 MB

COLUMNS: tuple[Column, ...] = (
    Column(
        "company", gettext_lazy("Company"), text(COMPANY_MAX_LENGTH), aliases=("公司", "客户", "客户名称", "企业名称")
    ),
    Column("region", gettext_lazy("Region"), text(100), aliases=("区域", "地区", "省份")),
    Column("industry", gettext_lazy("Industry"), text(100), aliases=("行业",)),
    Column("value", gettext_lazy("Value"), parse_money, required=False, aliases=("金额", "预计金额", "价值")),
    Column("contact", gettext_lazy("Contact"), text(200), required=False, aliases=("联系人", "联系方式")),
    Column("description", gettext_lazy("Description"), text(4000), required=False, aliases=("描述", "说明", "备注")),
)


def header_map() -> dict[str, str]:
    """Every header a user may write (field name, English or Chinese label, alias) → field name."""
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        names = {column.name, *column.aliases}
        for language in ("en", "zh-hans"):
            with override(language):
                names.add(str(column.label))
        for name in names:
            mapping[name.strip().lower()] = column.name
    return mapping


def _fields(header: list[Any], headers: dict) -> list[str | None]:
    known = header_map()
    fields = [known.get(str(cell or "").strip().lower()) for cell in header]
    for field, cell in zip(fields, header, strict=False):
        if field is not None:
            headers.setdefault(field, str(cell).strip())
    missing = [column for column in COLUMNS if column.required and column.name not in fields]
    if missing:
        raise files.FileRejected(
            _("The header row lacks the column(s): %(columns)s. Download the template to see them.")
            % {"columns": pgettext("list separator", ", ").join(str(column.label) for column in missing)},
            row=1,
        )
    return fields


def _rows(records: Iterator[list[Any]], headers: dict) -> Iterator[tuple[int, dict]]:
    with contextlib.closing(records):
        try:
            header = next(records)
        except StopIteration:
            raise files.FileRejected(_("The file is empty."), row=1) from None
        fields = _fields(header, headers)
        for line, record in enumerate(records, start=2):
            if line - 1 > MAX_ROWS:
                raise files.FileRejected(
                    _("The file has more than %(limit)s rows after its header; split it into smaller files.")
                    % {"limit": f"{MAX_ROWS:,}"},
                    row=line,
                )
            if not any(cell not in (None, "") and str(cell).strip() for cell in record):
                continue
            yield line, {field: value for field, value in zip(fields, record, strict=False) if field is not None}


def read_upload(filename: str, handle: IO[bytes], headers: dict) -> Iterator[tuple[int, dict]]:
    """The rows of an uploaded lead file, lazily; ``headers`` gets field → the header as the file wrote it."""
    lowered = (filename or "").lower()
    if lowered.endswith(".csv"):
        encoding = files._csv_encoding(handle)
        return _rows(files._csv_records(handle, encoding), headers)
    if lowered.endswith(".xlsx"):
        from openpyxl import load_workbook

        files.inspect_xlsx(handle)
        handle.seek(0)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise files._not_a_workbook() from error
        return _rows(files._xlsx_records(workbook), headers)
    raise files.FileRejected(_("Upload a .csv or .xlsx file."))


def validate_leads(rows: Iterable[tuple[int, dict]]) -> tuple[list[dict], list[RowError], int]:
    """Check every cell of every row; ``(clean rows, errors (at most MAX_REPORTED_ERRORS), error count)``."""
    clean: list[dict] = []
    errors: list[RowError] = []
    count = 0

    def add(row: int, field: str, message: str) -> None:
        nonlocal count
        count += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(RowError(row, field, str(message)))

    for number, raw in rows:
        if not isinstance(raw, dict):
            add(number, "", _("Each row must be an object of fields."))
            continue
        row: dict[str, Any] = {}
        for field in sorted(set(raw) - {column.name for column in COLUMNS}):
            add(number, field, _("Unknown field."))
        for column in COLUMNS:
            value = raw.get(column.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required:
                    add(number, column.name, _("This field is required."))
                row[column.name] = None
                continue
            try:
                row[column.name] = column.parse(value)
            except CellError as error:
                add(number, column.name, str(error))
                row[column.name] = None
        if row.get("value") is not None and row["value"] < 0:
            add(number, "value", _("The value cannot be negative."))
        clean.append(row)
    return clean, errors, count


def column_labels() -> dict[str, str]:
    return {column.name: str(column.label) for column in COLUMNS}
