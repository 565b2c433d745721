"""Periods (SPEC §3): a month ``2026-03``, a quarter ``2026-Q1`` or a year ``2026``.

A period is the closed range of its days, first and last day included. Targets, goals,
settlement runs and rebate programs all speak of periods; this is the one place that
reads, writes and does arithmetic on them.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .parsing import MAX_DATE, MIN_DATE, ParseError, text_problem


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq](\d)$")
_MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclasses.dataclass(frozen=True)
class Period:
    """A month, quarter or year. ``number`` is the month (1–12) or quarter (1–4); 1 for a year."""

    kind: PeriodKind
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PeriodKind(self.kind))
        limit = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        if not (1 <= self.year <= 9999 and 1 <= self.number <= limit):
            raise ValueError(f"not a {self.kind}: {self.year}/{self.number}")

    # --- reading and writing ---------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, within_limits: bool = True) -> Period:
        """``"2026-03"``, ``"2026-Q1"`` (or ``q1``) or ``"2026"``; a ParseError (a ValueError) says what is wrong.

        Input must fall in the years Qudao keeps (``common.parsing``: 1900 to 2999), so that the
        period before it, or a year earlier, still exists. ``within_limits=False`` reads a period
        already stored, whatever its year, so that rows from before the limits still show.
        """
        if not isinstance(text, str):
            raise ParseError(_("A period is text such as 2026-03, 2026-Q1 or 2026."))
        cleaned = text.strip()
        if match := _YEAR.match(cleaned):
            period = cls._build(text, PeriodKind.YEAR, match[1], "1")
        elif match := _QUARTER.match(cleaned):
            period = cls._build(text, PeriodKind.QUARTER, match[1], match[2])
        elif match := _MONTH.match(cleaned):
            period = cls._build(text, PeriodKind.MONTH, match[1], match[2])
        else:
            raise ParseError(
                _("“%(text)s” is not a period: write a month as 2026-03, a quarter as 2026-Q1 or a year as 2026.")
                % {"text": "" if text_problem(text) else text[:40]}
            )
        if within_limits and not MIN_DATE.year <= period.year <= MAX_DATE.year:
            raise ParseError(
                _("“%(text)s”: periods run from the year %(first)s to %(last)s.")
                % {"text": text, "first": MIN_DATE.year, "last": MAX_DATE.year}
            )
        return period

    @classmethod
    def _build(cls, text: str, kind: PeriodKind, year: str, number: str) -> Period:
        if int(year) < 1:
            raise ParseError(_("“%(text)s”: there is no year 0.") % {"text": text})
        if kind == PeriodKind.MONTH and not 1 <= int(number) <= 12:
            raise ParseError(_("“%(text)s”: there is no month %(number)s; months are 01 to 12.") % {
                "text": text, "number": number})  # fmt: skip
        if kind == PeriodKind.QUARTER and not 1 <= int(number) <= 4:
            raise ParseError(_("“%(text)s”: there is no quarter %(number)s; quarters are Q1 to Q4.") % {
                "text": text, "number": number})  # fmt: skip
        return cls(kind, int(year), int(number))

    def __str__(self) -> str:
        """The canonical text, as stored and as the API writes it."""
        if self.kind == PeriodKind.YEAR:
            return f"{self.year:04d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def label(self) -> str:
        """For people, in the active language: “March 2026” / “2026年3月”, “Q1 2026”, “Year 2026”."""
        if self.kind == PeriodKind.MONTH:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.number, "year": self.year}
        return _("Year %(year)s") % {"year": self.year}

    # --- the days --------------------------------------------------------------------------

    @property
    def start(self) -> datetime.date:
        """The first day."""
        first_month = (self.number - 1) * _MONTHS_IN[self.kind] + 1
        return datetime.date(self.year, first_month, 1)

    @property
    def end(self) -> datetime.date:
        """The last day (included)."""
        last_month = self.number * _MONTHS_IN[self.kind]
        return datetime.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        """How many days the period has (the first and the last included)."""
        return (self.end - self.start).days + 1

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def containing(cls, day: datetime.date, kind: PeriodKind | str) -> Period:
        """The month, quarter or year that ``day`` falls in."""
        kind = PeriodKind(kind)
        number = (day.month - 1) // _MONTHS_IN[kind] + 1
        return cls(kind, day.year, number)

    # --- arithmetic ------------------------------------------------------------------------

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        per_year = 12 // _MONTHS_IN[self.kind]
        index = self.year * per_year + (self.number - 1) + steps
        return Period(self.kind, index // per_year, index % per_year + 1)

    def previous(self) -> Period:
        """The same-length period just before: 2026-Q1 → 2025-Q4, 2026-03 → 2026-02, 2026 → 2025."""
        return self.shifted(-1)

    def next(self) -> Period:
        return self.shifted(1)

    def year_earlier(self) -> Period:
        """The same period one year before: 2026-Q1 → 2025-Q1."""
        return Period(self.kind, self.year - 1, self.number)
