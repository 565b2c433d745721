"""The numbers of communication: the satisfaction figure, time to first answer against the SLA, and iCalendar text.

Pure functions: no request, no database.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UP_TO = 6  # 0 to 6


@dataclasses.dataclass(frozen=True)
class Satisfaction:
    """A group of pulse answers: the satisfaction figure (share of 9–10 minus share of 0–6, in percentage
    points, −100 to 100) and the mean score (0–10), both to one place, half up; None without answers."""

    answers: int
    promoters: int
    detractors: int
    figure: Decimal | None
    mean: Decimal | None


def satisfaction(scores: Iterable[int]) -> Satisfaction:
    scores = list(scores)
    count = len(scores)
    if not count:
        return Satisfaction(0, 0, 0, None, None)
    promoters = sum(1 for score in scores if score >= PROMOTER_FROM)
    detractors = sum(1 for score in scores if score <= DETRACTOR_UP_TO)
    figure = (Decimal(100) * (promoters - detractors) / count).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    mean = (Decimal(sum(scores)) / count).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return Satisfaction(count, promoters, detractors, figure, mean)


def mean_rating(ratings: Iterable[int]) -> Decimal | None:
    """The mean 1–5 rating of closed tickets, to one place; None when none was rated."""
    ratings = [rating for rating in ratings if rating is not None]
    if not ratings:
        return None
    return (Decimal(sum(ratings)) / len(ratings)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# --- the SLA -------------------------------------------------------------------------------------


def answer_due_at(opened_at: datetime.datetime, sla_hours: int) -> datetime.datetime:
    """When a ticket opened at ``opened_at`` must have its first answer: calendar hours, day and night."""
    return opened_at + datetime.timedelta(hours=sla_hours)


def time_to_first_answer(opened_at: datetime.datetime, first_answered_at: datetime.datetime | None):
    """How long the partner waited for the first answer (None while it waits)."""
    if first_answered_at is None:
        return None
    return first_answered_at - opened_at


def breaches_sla(
    *, answer_due_at: datetime.datetime, first_answered_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Answered after the due time, or still unanswered past it. Answered exactly on time is inside."""
    if first_answered_at is not None:
        return first_answered_at > answer_due_at
    return now > answer_due_at


# --- iCalendar (RFC 5545) ------------------------------------------------------------------------

CRLF = "\r\n"


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    text = str(text or "").replace("\x00", "")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return (CRLF + " ").join(parts)


@dataclasses.dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: datetime.date
    summary: str
    description: str = ""
    stamp: datetime.datetime | None = None


def ics_calendar(events: Sequence[CalendarEvent], *, name: str = "") -> str:
    """A VCALENDAR of all-day events, CRLF line ends, escaped and folded."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Qudao//Business reviews//EN", "CALSCALE:GREGORIAN"]
    if name:
        lines.append(f"X-WR-CALNAME:{ics_escape(name)}")
    for event in events:
        stamp = (event.stamp or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ics_escape(event.uid)}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{ics_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return CRLF.join(ics_fold(line) for line in lines) + CRLF
