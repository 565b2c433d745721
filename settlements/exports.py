"""A period's statements as CSV and XLSX (SPEC §4.6): one row per statement line, in the reader's language.

Each row carries its statement (partner code and name, period, status) and the statement's
total; amounts stay numbers (a spreadsheet adds them up) with the currency in its own column.
Cells a spreadsheet would run as formulas are neutralised (``facts.exports``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Case, Value, When
from django.utils import translation
from django.utils.translation import gettext as _

from common.periods import Period
from facts.exports import csv_stream, xlsx_bytes

from .models import LineKind, StatementLine, StatementStatus
from .pdf import KIND_ORDER

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclasses.dataclass(frozen=True)
class Words:
    """The labels of a file, taken in the reader's language when the request is answered.

    (A streamed CSV is written after the view has returned: its words are fixed before that.)
    """

    language: str
    headers: list[str]
    statuses: dict[str, str]
    kinds: dict[str, str]

    @classmethod
    def now(cls) -> Words:
        return cls(
            language=translation.get_language(),
            headers=[
                _("Partner code"),
                _("Partner"),
                _("Period"),
                _("Status"),
                _("Kind"),
                _("Source"),
                _("Version"),
                _("Basis"),
                _("Rate (%)"),
                _("Amount"),
                _("Currency"),
                _("Explanation"),
                _("Reason"),
                _("Statement total"),
            ],
            statuses={value: str(label) for value, label in StatementStatus.choices},
            kinds={value: str(label) for value, label in LineKind.choices},
        )


def lines_for_export(statements):
    """The lines of ``statements`` (a scoped queryset), with their statement and partner, in file order.

    Statement by statement (period, then partner code); in each, the lines in the PDF's order.
    """
    kind_order = Case(
        *[When(kind=kind, then=Value(position)) for kind, position in KIND_ORDER.items()],
        default=Value(len(KIND_ORDER)),
    )
    return (
        StatementLine.objects.filter(statement__in=statements)
        .select_related("statement__partner")
        .order_by("statement__starts_on", "statement__partner__code", "statement_id", kind_order, "source_code", "id")
    )


def _plain(number: Decimal | None) -> Decimal | None:
    """``3.0000`` → ``3``, ``100.0000`` → ``100`` (never ``1E+2``)."""
    return None if number is None else Decimal(f"{number.normalize():f}")


def export_rows(lines, words: Words) -> Iterator[list]:
    period_labels: dict[str, str] = {}
    for line in lines.iterator(chunk_size=2000):
        statement = line.statement
        if statement.period not in period_labels:
            with translation.override(words.language):
                period_labels[statement.period] = Period.parse(statement.period).label
        yield [
            statement.partner.code,
            statement.partner.name,
            period_labels[statement.period],
            words.statuses.get(statement.status, statement.status),
            words.kinds.get(line.kind, line.kind),
            line.source_code,
            line.source_version,
            line.basis,
            _plain(line.rate_percent),
            line.amount,
            statement.currency,
            line.explanation,
            line.reason,
            statement.total,
        ]


def export_csv(lines, words: Words) -> Iterator[str]:
    """The CSV, streamed (UTF-8 with a BOM for Excel)."""
    return csv_stream(words.headers, export_rows(lines, words))


def export_xlsx(lines, words: Words, *, title: str) -> bytes:
    return xlsx_bytes(words.headers, export_rows(lines, words), title=title)


def export_filename(period: Period, file_format: str) -> str:
    return f"statements-{period}.{file_format}"
