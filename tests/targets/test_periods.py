"""Periods by example (SPEC §3): a month, a quarter or a year is the closed range of its days."""

import datetime

import pytest
from django.utils import translation

from common.periods import Period, PeriodKind

D = datetime.date


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "days"),
    [
        ("2026-03", PeriodKind.MONTH, D(2026, 3, 1), D(2026, 3, 31), 31),
        ("2026-02", PeriodKind.MONTH, D(2026, 2, 1), D(2026, 2, 28), 28),
        ("2024-02", PeriodKind.MONTH, D(2024, 2, 1), D(2024, 2, 29), 29),
        ("2026-Q1", PeriodKind.QUARTER, D(2026, 1, 1), D(2026, 3, 31), 90),
        ("2026-Q4", PeriodKind.QUARTER, D(2026, 10, 1), D(2026, 12, 31), 92),
        ("2026", PeriodKind.YEAR, D(2026, 1, 1), D(2026, 12, 31), 365),
        ("2024", PeriodKind.YEAR, D(2024, 1, 1), D(2024, 12, 31), 366),
    ],
)
def test_a_period_is_the_closed_range_of_its_days(text, kind, start, end, days):
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, period.days) == (kind, start, end, days)
    assert str(period) == text


@pytest.mark.parametrize(("text", "canonical"), [("2026-3", "2026-03"), (" 2026-q2 ", "2026-Q2"), ("2026", "2026")])
def test_loose_spellings_are_read_and_written_back_canonically(text, canonical):
    assert str(Period.parse(text)) == canonical


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-13", "no month 13"),
        ("2026-00", "no month 00"),
        ("2026-Q5", "no quarter 5"),
        ("2026-Q0", "no quarter 0"),
        ("26-03", "is not a period"),
        ("March 2026", "is not a period"),
        ("", "is not a period"),
        ("0000", "no year 0"),
    ],
)
def test_bad_periods_are_refused_with_a_message_saying_why(text, says):
    with pytest.raises(ValueError, match=says):
        Period.parse(text)


def test_a_period_that_is_not_text_is_refused():
    with pytest.raises(ValueError, match="2026-Q1"):
        Period.parse(202601)


@pytest.mark.parametrize(
    ("text", "previous"),
    [("2026-03", "2026-02"), ("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"), ("2026", "2025")],
)
def test_the_previous_period_is_the_same_length_period_just_before(text, previous):
    assert str(Period.parse(text).previous()) == previous


def test_next_and_a_year_earlier():
    assert str(Period.parse("2026-12").next()) == "2027-01"
    assert str(Period.parse("2026-Q4").next()) == "2027-Q1"
    assert str(Period.parse("2026-Q2").year_earlier()) == "2025-Q2"
    assert str(Period.parse("2026-02").year_earlier()) == "2025-02"


def test_contains_includes_the_first_and_the_last_day():
    quarter = Period.parse("2026-Q1")
    assert quarter.contains(D(2026, 1, 1))
    assert quarter.contains(D(2026, 3, 31))
    assert not quarter.contains(D(2025, 12, 31))
    assert not quarter.contains(D(2026, 4, 1))


@pytest.mark.parametrize(
    ("day", "kind", "text"),
    [
        (D(2026, 5, 17), "month", "2026-05"),
        (D(2026, 5, 17), "quarter", "2026-Q2"),
        (D(2026, 12, 31), PeriodKind.QUARTER, "2026-Q4"),
        (D(2026, 5, 17), "year", "2026"),
    ],
)
def test_the_period_containing_a_day(day, kind, text):
    assert str(Period.containing(day, kind)) == text


def test_periods_are_values():
    assert Period.parse("2026-Q1") == Period("quarter", 2026, 1)
    assert len({Period.parse("2026-Q1"), Period.parse("2026-q1")}) == 1


def test_labels_are_for_people():
    assert Period.parse("2026-03").label == "March 2026"
    assert Period.parse("2026-Q1").label == "Q1 2026"
    assert Period.parse("2026").label == "Year 2026"
