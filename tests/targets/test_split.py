"""A company goal split into partner targets: proposals sum exactly to the goal; applying is idempotent."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from targets import services
from targets.models import Target

from .helpers import sale, sales, target


@pytest.fixture
def three_partners(acme):
    """acme's own (ordinary) and other (ordinary) partners, plus an active core partner and a prospect."""
    core = partner_services.partner_create(
        actor=None, code="ACME-CORE", name="Core", kind=PartnerKind.AGENT, tier=Tier.objects.get(code="core"),
        status=PartnerStatus.ACTIVE,
    )  # fmt: skip
    partner_services.partner_create(
        actor=None, code="ACME-PROSPECT", name="Prospect", kind=PartnerKind.AGENT, tier=Tier.objects.get(code="core")
    )
    return acme.own, acme.other, core


def values(proposals):
    return {proposal.partner.code: proposal.value for proposal in proposals}


def test_last_year_shares_split_the_goal_and_sum_exactly_to_it(three_partners):
    own, other, core = three_partners
    # given last year's Q1 sales: 1 : 1 : 1 (a third each does not divide 1,000.00 evenly)
    sales(
        sale(own, "2025-01-10", "300.00"),
        sale(other, "2025-02-10", "100.00"),
        sale(other, "2025-03-10", "200.00"),
        sale(core, "2025-03-31", "300.00"),
        sale(core, "2025-04-01", "9999.00"),  # Q2: not counted
    )
    goal = services.goal_create(name="Q1", metric="sales", period="2026-Q1", value=Decimal("1000.00"))
    # when
    proposals = services.goal_propose_split(goal, "last_year")
    # then each gets 333.33 and the remainder (0.01) goes on the largest share (the first by code among equals)
    assert values(proposals) == {"ACME-CORE": Decimal("333.34"), "ACME-OTHER": Decimal("333.33"),
                                 "ACME-OWN": Decimal("333.33")}  # fmt: skip
    assert sum(p.value for p in proposals) == goal.value
    assert {p.partner.code: p.basis for p in proposals}["ACME-OWN"] == Decimal("300.00")


def test_last_year_shares_put_the_remainder_on_the_largest_share(three_partners):
    own, other, core = three_partners
    sales(sale(own, "2025-05-01", "1.00"), sale(other, "2025-05-02", "1.00"), sale(core, "2025-05-03", "4.00"))
    goal = services.goal_create(name="May", metric="sales", period="2026-05", value=Decimal("100.00"))
    proposals = services.goal_propose_split(goal, "last_year")
    # 16.666…→16.67 twice, 66.666…→66.67; the sum 100.01 is brought back on the largest share
    assert values(proposals) == {"ACME-CORE": Decimal("66.66"), "ACME-OTHER": Decimal("16.67"),
                                 "ACME-OWN": Decimal("16.67")}  # fmt: skip
    assert sum(values(proposals).values()) == Decimal("100.00")


def test_no_history_at_all_is_refused(three_partners):
    goal = services.goal_create(name="Q1", metric="collections", period="2026-Q1", value=Decimal("900"))
    with pytest.raises(ValidationError) as error:
        services.goal_propose_split(goal, "last_year")
    assert "method" in error.value.message_dict


def test_tier_weights_split_by_weight_and_sum_exactly_to_the_goal(three_partners):
    goal = services.goal_create(name="Year", metric="sales", period="2026", value=Decimal("1000.00"))
    # core 3, ordinary 1 + 1 (the prospect is not active): 600 / 200 / 200
    proposals = services.goal_propose_split(goal, "tier_weights", {"core": 3, "strategic": 2, "ordinary": 1})
    assert values(proposals) == {"ACME-CORE": Decimal("600.00"), "ACME-OTHER": Decimal("200.00"),
                                 "ACME-OWN": Decimal("200.00")}  # fmt: skip
    # weights that do not divide evenly: 1000 × 1/3 each
    proposals = services.goal_propose_split(goal, "tier_weights", {"core": 1, "ordinary": 1})
    assert sum(values(proposals).values()) == goal.value
    assert sorted(values(proposals).values()) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]


def test_default_tier_weights_favour_the_best_tier(three_partners):
    goal = services.goal_create(name="Year", metric="sales", period="2026", value=Decimal("500.00"))
    assert services.default_tier_weights() == {"core": 3, "strategic": 2, "ordinary": 1}
    assert values(services.goal_propose_split(goal, "tier_weights"))["ACME-CORE"] == Decimal("300.00")


