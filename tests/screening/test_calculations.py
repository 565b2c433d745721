"""The screening arithmetic of SPEC §4.12, worked by hand, and its laws."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from screening import calculations


def test_weights_30_20_20_20_10_with_ratings_5_4_3_2_1_give_60():
    # 100 × (30×4 + 20×3 + 20×2 + 20×1 + 10×0) / 4 ÷ 100 = 100 × 240 / 400
    assert calculations.evaluation_score([(30, 5), (20, 4), (20, 3), (20, 2), (10, 1)]) == Decimal("60.00")


def test_all_ones_give_zero_and_all_fives_give_a_hundred():
    weights = (30, 20, 20, 20, 10)
    assert calculations.evaluation_score([(w, 1) for w in weights]) == Decimal("0.00")
    assert calculations.evaluation_score([(w, 5) for w in weights]) == Decimal("100.00")


def test_weights_that_do_not_sum_to_a_hundred_are_divided_by_their_sum():
    # 100 × (1×2 + 2×4) / 4 ÷ 3 = 1000 / 12 = 83.333…
    assert calculations.evaluation_score([(1, 3), (2, 5)]) == Decimal("83.33")


def test_the_screening_score_is_the_mean_of_the_evaluators_scores():
    assert calculations.screening_score([Decimal("60.00"), Decimal("70.00"), Decimal("80.00")]) == Decimal("70.00")
    assert calculations.screening_score([Decimal("60.00"), Decimal("61.00"), Decimal("61.00")]) == Decimal("60.67")


def test_the_mean_rounds_half_up_at_the_boundary():
    # (60.25 + 60.00) / 2 = 60.125: half up is 60.13 (banker's rounding would give 60.12)
    assert calculations.screening_score([Decimal("60.25"), Decimal("60.00")]) == Decimal("60.13")
    # (59.75 + 60.00) / 2 = 59.875 → 59.88
    assert calculations.screening_score([Decimal("59.75"), Decimal("60.00")]) == Decimal("59.88")


def test_no_evaluation_no_score_and_no_recommendation():
    assert calculations.screening_score([]) is None
    assert calculations.recommendation(None, Decimal("60")) is None


def test_the_threshold_itself_proceeds_and_a_cent_below_declines():
    assert calculations.recommendation(Decimal("60.00"), Decimal("60")) == "proceed"
    assert calculations.recommendation(Decimal("59.99"), Decimal("60")) == "decline"
    assert calculations.recommendation(Decimal("60.01"), Decimal("60")) == "proceed"


weights = st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8)


@given(weights, st.data())
def test_a_score_is_between_0_and_100_and_grows_with_any_rating(weights, data):
    ratings = [data.draw(st.integers(min_value=1, max_value=5)) for _ in weights]
    score = calculations.evaluation_score(zip(weights, ratings, strict=True))
    assert Decimal(0) <= score <= Decimal(100)
    index = data.draw(st.integers(min_value=0, max_value=len(weights) - 1))
    if ratings[index] < 5:
        better = list(ratings)
        better[index] += 1
        assert calculations.evaluation_score(zip(weights, better, strict=True)) >= score
