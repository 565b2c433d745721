"""Reading uploaded CSV and XLSX files into ``(line, {field: cell})`` pairs, within bounds.

CSV arrives as UTF-8 (with or without the BOM Excel writes) or GB18030 (what Chinese
Excel writes). Headers may be field names or their English or Chinese labels.

An upload is hostile until read: a few hundred kilobytes of XLSX can unpack to gigabytes
of XML, a workbook's ``<dimension>`` may lie about its rows, a CSV cell may be megabytes
long. So both readers stream from the stored file, count rows as they go and stop as soon
as the row limit is passed; a workbook's zip directory is checked before any XML is
parsed; and every problem is a ``FileRejected`` that names the row and says why.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import zipfile
from collections.abc import Generator, Iterator
from typing import IO, Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .columns import COLUMNS, header_map

logger = logging.getLogger(__name__)

# The longest cell a CSV reader accepts. No column takes more than 500 characters, so a cell
# up to this length still reaches the validator and is reported as a cell error; a longer one
# is a file error (and never a 500: csv's own limit would raise ``_csv.Error``).
CSV_MAX_CELL_CHARACTERS = 10_000
LONGEST_COLUMN_CHARACTERS = 500  # a write-off's reason (see ``columns``)
# The longest record (one row, over all its lines): bounds the cells csv makes of one row,
# so a line of a million commas cannot become a list of a million fields.
CSV_MAX_ROW_CHARACTERS = 1_000_000
# A workbook has a few dozen parts (sheets, styles, relations, pictures).
XLSX_MAX_PARTS = 2_000
# Columns read from a sheet (a template has at most seven; others are ignored). openpyxl makes each row
# as wide as its last cell: one cell in column XFD would make a row of 16,384 cells.
XLSX_MAX_COLUMNS = 100
# Below this size a part's compression ratio says nothing (a small theme compresses 50×).
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024


class FileRejected(ValueError):
    """The file as a whole cannot be read (type, encoding, header, size); nothing was written.

    ``row`` is the row (line) the problem was found at: 1 for the header, 0 for the file as a whole.
    """

    def __init__(self, message: str, *, row: int = 0):
        super().__init__(message)
        self.message = message
        self.row = row

    def as_dict(self) -> dict:
        return {"row": self.row, "field": "", "message": self.message}


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


# --- rows ----------------------------------------------------------------------------------------


def _map_header(kind: str, header: list[Any], headers: dict | None = None) -> list[str | None]:
    """Each header cell's field (or None); ``headers`` is filled with field → the header as the file wrote it."""
    known = header_map(kind)
    fields = [known.get(str(cell or "").strip().lower()) for cell in header]
    if headers is not None:
        for field, cell in zip(fields, header, strict=False):
            if field is not None:
                headers.setdefault(field, str(cell).strip())
    missing = [column for column in COLUMNS[kind] if column.required and column.name not in fields]
    if missing:
        raise FileRejected(
            _("The header row lacks the column(s): %(columns)s. Download the template to see them.")
            % {"columns": pgettext("list separator", ", ").join(str(column.label) for column in missing)},
            row=1,
        )
    return fields


def _rows(
    kind: str, records: Generator[list[Any]], *, max_rows: int, headers: dict | None = None
) -> Iterator[tuple[int, dict]]:
    """Records (the header first) → ``(line, {field: cell})``; stops once past ``max_rows``.

    Every line after the header counts, blank or not: the limit bounds the reading, whatever
    the file holds.
    """
    with contextlib.closing(records):  # the reader lets go of the file as soon as this stops
        yield from _mapped(kind, records, max_rows=max_rows, headers=headers)


def _mapped(
    kind: str, records: Iterator[list[Any]], *, max_rows: int, headers: dict | None = None
) -> Iterator[tuple[int, dict]]:
    try:
        header = next(records)
    except StopIteration:
        raise FileRejected(_("The file is empty."), row=1) from None
    fields = _map_header(kind, header, headers)
    for line, record in enumerate(records, start=2):
        if line - 1 > max_rows:
            raise FileRejected(
                _(
                    "The file has more than %(limit)s rows after its header (row %(row)s is past the limit); "
                    "split it into smaller files. Nothing was read past that row."
                )
                % {"limit": _count(max_rows), "row": _count(line)},
                row=line,
            )
        if not any(cell not in (None, "") and str(cell).strip() for cell in record):
            continue  # blank lines are not rows
        row = {field: value for field, value in zip(fields, record, strict=False) if field is not None}
        yield line, row


