"""The score (SPEC §4.3) by hand-worked example, each edge the spec names, and its laws."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.calculations import (
    DEFAULT_WEIGHTS,
    ScoreInputs,
    attainment,
    collection,
    components,
    growth,
    overdue,
    recommended_tier,
    validate_weights,
    volume,
    weighted_score,
)

d = Decimal


def test_a_hand_worked_score():
    # given S = 800,000, P = 640,000, the best partner 1,000,000; targets 0.9 and 1.2;
    # 300,000 collected of 400,000 invoiced; 120,000 outstanding of which 30,000 overdue
    inputs = ScoreInputs(
        sales_365=d("800000"),
        sales_prior_365=d("640000"),
        max_sales_365=d("1000000"),
        attainment_mean=(d("0.9000") + d("1.2000")) / 2,
        target_count=2,
        payments_365=d("300000"),
        invoices_365=d("400000"),
        outstanding=d("120000"),
        overdue_amount=d("30000"),
    )
    parts = components(inputs)
    # then volume 80, growth 50 + 25 = 75, attainment 100 × 1.05 → clamped 100,
    # collection 75, overdue 100 × (1 − 0.25) = 75
    assert parts == {
        "volume": d("80.00"),
        "growth": d("75.00"),
        "attainment": d("100.00"),
        "collection": d("75.00"),
        "overdue": d("75.00"),
    }
    # (30×80 + 15×75 + 25×100 + 20×75 + 10×75) / 100 = 82.75
    assert weighted_score(parts, DEFAULT_WEIGHTS) == d("82.75")


def test_components_round_half_up_before_the_weighted_mean():
    inputs = ScoreInputs(sales_365=d("1"), max_sales_365=d("3"))  # 33.333…
    assert volume(inputs) == d("33.33")
    assert volume(ScoreInputs(sales_365=d("1"), max_sales_365=d("8"))) == d("12.50")
    # 100 × 1/1600 = 0.0625 → 0.06; 100 × 5/800 = 0.625 → 0.63 (half up, away from zero)
    assert volume(ScoreInputs(sales_365=d("5"), max_sales_365=d("800"))) == d("0.63")
    parts = {"volume": d("33.33"), "growth": d("0"), "attainment": d("0"), "collection": d("0"), "overdue": d("0")}
    assert weighted_score(parts, {"volume": 1, "growth": 1, "attainment": 1, "collection": 1, "overdue": 1}) == d(
        "6.67"
    )  # 33.33 / 5 = 6.666 → 6.67


def test_volume_is_zero_when_the_best_partner_sold_nothing_or_less():
    assert volume(ScoreInputs(sales_365=d("0"), max_sales_365=d("0"))) == d("0.00")
    assert volume(ScoreInputs(sales_365=d("-5"), max_sales_365=d("-1"))) == d("0.00")
    assert volume(ScoreInputs(sales_365=d("-5"), max_sales_365=d("10"))) == d("0.00")  # clamped


def test_growth_edges_when_the_prior_year_is_not_positive():
    assert growth(ScoreInputs(sales_365=d("10"), sales_prior_365=d("0"))) == d("100.00")
    assert growth(ScoreInputs(sales_365=d("0"), sales_prior_365=d("0"))) == d("50.00")
    assert growth(ScoreInputs(sales_365=d("-3"), sales_prior_365=d("-2"))) == d("50.00")
    assert growth(ScoreInputs(sales_365=d("300"), sales_prior_365=d("100"))) == d("100.00")  # 250 clamped
    assert growth(ScoreInputs(sales_365=d("0"), sales_prior_365=d("100"))) == d("0.00")  # −50 clamped
    assert growth(ScoreInputs(sales_365=d("90"), sales_prior_365=d("100"))) == d("40.00")


def test_attainment_is_fifty_without_targets_and_clamped():
    assert attainment(ScoreInputs()) == d("50.00")
    assert attainment(ScoreInputs(attainment_mean=d("0.87345"), target_count=2)) == d("87.35")
    assert attainment(ScoreInputs(attainment_mean=d("1.5"), target_count=1)) == d("100.00")
    assert attainment(ScoreInputs(attainment_mean=d("-0.2"), target_count=1)) == d("0.00")


def test_collection_is_a_hundred_without_invoices_and_capped_at_a_hundred():
    assert collection(ScoreInputs(payments_365=d("50"))) == d("100.00")
    assert collection(ScoreInputs(payments_365=d("150"), invoices_365=d("100"))) == d("100.00")
    assert collection(ScoreInputs(payments_365=d("1"), invoices_365=d("3"))) == d("33.33")


def test_overdue_is_a_hundred_when_nothing_is_outstanding():
    assert overdue(ScoreInputs(outstanding=d("0"), overdue_amount=d("0"))) == d("100.00")
    assert overdue(ScoreInputs(outstanding=d("-20"))) == d("100.00")
    assert overdue(ScoreInputs(outstanding=d("200"), overdue_amount=d("200"))) == d("0.00")
    assert overdue(ScoreInputs(outstanding=d("300"), overdue_amount=d("100"))) == d("66.67")


def test_the_recommended_tier_is_the_best_ranked_tier_the_score_reaches():
    tiers = [
        SimpleNamespace(code="core", rank=1, min_score=d("80")),
        SimpleNamespace(code="strategic", rank=2, min_score=d("60")),
        SimpleNamespace(code="ordinary", rank=3, min_score=d("0")),
    ]
    assert recommended_tier(d("80.00"), tiers).code == "core"
    assert recommended_tier(d("79.99"), tiers).code == "strategic"
    assert recommended_tier(d("0.00"), tiers).code == "ordinary"


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ({"volume": 1, "growth": 1, "attainment": 1, "collection": 1}, "overdue"),
        ({**DEFAULT_WEIGHTS, "volume": -1}, "negative"),
        ({name: 0 for name in DEFAULT_WEIGHTS}, "more than zero"),
        ({**DEFAULT_WEIGHTS, "luck": 5}, "luck"),
        ({**DEFAULT_WEIGHTS, "growth": "x"}, "whole number"),
    ],
)
def test_weights_are_validated(weights, problem):
    from django.utils.translation import override

    with override("en"), pytest.raises(ValueError, match=problem):
        validate_weights(weights)


money = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
ratio = st.one_of(st.none(), st.decimals(min_value=-5, max_value=5, places=4, allow_nan=False, allow_infinity=False))
weights = st.fixed_dictionaries({name: st.integers(0, 100) for name in DEFAULT_WEIGHTS}).filter(
    lambda w: sum(w.values()) > 0
)


@st.composite
def score_inputs(draw):
    sales = draw(money)
    return ScoreInputs(
        sales_365=sales,
        sales_prior_365=draw(money),
        max_sales_365=max(sales, draw(money)),
        attainment_mean=(mean := draw(ratio)),
        target_count=0 if mean is None else draw(st.integers(1, 5)),
        payments_365=draw(positive),
        invoices_365=draw(positive),
        outstanding=(owed := draw(money)),
        overdue_amount=draw(st.decimals(min_value=0, max_value=max(owed, d(0)), places=2)),
    )


@given(score_inputs(), weights)
def test_every_component_and_the_score_stay_within_0_and_100(inputs, chosen):
    parts = components(inputs)
    assert all(d("0") <= value <= d("100") for value in parts.values())
    assert all(value == value.quantize(d("0.01")) for value in parts.values())
    assert d("0") <= weighted_score(parts, chosen) <= d("100")


component_values = st.decimals(min_value=0, max_value=100, places=2)


@given(
    st.fixed_dictionaries({name: component_values for name in DEFAULT_WEIGHTS}),
    weights,
    st.sampled_from(list(DEFAULT_WEIGHTS)),
    component_values,
)
def test_the_score_never_falls_when_a_component_rises(parts, chosen, name, raised_to):
    higher = {**parts, name: max(parts[name], raised_to)}
    assert weighted_score(higher, chosen) >= weighted_score(parts, chosen)


@given(score_inputs(), positive)
def test_more_sales_never_lower_volume_or_growth(inputs, extra):
    richer = ScoreInputs(**{**inputs.__dict__, "sales_365": inputs.sales_365 + extra,
                            "max_sales_365": max(inputs.max_sales_365, inputs.sales_365 + extra)})  # fmt: skip
    if richer.max_sales_365 == inputs.max_sales_365:
        assert volume(richer) >= volume(inputs)
    assert growth(richer) >= growth(inputs)


@given(score_inputs(), positive)
def test_more_collections_never_lower_the_collection_component(inputs, extra):
    richer = ScoreInputs(**{**inputs.__dict__, "payments_365": inputs.payments_365 + extra})
    assert collection(richer) >= collection(inputs)
