"""Target attainment by worked example (SPEC §4.2): actual, attainment four places half up, the mean."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.calculations import actuals, attainment, attainments, mean_attainment_on

from .helpers import payments, sale, sales, target

D = datetime.date


def test_sales_actual_is_the_sum_of_sale_amounts_dated_in_the_period_returns_included(acme):
    # given sales in, before and after 2026-Q1, and a return in it
    sales(
        sale(acme.own, "2025-12-31", "999.00"),  # before
        sale(acme.own, "2026-01-01", "1000.00"),  # first day
        sale(acme.own, "2026-02-15", "500.50"),
        sale(acme.own, "2026-03-20", "-200.00"),  # a return counts
        sale(acme.own, "2026-03-31", "100.00"),  # last day
        sale(acme.own, "2026-04-01", "999.00"),  # after
        sale(acme.other, "2026-02-01", "777.00"),  # another partner
    )
    goal = target(acme.own, "sales", "2026-Q1", "2000")
    # when / then
    assert actuals([goal]) == {goal.pk: Decimal("1400.50")}


def test_collections_actual_is_the_sum_of_payments_dated_in_the_period(acme):
    payments(acme.own, ("2026-02-28", "300.00"), ("2026-03-01", "450.25"), ("2026-03-31", "49.75"), ("2026-04-01", "9"))
    payments(acme.other, ("2026-03-10", "1000.00"))
    march = target(acme.own, "collections", "2026-03", "1000")
    assert actuals([march]) == {march.pk: Decimal("500.00")}


def test_new_customers_counts_customers_whose_first_sale_with_the_partner_falls_in_the_period(acme):
    sales(
        sale(acme.own, "2025-11-05", "100.00", customer="老客户"),  # first sale before the period: not new
        sale(acme.own, "2026-01-10", "100.00", customer="老客户"),
        sale(acme.own, "2026-01-15", "100.00", customer="新客户一"),  # new
        sale(acme.own, "2026-03-02", "50.00", customer="新客户一"),  # same customer again
        sale(acme.own, "2026-03-31", "80.00", customer="新客户二"),  # new, last day
        sale(acme.own, "2026-04-02", "80.00", customer="以后的客户"),  # after the period
        sale(acme.other, "2025-06-01", "100.00", customer="别家客户"),  # first with another partner…
        sale(acme.own, "2026-02-01", "100.00", customer="别家客户"),  # …but new with this one
    )
    quarter = target(acme.own, "new_customers", "2026-Q1", "4")
    assert actuals([quarter]) == {quarter.pk: Decimal("3")}
    assert attainments([quarter]) == {quarter.pk: Decimal("0.7500")}


def test_a_target_with_no_facts_has_an_actual_of_zero(acme):
    empty = target(acme.own, "sales", "2026-Q2", "100")
    assert actuals([empty]) == {empty.pk: Decimal("0")}


@pytest.mark.parametrize(
    ("actual", "value", "expected"),
    [
        ("1", "3", "0.3333"),
        ("2", "3", "0.6667"),
        ("0.00005", "1", "0.0001"),  # a tie rounds half up
        ("0.00015", "1", "0.0002"),
        ("-0.00005", "1", "-0.0001"),  # away from zero
        ("1500.00", "1000.00", "1.5000"),
        ("0", "5", "0.0000"),
    ],
)
def test_attainment_is_actual_over_value_four_places_half_up(actual, value, expected):
    assert attainment(Decimal(actual), Decimal(value)) == Decimal(expected)
    assert str(attainment(Decimal(actual), Decimal(value))) == expected


def test_actuals_take_one_query_per_metric_whatever_the_number_of_targets(acme):
    sales(sale(acme.own, "2026-01-10", "100.00"))
    few = [target(acme.own, "sales", "2026-01", "1"), target(acme.own, "collections", "2026-01", "1")]
    many = few + [target(acme.own, "sales", f"2025-{month:02d}", "1") for month in range(1, 13)]
    many += [target(acme.other, "collections", f"2025-{month:02d}", "1") for month in range(1, 13)]
    with CaptureQueriesContext(connection) as small:
        actuals(few)
    with CaptureQueriesContext(connection) as large:
        actuals(many)
    assert len(small) == len(large) == 2


def test_mean_attainment_on_a_day_averages_the_four_place_attainments_of_the_targets_running_that_day(acme):
    # given 1/3 of a sales target and 2/3 of a collections target running on 2026-02-10, and one not running
    sales(sale(acme.own, "2026-01-10", "100.00"))
    payments(acme.own, ("2026-02-01", "200.00"))
    target(acme.own, "sales", "2026-Q1", "300")  # 0.3333
    target(acme.own, "collections", "2026-02", "300")  # 0.6667
    target(acme.own, "sales", "2026-04", "1")  # not running on the day
    target(acme.other, "sales", "2026", "1000")  # 0.0000
    # when
    means = mean_attainment_on(D(2026, 2, 10))
    # then the mean is of the rounded attainments, itself unrounded
    assert means[acme.own.pk] == ((Decimal("0.3333") + Decimal("0.6667")) / 2, 2)
    assert means[acme.own.pk][0] == Decimal("0.5")
    assert means[acme.other.pk] == (Decimal("0"), 1)


def test_a_partner_with_no_target_running_that_day_is_absent(acme):
    target(acme.own, "sales", "2026-01", "100")
    assert mean_attainment_on(D(2026, 2, 1)) == {}
    assert set(mean_attainment_on(D(2026, 1, 31))) == {acme.own.pk}


def test_the_mean_keeps_its_precision_for_the_caller_to_round(acme):
    sales(sale(acme.own, "2026-01-10", "1.00"))
    target(acme.own, "sales", "2026-01", "3")  # 0.3333
    target(acme.own, "sales", "2026-Q1", "3")  # 0.3333
    target(acme.own, "sales", "2026", "1")  # 1.0000
    mean, count = mean_attainment_on(D(2026, 1, 15), partner_ids=[acme.own.pk])[acme.own.pk]
    assert count == 3
    assert mean == Decimal("1.6666") / 3  # 0.5555333…, not 0.5555


def test_mean_attainment_on_is_a_constant_number_of_queries(acme):
    for month in range(1, 4):
        target(acme.own, "sales", f"2026-{month:02d}", "1")
    with CaptureQueriesContext(connection) as small:
        mean_attainment_on(D(2026, 2, 1))
    for month in range(1, 13):
        target(acme.other, "sales", f"2026-{month:02d}", "1")
        target(acme.other, "collections", f"2026-{month:02d}", "1")
    with CaptureQueriesContext(connection) as large:
        mean_attainment_on(D(2026, 2, 1))
    assert len(small) <= len(large) <= 3