# --- CSV -----------------------------------------------------------------------------------------


def _csv_encoding(handle: IO[bytes]) -> str:
    """UTF-8 (BOM or not) or GB18030, decided by decoding the whole file in chunks (no copy in memory)."""
    for encoding in ("utf-8-sig", "gb18030"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRejected(_("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8) and try again."))


class _RowTooLong(Exception):
    pass


class _BoundedLines:
    """The lines of a text stream for ``csv.reader``, never more than a row's worth at a time."""

    def __init__(self, text: IO[str]):
        self.text = text
        self.row_characters = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(CSV_MAX_ROW_CHARACTERS + 1)
        if not line:
            raise StopIteration
        self.row_characters += len(line)
        if self.row_characters > CSV_MAX_ROW_CHARACTERS:
            raise _RowTooLong
        return line


def _csv_records(handle: IO[bytes], encoding: str) -> Iterator[list[str]]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    lines = _BoundedLines(text)
    reader = csv.reader(lines)
    # csv's limit is per process; this read sets its own and puts the old one back when done.
    previous_limit = csv.field_size_limit(CSV_MAX_CELL_CHARACTERS)
    row = 1
    try:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except _RowTooLong:
                raise FileRejected(
                    _("Row %(row)s is longer than %(limit)s characters; is the file really a CSV table?")
                    % {"row": _count(row), "limit": _count(CSV_MAX_ROW_CHARACTERS)},
                    row=row,
                ) from None
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise FileRejected(
                        _(
                            "Row %(row)s has a cell longer than %(limit)s characters; no column takes more "
                            "than %(longest)s."
                        )
                        % {
                            "row": _count(row),
                            "limit": _count(CSV_MAX_CELL_CHARACTERS),
                            "longest": _count(LONGEST_COLUMN_CHARACTERS),
                        },
                        row=row,
                    ) from error
                raise FileRejected(
                    _("Row %(row)s is not valid CSV (check its quotes): %(reason)s")
                    % {"row": _count(row), "reason": error},
                    row=row,
                ) from error
            yield record
            row += 1
            lines.row_characters = 0
    finally:
        csv.field_size_limit(previous_limit)
        with contextlib.suppress(ValueError):
            text.detach()  # the caller owns the file; closing the wrapper would close it


def read_csv(kind: str, handle: IO[bytes], *, max_rows: int, headers: dict | None = None) -> Iterator[tuple[int, dict]]:
    encoding = _csv_encoding(handle)
    return _rows(kind, _csv_records(handle, encoding), max_rows=max_rows, headers=headers)


# --- XLSX ----------------------------------------------------------------------------------------


def _not_a_workbook() -> FileRejected:
    return FileRejected(
        _(
            "The file is not an Excel workbook (.xlsx). A password-protected workbook must be saved "
            "without its password first."
        )
    )


def _megabytes(size: int) -> str:
    return number_format(size / 1048576, 1, force_grouping=True)


def inspect_xlsx(handle: IO[bytes]) -> int:
    """Check a workbook's zip directory without unpacking it; return its unpacked size in bytes.

    Refused: a file that is not a zip, a workbook that unpacks to more than
    ``FACTS_MAX_XLSX_UNCOMPRESSED_BYTES``, a large part compressed more than
    ``FACTS_MAX_XLSX_COMPRESSION_RATIO`` times (a zip bomb), and any XML part with a document
    type declaration (Excel never writes one; entities are how XML bombs expand).
    Python's ``zipfile`` stops every part at the size its directory declares (and then fails
    its CRC check), so the declared sizes bound what the parser will ever read.
    """
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_a_workbook() from None
    with archive:
        parts = archive.infolist()
        if len(parts) > XLSX_MAX_PARTS:
            raise FileRejected(
                _("The workbook has %(count)s parts; a workbook of data has a few dozen.")
                % {"count": _count(len(parts))}
            )
        total = sum(part.file_size for part in parts)
        limit = settings.FACTS_MAX_XLSX_UNCOMPRESSED_BYTES
        if total > limit:
            raise FileRejected(
                _(
                    "The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. Split it, or save it as CSV "
                    "and upload that."
                )
                % {"size": _megabytes(total), "limit": _megabytes(limit)}
            )
        ratio_limit = settings.FACTS_MAX_XLSX_COMPRESSION_RATIO
        for part in parts:
            if part.file_size > XLSX_RATIO_FLOOR_BYTES and part.file_size > ratio_limit * max(part.compress_size, 1):
                raise FileRejected(
                    _(
                        "The workbook's part “%(part)s” is compressed %(ratio)s times; a spreadsheet never is. "
                        "It was not opened."
                    )
                    % {"part": part.filename[:100], "ratio": _count(part.file_size // max(part.compress_size, 1))}
                )
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")) and part.file_size:
                _refuse_document_type(archive, part)
    return total


def _refuse_document_type(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Parse a part only up to its first element: a DTD can only stand before it."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    try:
        with archive.open(part) as source:
            for _event in iterparse(source, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException:
        raise FileRejected(
            _(
                "The workbook's part “%(part)s” declares a document type or XML entities, which Excel never "
                "writes; the file was not opened."
            )
            % {"part": part.filename[:100]}
        ) from None
    except (ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise _not_a_workbook() from None


def _xlsx_records(workbook) -> Iterator[list[Any]]:
    try:
        sheet = workbook.worksheets[0]
        # Never the workbook's own <dimension>: read-only sheets stop at its last row, and it may lie.
        sheet.reset_dimensions()
        values = sheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        logger.info("Unreadable workbook: %r", error)
        workbook.close()
        raise _not_a_workbook() from error
    row = 1
    try:
        while True:
            try:
                record = next(values)
            except StopIteration:
                return
            except Exception as error:  # a damaged part, a bad cell reference, a forbidden entity…
                logger.info("Workbook unreadable at row %d: %r", row, error)
                raise FileRejected(
                    _("The workbook cannot be read from row %(row)s on: it is damaged or was not saved by Excel.")
                    % {"row": _count(row)},
                    row=row,
                ) from error
            yield list(record)
            row += 1
    finally:
        workbook.close()


def read_xlsx(
    kind: str, handle: IO[bytes], *, max_rows: int, headers: dict | None = None
) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    inspect_xlsx(handle)
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        logger.info("Unreadable workbook: %r", error)
        raise _not_a_workbook() from error
    return _rows(kind, _xlsx_records(workbook), max_rows=max_rows, headers=headers)


# --- either --------------------------------------------------------------------------------------


def is_xlsx(filename: str) -> bool:
    return filename.lower().endswith(".xlsx")


def read_upload(
    kind: str, filename: str, handle: IO[bytes], *, max_rows: int, headers: dict | None = None
) -> Iterator[tuple[int, dict]]:
    """The rows of an uploaded file, read lazily from ``handle`` (which the caller keeps open).

    ``headers``, when given, is filled with field → the column's header as the file wrote it (``日期``
    for ``date``), so errors can name the column the way the user did.
    """
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return read_csv(kind, handle, max_rows=max_rows, headers=headers)
    if is_xlsx(lowered):
        return read_xlsx(kind, handle, max_rows=max_rows, headers=headers)
    raise FileRejected(_("Upload a .csv or .xlsx file."))


def real_size(filename: str, handle: IO[bytes]) -> int:
    """What reading the file will go through: its bytes for CSV, its unpacked bytes for XLSX.

    Never the workbook's own account of its rows. Raises ``FileRejected`` for a workbook
    that must not be opened.
    """
    if is_xlsx(filename):
        return inspect_xlsx(handle)
    handle.seek(0, io.SEEK_END)
    return handle.tell()
