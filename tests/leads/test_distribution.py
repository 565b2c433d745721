"""The distribution rules (SPEC §4.8), hand-worked step by step on the pure function, and their laws."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from leads import distribution
from leads.distribution import LeadIn, Partner, distribute

T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def partner(pk: int, code: str, region: str = "华东", industries=("制造",), score: str | None = None) -> Partner:
    return Partner(pk, code, region, frozenset(industries), Decimal(score) if score is not None else None)


def lead(key, region: str = "华东", industry: str = "制造", refused=None) -> LeadIn:
    return LeadIn(key, region, industry, refused or {})


def run(leads, partners, *, cap=5, open_leads=None, last_offered=None):
    return distribute(leads, partners, cap=cap, open_leads=open_leads or {}, last_offered=last_offered or {})


def reasons(decision) -> dict[str, str]:
    return {candidate.code: candidate.reason for candidate in decision.candidates}


# --- 1. candidates: region and industry, else region, else nobody -------------------------------------------------


def test_partners_of_the_region_in_the_industry_are_the_candidates():
    partners = [partner(1, "HX-1", industries=("制造",)), partner(2, "HX-2", industries=("零售",))]
    [decision] = run([lead("L1", industry="制造")], partners)
    assert decision.rule == "region_industry"
    assert decision.partner_id == 1
    assert set(reasons(decision)) == {"HX-1"}  # HX-2 is of the region, not of the industry


def test_without_a_partner_in_the_industry_every_partner_of_the_region_is_a_candidate():
    partners = [partner(1, "HX-1", industries=("零售",), score="50"), partner(2, "HX-2", industries=(), score="60")]
    [decision] = run([lead("L1", industry="医疗")], partners)
    assert decision.rule == "region"
    assert decision.partner_id == 2
    assert reasons(decision) == {"HX-2": "chosen", "HX-1": "lower_score"}


def test_without_a_partner_in_the_region_the_lead_stays_unassigned_with_the_reason():
    [decision] = run([lead("L1", region="西北")], [partner(1, "HX-1", region="华东")])
    assert decision.rule == "none"
    assert decision.partner_id is None
    assert decision.unassigned_reason == "no_partner_in_region"
    assert decision.candidates == ()


def test_regions_and_industries_match_whatever_their_case_and_outer_spaces():
    [decision] = run([lead("L1", region=" East ", industry="RETAIL")], [partner(1, "P-1", "east", ("Retail",))])
    assert decision.rule == "region_industry" and decision.partner_id == 1


# --- 2. left out: the cap, and who declined or let this lead lapse -----------------------------------------------


def test_a_partner_holding_the_cap_of_open_leads_is_left_out():
    partners = [partner(1, "HX-1", score="90"), partner(2, "HX-2", score="10")]
    [decision] = run([lead("L1")], partners, cap=5, open_leads={1: 5, 2: 4})
    assert decision.partner_id == 2
    assert reasons(decision) == {"HX-2": "chosen", "HX-1": "cap"}
    left_out = next(candidate for candidate in decision.candidates if candidate.code == "HX-1")
    assert left_out.open_leads == 5


def test_partners_that_declined_or_let_this_lead_lapse_are_left_out():
    partners = [partner(1, "HX-1", score="90"), partner(2, "HX-2", score="80"), partner(3, "HX-3", score="10")]
    [decision] = run([lead("L1", refused={1: "declined", 2: "lapsed"})], partners)
    assert decision.partner_id == 3
    assert reasons(decision) == {"HX-3": "chosen", "HX-1": "declined", "HX-2": "lapsed"}


def test_when_every_candidate_is_left_out_the_lead_stays_unassigned_and_says_who_and_why():
    partners = [partner(1, "HX-1", score="90"), partner(2, "HX-2")]
    [decision] = run([lead("L1", refused={1: "declined"})], partners, cap=1, open_leads={2: 1})
    assert decision.partner_id is None
    assert decision.rule == "region_industry"
    assert decision.unassigned_reason == "all_left_out"
    assert reasons(decision) == {"HX-1": "declined", "HX-2": "cap"}


def test_the_industry_rule_holds_even_when_its_partners_are_all_left_out():
    """The fallback to the region is for a region without partners in the industry, not for a full one."""
    partners = [partner(1, "HX-1", industries=("制造",)), partner(2, "HX-2", industries=("零售",))]
    [decision] = run([lead("L1")], partners, cap=1, open_leads={1: 1})
    assert decision.partner_id is None and decision.rule == "region_industry"


# --- 3. the highest score, then the rotation, then the code --------------------------------------------------------


def test_the_highest_latest_score_wins_and_a_partner_never_scored_counts_as_zero():
    partners = [partner(1, "HX-1", score="81.20"), partner(2, "HX-2", score="79.99"), partner(3, "HX-3")]
    [decision] = run([lead("L1")], partners)
    assert decision.partner_id == 1
    assert [(c.code, c.score, c.reason) for c in decision.candidates] == [
        ("HX-1", Decimal("81.20"), "chosen"),
        ("HX-2", Decimal("79.99"), "lower_score"),
        ("HX-3", Decimal("0.00"), "lower_score"),
    ]


def test_among_equal_scores_the_partner_offered_a_lead_longest_ago_wins_and_never_comes_first():
    partners = [partner(1, "HX-1", score="70"), partner(2, "HX-2", score="70"), partner(3, "HX-3", score="70")]
    last = {1: T0, 2: T0 - datetime.timedelta(days=3)}  # HX-3: never offered a lead
    [decision] = run([lead("L1")], partners, last_offered=last)
    assert decision.partner_id == 3
    assert reasons(decision) == {"HX-3": "chosen", "HX-2": "offered_more_recently", "HX-1": "offered_more_recently"}
    [second] = run([lead("L2")], partners[:2], last_offered=last)
    assert second.partner_id == 2  # offered three days before HX-1


def test_among_equal_scores_and_turns_the_lowest_code_wins():
    partners = [partner(1, "HX-0012", score="70"), partner(2, "HX-0007", score="70")]
    [decision] = run([lead("L1")], partners)
    assert decision.partner_id == 2
    assert reasons(decision) == {"HX-0007": "chosen", "HX-0012": "higher_code"}


def test_a_batch_rotates_equal_partners_and_counts_each_offer_against_the_cap():
    partners = [partner(1, "A", score="50"), partner(2, "B", score="50"), partner(3, "C", score="40")]
    decisions = run([lead(f"L{i}") for i in range(6)], partners, cap=2)
    # A and B tie: A (lower code), then B (A was just offered one), then A, then B; both at the cap: C twice.
    assert [decision.partner_id for decision in decisions] == [1, 2, 1, 2, 3, 3]
    assert reasons(decisions[4]) == {"C": "chosen", "A": "cap", "B": "cap"}


def test_a_batch_rotation_comes_after_every_earlier_offer():
    partners = [partner(1, "A", score="50"), partner(2, "B", score="50")]
    decisions = run([lead("L1"), lead("L2"), lead("L3")], partners, last_offered={2: T0})
    assert [decision.partner_id for decision in decisions] == [1, 2, 1]


def test_the_winner_is_listed_first_then_the_others_in_rank_then_those_left_out():
    partners = [partner(1, "A", score="10"), partner(2, "B", score="90"), partner(3, "C", score="50")]
    [decision] = run([lead("L1", refused={2: "declined"})], partners)
    assert [candidate.code for candidate in decision.candidates] == ["C", "A", "B"]
    assert decision.candidates[0].as_dict() == {
        "partner_id": 3, "partner": "C", "score": "50.00", "open_leads": 0, "reason": "chosen",
    }  # fmt: skip


# --- laws ----------------------------------------------------------------------------------------------------------

REGIONS = ("华东", "华南")
INDUSTRIES = ("制造", "零售", "医疗")

partner_strategy = st.builds(
    lambda region, industries, score: (region, frozenset(industries), score),
    st.sampled_from(REGIONS),
    st.sets(st.sampled_from(INDUSTRIES), max_size=3),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
)


@settings(max_examples=150, deadline=None)
@given(
    shapes=st.lists(partner_strategy, min_size=0, max_size=12),
    lead_shapes=st.lists(
        st.tuples(st.sampled_from((*REGIONS, "西北")), st.sampled_from(INDUSTRIES), st.lists(st.integers(1, 12))),
        min_size=1,
        max_size=30,
    ),
    cap=st.integers(1, 4),
    held=st.lists(st.integers(0, 4), min_size=12, max_size=12),
)
def test_laws_never_over_the_cap_never_to_a_refuser_always_a_candidate_or_a_reason(shapes, lead_shapes, cap, held):
    partners = [
        Partner(index, f"P-{index:03d}", region, industries, score)
        for index, (region, industries, score) in enumerate(shapes, start=1)
    ]
    open_leads = {partner.id: held[partner.id - 1] for partner in partners}
    leads = [
        LeadIn(key, region, industry, {pk: "declined" for pk in refusers})
        for key, (region, industry, refusers) in enumerate(lead_shapes)
    ]
    decisions = distribute(leads, partners, cap=cap, open_leads=open_leads, last_offered={})
    holding = dict(open_leads)
    for lead_in, decision in zip(leads, decisions, strict=True):
        if decision.partner_id is None:
            # unassigned, always with a reason
            assert decision.unassigned_reason in distribution.UNASSIGNED_REASONS
            continue
        # never to a partner that declined the lead
        assert decision.partner_id not in lead_in.refused
        # never over the cap: the partner held fewer than the cap when offered
        assert holding[decision.partner_id] < cap
        holding[decision.partner_id] += 1
        # always one of the candidates, listed first as chosen, and of the lead's region
        chosen = decision.candidates[0]
        assert chosen.partner_id == decision.partner_id and chosen.reason == "chosen"
        assert next(p for p in partners if p.id == decision.partner_id).region == lead_in.region
        # nobody eligible ranks above the chosen one
        for other in decision.candidates[1:]:
            if other.reason not in distribution.LEFT_OUT:
                assert other.score <= chosen.score
    for partner_id, count in holding.items():
        assert count <= max(cap, open_leads[partner_id])
