"""The one place that reads money, days, periods and text from the outside world (SPEC §3).

Every edge parses through these functions: the API's fields and JSON parser, the page forms,
query parameters and filters, the import validator. A bad value becomes a ``ParseError`` whose
message says why, in the user's language (a 400, a form error or a row error), and never reaches
arithmetic or PostgreSQL that would fail on it: a ``quantize`` that overflows, a date that steps
out of the calendar, a NUL byte PostgreSQL refuses, a lone surrogate psycopg cannot encode.

Days are kept between 1900-01-01 and 2999-12-31. Channel data, contracts and history are never
older than 1900 (where spreadsheets' own calendars start) and 2999-12-31 still leaves room for
an "open-ended" end date; the app's date arithmetic (a year back for a statement of account,
two years back for scores, 90 days of aging, a year earlier for a split, a period before or
after) then stays well inside Python's years 1–9999, which a day near either end would not.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .periods import Period

MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2999, 12, 31)
MAX_MONEY = Decimal("100000000000000")  # 10^14: what DECIMAL(16, 2) holds
MONEY_DIGITS = 14  # places before the point
CENT = Decimal("0.01")
MAX_NUMBER_TEXT = 64  # no amount is written with more characters than this

NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE_PARTS = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class ParseError(ValueError):
    """A value that cannot be read; ``message`` (and ``str()``) says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- text ------------------------------------------------------------------------------------


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, a lone surrogate), or None when it can.

    PostgreSQL refuses the NUL character in text, and a lone surrogate (``"\\ud800"`` in JSON)
    is not a character at all: it has no UTF-8 form, so psycopg cannot send it.
    """
    if NUL in text:
        return _("Text cannot contain the NUL character (\\u0000).")
    if _SURROGATE.search(text):
        return _("Text cannot contain a lone surrogate (\\ud800–\\udfff); send it as UTF-8.")
    return None


def clean_text(value: Any, *, max_length: int | None = None, strip: bool = True) -> str:
    """Text as it may be stored: no NUL, no lone surrogate, at most ``max_length`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ParseError(_("Write this as text."))
    problem = text_problem(value)
    if problem:
        raise ParseError(problem)
    text = value.strip() if strip else value
    if max_length is not None and len(text) > max_length:
        raise ParseError(
            _("At most %(max)d characters (this has %(count)d).") % {"max": max_length, "count": len(text)}
        )
    return text


# --- days ------------------------------------------------------------------------------------


def check_date(day: datetime.date, *, shown: Any = None) -> datetime.date:
    """``day`` when it lies between MIN_DATE and MAX_DATE; a ParseError otherwise."""
    if not MIN_DATE <= day <= MAX_DATE:
        raise ParseError(
            _("“%(value)s” is outside the days Qudao keeps (%(first)s to %(last)s).")
            % {"value": day.isoformat() if shown is None else shown, "first": MIN_DATE, "last": MAX_DATE}
        )
    return day


def parse_date(value: Any) -> datetime.date:
    """A day: a date, or text as ``2026-03-31`` (also ``2026/3/31``, ``2026.03.31``, ``2026年3月31日``)."""
    if isinstance(value, datetime.datetime):
        return check_date(value.date())
    if isinstance(value, datetime.date):
        return check_date(value)
    text = str(value).strip() if value is not None else ""
    if text_problem(text):
        text = ""  # not echoed back: a NUL or a surrogate in a message would be trouble of its own
    match = _DATE_PARTS.match(text)
    if not match:
        raise ParseError(_("“%(value)s” is not a date; write it as 2026-03-31.") % {"value": text[:MAX_NUMBER_TEXT]})
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ParseError(_("“%(value)s” is not a day of the calendar.") % {"value": text}) from None
    return check_date(day, shown=text)


# --- money -----------------------------------------------------------------------------------


def _not_an_amount(value: Any) -> ParseError:
    shown = "" if isinstance(value, str) and text_problem(value) else str(value)
    return ParseError(_("“%(value)s” is not an amount; write it as 1234.50.") % {"value": shown[:MAX_NUMBER_TEXT]})


def parse_money(value: Any) -> Decimal:
    """An amount of money: two places at most, less than 10^14 either way (what the tables hold).

    Takes a Decimal, an int, a float (read as written: ``0.1`` is 0.10) or text, where thousands
    separators and a ¥/￥ sign are allowed (``"¥1,234.50"``). The magnitude is judged before any
    rounding: ``quantize`` on ``1e30`` would overflow the decimal context instead of answering.
    """
    if isinstance(value, bool):
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": value})
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("¥", "").replace("￥", "")
        if len(text) > MAX_NUMBER_TEXT or text_problem(text):
            raise _not_an_amount(value)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise _not_an_amount(value) from None
    else:
        raise _not_an_amount("" if value is None else value)
    if not amount.is_finite():
        raise _not_an_amount(value)
    if amount and amount.adjusted() >= MONEY_DIGITS:
        raise ParseError(_("The amount is too large."))
    # Below 10^14 with at most 28 significant digits in the context: quantizing is safe from here.
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):
        raise ParseError(_("An amount has at most two decimal places (“%(value)s”).") % {"value": value})
    return amount.quantize(CENT)


# --- periods ---------------------------------------------------------------------------------


def parse_period(value: Any) -> Period:
    """A month ``2026-03``, a quarter ``2026-Q1`` or a year ``2026``, in the years of MIN_DATE to MAX_DATE."""
    from .periods import Period

    return Period.parse(value)
