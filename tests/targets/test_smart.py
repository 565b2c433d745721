"""The SMART check (SPEC §4.2): a target over 3× or under 0.5× of the period before is questioned."""

from decimal import Decimal

from django.utils import translation

from common.periods import Period
from targets.calculations import smart_check, smart_warnings

from .helpers import payments, sale, sales


def check(partner, metric, period, value):
    with translation.override("en"):
        return smart_check(partner_id=partner.pk, metric=metric, period=Period.parse(period), value=Decimal(value))


def test_a_value_over_three_times_the_previous_period_is_warned_about(acme):
    sales(sale(acme.own, "2026-02-10", "1000.00"))  # the month before March
    assert smart_warnings(acme.own, "sales", "2026-03", Decimal("3000.00")) == []  # exactly 3×: fine
    found = check(acme.own, "sales", "2026-03", "3000.01")
    assert len(found.warnings) == 1
    assert "more than 3 times" in found.warnings[0]
    assert "1,000.00" in found.warnings[0]
    assert found.notes == []


def test_a_value_under_half_the_previous_period_is_warned_about(acme):
    payments(acme.own, ("2025-12-01", "800.00"))  # Q4 before 2026-Q1
    assert smart_warnings(acme.own, "collections", Period.parse("2026-Q1"), Decimal("400")) == []  # exactly half
    found = check(acme.own, "collections", "2026-Q1", "399.99")
    assert len(found.warnings) == 1
    assert "under half" in found.warnings[0]


def test_within_the_range_there_is_nothing_to_say(acme):
    sales(sale(acme.own, "2025-06-01", "1000.00"))
    found = check(acme.own, "sales", "2026", "1500")
    assert (found.warnings, found.notes) == ([], [])
    assert found.previous_period == Period.parse("2025")
    assert found.previous_actual == Decimal("1000.00")


def test_with_no_history_there_is_no_warning_but_a_note_saying_so(acme):
    found = check(acme.own, "sales", "2026-03", "1000000")
    assert found.warnings == []
    assert len(found.notes) == 1
    assert found.notes[0].startswith("No history to compare with")


def test_a_negative_previous_period_counts_as_no_history(acme):
    sales(sale(acme.own, "2026-02-10", "-50.00"))  # only returns
    found = check(acme.own, "sales", "2026-03", "10")
    assert found.warnings == []
    assert found.notes


def test_new_customers_compare_with_the_new_customers_of_the_period_before(acme):
    sales(*(sale(acme.own, "2026-02-10", "10.00", customer=f"客户{n}") for n in range(4)))
    assert check(acme.own, "new_customers", "2026-03", "13").warnings  # 13 > 3 × 4
    assert check(acme.own, "new_customers", "2026-03", "12").warnings == []
    assert check(acme.own, "new_customers", "2026-03", "1").warnings  # 1 < 0.5 × 4
