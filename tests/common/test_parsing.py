"""The one parser of money, days, periods and text (common/parsing.py), by example."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from common.parsing import MAX_DATE, MIN_DATE, ParseError, clean_text, parse_date, parse_money, parse_period
from common.periods import Period

D = datetime.date


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("1234.50", Decimal("1234.50")),
        ("1,234.5", Decimal("1234.50")),
        ("¥1,234.50", Decimal("1234.50")),
        (" -20 ", Decimal("-20.00")),
        ("1.500", Decimal("1.50")),  # trailing zeros are not places
        (1234, Decimal("1234.00")),
        (0.1, Decimal("0.10")),  # a float is read as written, not as its binary neighbour
        (Decimal("99999999999999.99"), Decimal("99999999999999.99")),
        ("0E+999999999", Decimal("0.00")),
    ],
)
def test_money_is_read_to_two_places(value, amount):
    assert parse_money(value) == amount
    assert parse_money(value).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1e30", "too large"),
        (1e30, "too large"),
        (Decimal("1e30"), "too large"),
        ("1e999999999", "too large"),
        ("-1e999999999", "too large"),
        ("100000000000000", "too large"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        (float("inf"), "not an amount"),
        ("12.345", "two decimal places"),
        ("1e-999999999", "two decimal places"),
        ("abc", "not an amount"),
        ("", "not an amount"),
        (None, "not an amount"),
        (True, "not an amount"),
        ([1], "not an amount"),
        ("1" * 100, "not an amount"),
        ("1\x002", "not an amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_message_and_never_overflow(value, says):
    with pytest.raises(ParseError, match=says):
        parse_money(value)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-03-31", D(2026, 3, 31)),
        ("2026/3/31", D(2026, 3, 31)),
        ("2026年3月31日", D(2026, 3, 31)),
        (datetime.datetime(2026, 3, 31, 12, 0), D(2026, 3, 31)),
        ("1900-01-01", MIN_DATE),
        ("2999-12-31", MAX_DATE),
    ],
)
def test_days_are_read_in_iso_and_the_spellings_of_chinese_spreadsheets(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0001-01-01", "outside the days"),
        ("1899-12-31", "outside the days"),
        ("3000-01-01", "outside the days"),
        ("9999-12-31", "outside the days"),
        (D(1, 1, 1), "outside the days"),
        ("2026-02-30", "not a day of the calendar"),
        ("31/03/2026", "not a date"),
        ("20260331", "not a date"),
        ("2026-03-31\x00", "not a date"),
        (None, "not a date"),
    ],
)
def test_bad_days_and_days_outside_1900_to_2999_are_refused(value, says):
    with pytest.raises(ParseError, match=says):
        parse_date(value)


def test_the_arithmetic_the_app_does_on_a_day_survives_both_ends_of_the_range():
    for day in (MIN_DATE, MAX_DATE):
        assert day - datetime.timedelta(days=2 * 366) < day < day + datetime.timedelta(days=3650)
        quarter = Period.containing(day, "quarter")
        assert quarter.previous().year_earlier().start < quarter.next().end


@pytest.mark.parametrize("text", ["0001", "0001-01", "1899-Q4", "3000", "9999-Q4"])
def test_periods_outside_the_years_1900_to_2999_are_refused(text):
    with pytest.raises(ParseError, match="periods run from the year 1900 to 2999"):
        parse_period(text)


def test_the_first_and_last_periods_have_neighbours():
    assert str(parse_period("1900-01").previous()) == "1899-12"
    assert str(parse_period("1900").year_earlier()) == "1899"
    assert str(parse_period("2999-Q4").next()) == "3000-Q1"


def test_a_stored_period_outside_the_years_still_reads():
    assert Period.parse("0001", within_limits=False).year == 1


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("a\x00b", "NUL"),
        ("\ud800", "lone surrogate"),
        ("ok\udfff", "lone surrogate"),
        ("x" * 11, "At most 10 characters"),
        (12, "Write this as text"),
    ],
)
def test_text_with_a_nul_a_lone_surrogate_or_too_long_is_refused(value, says):
    with pytest.raises(ParseError, match=says):
        clean_text(value, max_length=10)


def test_text_is_trimmed_and_chinese_and_emoji_are_welcome():
    assert clean_text("  上海客户 🚀 ", max_length=10) == "上海客户 🚀"
    assert clean_text(None) == ""