def test_new_customer_goals_split_in_whole_customers(three_partners):
    goal = services.goal_create(name="New", metric="new_customers", period="2026-Q2", value=Decimal("10"))
    proposals = services.goal_propose_split(goal, "tier_weights", {"core": 1, "ordinary": 1})
    assert sum(values(proposals).values()) == Decimal("10")
    assert all(value == value.to_integral_value() for value in values(proposals).values())


def test_bad_weights_and_methods_are_refused(three_partners):
    goal = services.goal_create(name="Year", metric="sales", period="2026", value=Decimal("500.00"))
    with translation.override("en"), pytest.raises(ValidationError, match="0 or more"):
        services.goal_propose_split(goal, "tier_weights", {"core": -1})
    with pytest.raises(ValidationError):
        services.goal_propose_split(goal, "tier_weights", {"strategic": 5})  # no active strategic partner
    with pytest.raises(ValidationError):
        services.goal_propose_split(goal, "by_the_moon")


def test_applying_a_split_twice_leaves_the_same_targets(three_partners):
    own, other, core = three_partners
    goal = services.goal_create(name="Q3", metric="sales", period="2026-Q3", value=Decimal("1000.00"))
    allocations = {own: Decimal("300.00"), other: Decimal("200.00"), core: Decimal("400.00")}
    # when applied twice
    first = services.goal_apply_split(goal, allocations)
    rows_after_first = list(Target.objects.order_by("pk").values_list("pk", "partner_id", "value", "goal_id", "period"))
    second = services.goal_apply_split(goal, allocations)
    # then the same three targets, not six
    assert [t.pk for t in first] == [t.pk for t in second]
    assert list(Target.objects.order_by("pk").values_list("pk", "partner_id", "value", "goal_id", "period")) == (
        rows_after_first
    )
    assert len(rows_after_first) == 3
    assert {t.starts_on.isoformat() for t in second} == {"2026-07-01"}
    assert services.goal_coverage(goal) == Decimal("0.9000")


def test_applying_takes_over_a_hand_made_target_updates_values_and_removes_zeros(three_partners):
    own, other, _core = three_partners
    by_hand = target(own, "sales", "2026-Q3", "50")
    goal = services.goal_create(name="Q3", metric="sales", period="2026-Q3", value=Decimal("1000.00"))
    services.goal_apply_split(goal, {own: Decimal("500"), other: Decimal("500")})
    by_hand.refresh_from_db()
    assert (by_hand.goal_id, by_hand.value) == (goal.pk, Decimal("500.00"))
    services.goal_apply_split(goal, {own: Decimal("700"), other: Decimal("0")})
    assert dict(Target.objects.values_list("partner__code", "value")) == {"ACME-OWN": Decimal("700.00")}
    assert services.goal_coverage(goal) == Decimal("0.7000")


def test_a_negative_allocation_is_refused_and_nothing_is_written(three_partners):
    own, other, _core = three_partners
    goal = services.goal_create(name="Q3", metric="sales", period="2026-Q3", value=Decimal("1000.00"))
    with pytest.raises(ValidationError):
        services.goal_apply_split(goal, {own: Decimal("500"), other: Decimal("-1")})
    assert not Target.objects.exists()


def test_one_goal_per_metric_and_period(acme):
    services.goal_create(name="A", metric="sales", period="2026-Q1", value=Decimal("1"))
    with pytest.raises(ValidationError) as error:
        services.goal_create(name="B", metric="sales", period="2026-q1", value=Decimal("2"))
    assert "period" in error.value.message_dict
    services.goal_create(name="C", metric="collections", period="2026-Q1", value=Decimal("2"))


def test_a_goal_with_targets_keeps_its_metric_and_period(acme):
    goal = services.goal_create(name="A", metric="sales", period="2026-Q1", value=Decimal("100"))
    services.goal_apply_split(goal, {acme.own: Decimal("100")})
    services.goal_update(goal=goal, name="Renamed", value=Decimal("200"), period="2026-Q1")
    with pytest.raises(ValidationError):
        services.goal_update(goal=goal, period="2026-Q2")


def test_a_targets_goal_must_be_for_the_same_metric_and_period(acme):
    goal = services.goal_create(name="A", metric="sales", period="2026-Q1", value=Decimal("100"))
    with pytest.raises(ValidationError) as error:
        target(acme.own, "sales", "2026-Q2", "10", goal=goal)
    assert "goal" in error.value.message_dict


def test_a_target_value_must_be_above_zero_and_unique_per_partner_metric_period(acme):
    with pytest.raises(ValidationError) as error:
        target(acme.own, "sales", "2026-Q1", "0")
    assert "value" in error.value.message_dict
    target(acme.own, "sales", "2026-Q1", "10")
    with pytest.raises(ValidationError) as error:
        target(acme.own, "sales", "2026-Q1", "20")
    assert "period" in error.value.message_dict
