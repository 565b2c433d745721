"""Pace by example: “on course for 87%” = (actual to date / days elapsed × days in the period) / value."""

import datetime
from decimal import Decimal

from targets.calculations import pace, paces

from .helpers import sale, sales, target

D = datetime.date


def test_before_the_period_starts_there_is_no_pace(acme):
    april = target(acme.own, "sales", "2026-04", "3000")
    assert pace(april, D(2026, 3, 31)) is None


def test_within_the_period_the_rate_so_far_is_projected_to_its_end(acme):
    # given 1,000 sold in the first 10 of April's 30 days, on a target of 3,450
    sales(sale(acme.own, "2026-04-03", "600.00"), sale(acme.own, "2026-04-10", "400.00"))
    sales(sale(acme.own, "2026-04-11", "5000.00"))  # after the day: not counted yet
    april = target(acme.own, "sales", "2026-04", "3450")
    # when
    found = pace(april, D(2026, 4, 10))
    # then 1000 / 10 × 30 = 3000, 3000 / 3450 = 0.869565… → 0.8696 (“on course for 87%”)
    assert found.actual_to_date == Decimal("1000.00")
    assert (found.elapsed_days, found.period_days) == (10, 30)
    assert found.projected_attainment == Decimal("0.8696")
    assert not found.is_final


def test_on_the_first_day_the_first_days_sales_count(acme):
    sales(sale(acme.own, "2026-01-01", "10.00"))
    quarter = target(acme.own, "sales", "2026-Q1", "900")
    # 10 / 1 × 90 / 900 = 1
    assert pace(quarter, D(2026, 1, 1)).projected_attainment == Decimal("1.0000")


def test_after_the_period_the_pace_is_the_final_attainment(acme):
    sales(sale(acme.own, "2026-04-03", "600.00"), sale(acme.own, "2026-04-30", "900.00"))
    april = target(acme.own, "sales", "2026-04", "2000")
    for day in (D(2026, 4, 30), D(2026, 6, 1)):
        found = pace(april, day)
        assert found.is_final
        assert found.projected_attainment == Decimal("0.7500")
        assert found.actual_to_date == Decimal("1500.00")


def test_paces_of_many_targets_at_once(acme):
    sales(sale(acme.own, "2026-04-05", "300.00"))
    april = target(acme.own, "sales", "2026-04", "900")
    may = target(acme.own, "sales", "2026-05", "900")
    found = paces([april, may], D(2026, 4, 10))
    assert found[may.pk] is None
    assert found[april.pk].projected_attainment == Decimal("1.0000")  # 300 / 10 × 30 / 900
