"""The numbers of communication, worked by hand: the satisfaction figure, the SLA, iCalendar text."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communication import calculations
from communication.calculations import CalendarEvent, ics_calendar, ics_escape, ics_fold, satisfaction

UTC = datetime.UTC


def test_the_satisfaction_figure_is_the_share_of_9_and_10_minus_the_share_of_0_to_6():
    # given ten answers: three promoters (9, 10, 10), two passives (7, 8), five detractors (0, 3, 5, 6, 6)
    scores = [9, 10, 10, 7, 8, 0, 3, 5, 6, 6]

    result = satisfaction(scores)

    # then 30% − 50% = −20 points; the mean is 64 / 10 = 6.4
    assert (result.answers, result.promoters, result.detractors) == (10, 3, 2 + 3)
    assert result.figure == Decimal("-20.0")
    assert result.mean == Decimal("6.4")


def test_the_figure_rounds_half_up_to_one_place():
    # 2 promoters, 1 passive of 3: 66.666… → 66.7; mean (9 + 10 + 8) / 3 = 9.0
    result = satisfaction([9, 10, 8])
    assert (result.figure, result.mean) == (Decimal("66.7"), Decimal("9.0"))
    # 1 promoter, 0 detractors of 8: 12.5 exactly; mean (10 + 7 × 7) / 8 = 7.375 → 7.4
    result = satisfaction([10, 7, 7, 7, 7, 7, 7, 7])
    assert (result.figure, result.mean) == (Decimal("12.5"), Decimal("7.4"))


def test_no_answers_give_no_figure():
    result = satisfaction([])
    assert (result.answers, result.figure, result.mean) == (0, None, None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60))
def test_the_figure_is_between_minus_100_and_100_and_the_mean_between_0_and_10(scores):
    result = satisfaction(scores)
    assert Decimal(-100) <= result.figure <= Decimal(100)
    assert Decimal(0) <= result.mean <= Decimal(10)
    assert result.promoters + result.detractors <= result.answers


def test_the_mean_ticket_rating():
    assert calculations.mean_rating([5, 4, 4, None]) == Decimal("4.3")
    assert calculations.mean_rating([]) is None


# --- the SLA -------------------------------------------------------------------------------------

OPENED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_answer_is_due_sla_hours_after_opening_day_and_night():
    assert calculations.answer_due_at(OPENED, 24) == datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert calculations.answer_due_at(OPENED, 4) == datetime.datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_an_answer_on_the_due_minute_is_inside_the_sla_and_a_second_later_is_not():
    due = calculations.answer_due_at(OPENED, 24)
    now = due + datetime.timedelta(days=3)

    assert not calculations.breaches_sla(answer_due_at=due, first_answered_at=due, now=now)
    assert calculations.breaches_sla(answer_due_at=due, first_answered_at=due + datetime.timedelta(seconds=1), now=now)


def test_an_unanswered_ticket_breaches_only_once_its_time_is_up():
    due = calculations.answer_due_at(OPENED, 24)

    assert not calculations.breaches_sla(answer_due_at=due, first_answered_at=None, now=due)
    assert calculations.breaches_sla(answer_due_at=due, first_answered_at=None, now=due + datetime.timedelta(minutes=1))


def test_time_to_first_answer():
    answered = OPENED + datetime.timedelta(hours=3, minutes=30)
    assert calculations.time_to_first_answer(OPENED, answered) == datetime.timedelta(hours=3, minutes=30)
    assert calculations.time_to_first_answer(OPENED, None) is None


# --- iCalendar -----------------------------------------------------------------------------------


def test_ics_text_values_escape_backslash_semicolon_comma_and_line_breaks():
    assert ics_escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert ics_escape("nul\x00byte") == "nulbyte"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "渠道" * 40
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *[part[1:] for part in parts[1:]]]) == line


def test_a_calendar_uses_crlf_and_all_day_events():
    stamp = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    text = ics_calendar(
        [CalendarEvent(uid="review-1@acme", day=datetime.date(2026, 4, 10), summary="Review; Q1, 2026", stamp=stamp)]
    )

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART;VALUE=DATE:20260410\r\nDTEND;VALUE=DATE:20260411\r\n" in text
    assert "DTSTAMP:20260301T080000Z" in text
    assert "SUMMARY:Review\\; Q1\\, 2026\r\n" in text
