"""Rebate and profit-share arithmetic (SPEC §4.4, §4.5) by worked example, and its laws."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives.calculations import (
    Accelerator,
    Bracket,
    RebateRule,
    brackets_problems,
    loss_share,
    profit_share,
    rebate,
)

D = Decimal
SPEC_BRACKETS = (Bracket(D("0"), D("1")), Bracket(D("100000"), D("2")), Bracket(D("500000"), D("3")))
RETRO = RebateRule("retroactive", SPEC_BRACKETS)
INCR = RebateRule("incremental", SPEC_BRACKETS)


def test_the_specs_worked_example():
    assert rebate(RETRO, D("600000")).amount == D("18000.00")
    assert rebate(INCR, D("600000")).amount == D("12000.00")


@pytest.mark.parametrize(
    ("basis", "retroactive", "incremental", "rate"),
    [
        ("99999.99", "999.9999", "999.9999", "1"),  # just below the first step
        ("100000", "2000", "1000", "2"),  # exactly at a threshold: that bracket is reached
        ("100000.01", "2000.0002", "1000.0002", "2"),
        ("500000", "15000", "9000", "3"),
        ("0.01", "0.0001", "0.0001", "1"),
    ],
)
def test_a_basis_at_a_bracket_edge_is_paid_at_the_bracket_it_reaches(basis, retroactive, incremental, rate):
    retro, incr = rebate(RETRO, D(basis)), rebate(INCR, D(basis))
    assert retro.before_cap == D(retroactive) and incr.before_cap == D(incremental)
    assert retro.rate_percent == incr.rate_percent == D(rate)


def test_amounts_round_half_up_to_the_cent_only_at_the_end():
    rule = RebateRule("retroactive", (Bracket(D("0"), D("1.5")),))
    assert rebate(rule, D("0.33")).amount == D("0.00")  # 0.00495
    assert rebate(rule, D("0.34")).amount == D("0.01")  # 0.0051
    assert rebate(RebateRule("retroactive", (Bracket(D("0"), D("5")),)), D("0.1")).amount == D("0.01")  # 0.005: half up


def test_nothing_is_paid_on_a_basis_of_zero_or_less():
    for basis in ("0", "-500", "-0.01"):
        outcome = rebate(RETRO, D(basis))
        assert outcome.amount == D("0.00") and outcome.slices == () and outcome.bracket is None


def test_the_accelerator_applies_at_its_attainment_and_not_below():
    rule = RebateRule("retroactive", SPEC_BRACKETS, accelerator=Accelerator("sales", D("1.0"), D("1.5")))
    assert rebate(rule, D("600000"), attainment=D("1.0000")).amount == D("27000.00")
    assert rebate(rule, D("600000"), attainment=D("0.9999")).amount == D("18000.00")
    assert rebate(rule, D("600000"), attainment=None).amount == D("18000.00")  # no target: no accelerator


def test_the_cap_comes_after_the_accelerator():
    rule = RebateRule(
        "retroactive", SPEC_BRACKETS, cap=D("20000"), accelerator=Accelerator("sales", D("1.0"), D("1.5"))
    )
    outcome = rebate(rule, D("600000"), attainment=D("1.2"))
    assert outcome.before_cap == D("27000") and outcome.capped and outcome.amount == D("20000.00")
    assert not rebate(rule, D("600000"), attainment=D("0.5")).capped  # 18,000 is under the cap


def test_the_next_bracket_and_how_much_more_reaches_it():
    outcome = rebate(RETRO, D("412000"))
    assert outcome.next_bracket == Bracket(D("500000"), D("3")) and outcome.to_next_bracket == D("88000")
    assert rebate(RETRO, D("700000")).to_next_bracket is None


def test_profit_and_loss_share():
    assert profit_share([(D("1000"), D("600")), (D("250.50"), D("300"))], D("12.5")).amount == D("43.81")  # 350.50
    assert loss_share(D("10000"), D("5")).amount == D("-500.00")
    assert loss_share(D("0.10"), D("5")).amount == D("-0.01")  # -0.005: half up is away from zero


def test_bracket_tables_are_validated():
    assert brackets_problems(SPEC_BRACKETS) == []
    assert brackets_problems(()) == ["empty"]
    assert "first_not_zero" in brackets_problems((Bracket(D("10"), D("1")),))
    assert "not_increasing" in brackets_problems((Bracket(D("0"), D("1")), Bracket(D("0"), D("2"))))
    assert "negative_rate" in brackets_problems((Bracket(D("0"), D("-1")),))


# --- laws ----------------------------------------------------------------------------------------

money = st.decimals(min_value=D("-1000000"), max_value=D("10000000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def bracket_tables(draw, increasing_rates=False):
    steps = draw(st.lists(st.decimals(min_value=D("1"), max_value=D("1000000"), places=2), min_size=0, max_size=4))
    thresholds = [D("0")]
    for step in steps:
        thresholds.append(thresholds[-1] + step)
    rates = draw(
        st.lists(
            st.decimals(min_value=D("0"), max_value=D("20"), places=2),
            min_size=len(thresholds),
            max_size=len(thresholds),
        )
    )
    if increasing_rates:
        rates = sorted(rates)
    return tuple(Bracket(t, r) for t, r in zip(thresholds, rates, strict=True))


@given(bracket_tables(increasing_rates=True), money)
def test_incremental_never_pays_more_than_retroactive_when_rates_rise(brackets, basis):
    assert (
        rebate(RebateRule("incremental", brackets), basis).amount
        <= rebate(RebateRule("retroactive", brackets), basis).amount
    )


@given(bracket_tables(), money, money)
def test_incremental_is_monotonic_in_the_basis(brackets, a, b):
    low, high = sorted((a, b))
    rule = RebateRule("incremental", brackets)
    assert rebate(rule, low).amount <= rebate(rule, high).amount


@given(bracket_tables(increasing_rates=True), money, money)
def test_retroactive_is_monotonic_when_rates_rise(brackets, a, b):
    low, high = sorted((a, b))
    rule = RebateRule("retroactive", brackets)
    assert rebate(rule, low).amount <= rebate(rule, high).amount


@given(bracket_tables(), money, st.decimals(min_value=D("0"), max_value=D("100000"), places=2))
def test_never_above_the_cap(brackets, basis, cap):
    for method in ("retroactive", "incremental"):
        assert rebate(RebateRule(method, brackets, cap=cap), basis).amount <= cap


@given(bracket_tables(), money)
def test_incremental_slices_add_up_to_the_basis_and_the_amount(brackets, basis):
    outcome = rebate(RebateRule("incremental", brackets), basis)
    if basis > 0:
        assert sum(piece.base for piece in outcome.slices) == basis
        assert sum(piece.amount for piece in outcome.slices) == outcome.before_accelerator
