"""Evaluations, the screening score and the decision (services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import ApplicationError
from partners.models import StatusChange
from screening import selectors, services
from screening.models import Criterion, Evaluation, Evidence, ScreeningDecision

from .helpers import CODES, VALID_TAX_ID, criterion, evaluate, prospect, ratings, state


def test_a_tenant_gets_the_seeds_five_criteria_and_thresholds_on_first_read(acme):
    criteria = selectors.scorecard()
    settings = selectors.screening_settings()

    assert [(c.code, c.weight) for c in criteria] == list(zip(CODES, (30, 20, 20, 20, 10), strict=True))
    assert criteria[0].name_zh == "战略一致性" and criteria[0].name_en == "Strategic fit"
    assert all(len(c.anchors_zh) == 5 and len(c.anchors_en) == 5 for c in criteria)
    assert (settings.threshold, settings.exit_threshold) == (Decimal("60.00"), Decimal("40.00"))
    selectors.scorecard()
    assert Criterion.objects.count() == 5  # made once


def test_the_hand_worked_evaluation_scores_60(acme):
    partner = prospect()

    evaluation = evaluate(partner, acme.member("channel_manager").user, 5, 4, 3, 2, 1)

    assert evaluation.score == Decimal("60.00")
    assert [(r.weight, r.rating) for r in evaluation.ratings.order_by("criterion__position")] == [
        (30, 5), (20, 4), (20, 3), (20, 2), (10, 1)
    ]  # fmt: skip


def test_several_evaluators_give_the_mean_of_their_latest_scores(acme):
    partner = prospect()
    evaluate(partner, acme.member("channel_manager").user, 5, 4, 3, 2, 2)  # 62.50
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)  # 60.00
    evaluate(partner, acme.member("viewer").user, 5, 4, 3, 2, 1)  # 60.00 (any vendor member's service call)

    screening = selectors.screening_of(partner)

    assert sorted(e.score for e in screening.evaluations) == [Decimal("60.00"), Decimal("60.00"), Decimal("62.50")]
    assert screening.score == Decimal("60.83")  # 182.5 / 3 = 60.8333…
    assert (screening.evaluator_count, screening.recommendation) == (3, "proceed")


def test_the_mean_of_two_evaluators_rounds_half_up_at_the_boundary(acme):
    # Weights 41/59 so that one score is 60.25: 100 × (41×3 + 59×2) / 4 ÷ 100 = 241 / 4
    two = [
        {"code": "fit", "name_zh": "契合", "name_en": "Fit", "weight": 41, "anchors_zh": list("12345"),
         "anchors_en": list("12345")},
        {"code": "credit", "name_zh": "信用", "name_en": "Credit", "weight": 59, "anchors_zh": list("12345"),
         "anchors_en": list("12345")},
    ]  # fmt: skip
    services.scorecard_update(criteria=two, threshold="59.63")
    partner = prospect()
    first = services.evaluation_submit(
        partner=partner,
        actor=acme.member("admin").user,
        ratings=[{"criterion": "fit", "rating": 1}, {"criterion": "credit", "rating": 5}],
    )
    second = services.evaluation_submit(
        partner=partner,
        actor=acme.member("channel_manager").user,
        ratings=[{"criterion": "fit", "rating": 4}, {"criterion": "credit", "rating": 3}],
    )

    screening = selectors.screening_of(partner)

    assert (first.score, second.score) == (Decimal("59.00"), Decimal("60.25"))
    assert screening.score == Decimal("59.63")  # 59.625 half up (banker's rounding would give 59.62)
    assert screening.recommendation == "proceed"  # the threshold is met exactly


def test_at_the_threshold_it_proceeds_and_below_it_declines(acme):
    at = prospect("P-AT")
    below = prospect("P-BELOW")
    evaluate(at, acme.member("admin").user, 5, 4, 3, 2, 1)  # 60.00
    evaluate(below, acme.member("admin").user, 5, 4, 3, 1, 2)  # 100 × 230 / 400 = 57.50, the next step down

    assert selectors.screening_of(at).recommendation == "proceed"
    screening = selectors.screening_of(below)
    assert (screening.score, screening.recommendation) == (Decimal("57.50"), "decline")


def test_a_tenant_threshold_moves_the_recommendation(acme):
    partner = prospect()
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)
    services.screening_settings_update(threshold="60.01", exit_threshold="40")

    assert selectors.screening_of(partner).recommendation == "decline"


def test_editing_an_evaluation_keeps_the_earlier_version(acme):
    partner = prospect()
    user = acme.member("channel_manager").user
    first = evaluate(partner, user, 1, 1, 1, 1, 1)

    second = evaluate(partner, user, 5, 5, 5, 5, 5)

    first.refresh_from_db()
    assert (first.is_current, first.version, first.score) == (False, 1, Decimal("0.00"))
    assert (second.is_current, second.version, second.score) == (True, 2, Decimal("100.00"))
    assert selectors.screening_of(partner).score == Decimal("100.00")  # only the latest counts
    assert list(selectors.earlier_versions(partner)) == [first]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (ratings(5, 4, 3, 2), "not rated: Growth potential"),
        ([*ratings(5, 4, 3, 2, 1), {"criterion": "strategic_fit", "rating": 3}], "rated twice"),
        ([*ratings(5, 4, 3, 2, 1), {"criterion": "nope", "rating": 3}], "no criterion of the scorecard"),
        ([{**r, "rating": 6} if r["criterion"] == "strategic_fit" else r for r in ratings(5, 4, 3, 2, 1)], "rate it 1"),
        ([{**r, "rating": 0} if r["criterion"] == "strategic_fit" else r for r in ratings(5, 4, 3, 2, 1)], "rate it 1"),
        ([{**r, "rating": True} if r["criterion"] == "strategic_fit" else r for r in ratings(5, 4, 3, 2, 1)],
         "rate it 1"),
        ([{**r, "note": "a\x00b"} if r["criterion"] == "strategic_fit" else r for r in ratings(5, 4, 3, 2, 1)], "NUL"),
        ([{**r, "note": "x" * 2001} if r["criterion"] == "strategic_fit" else r for r in ratings(5, 4, 3, 2, 1)],
         "2000"),
    ],
)  # fmt: skip
def test_a_bad_evaluation_is_refused_with_a_clear_error_and_nothing_changes(acme, given, message):
    partner = prospect()
    before = state(partner)

    with pytest.raises(ValidationError) as raised:
        services.evaluation_submit(partner=partner, actor=acme.member("admin").user, ratings=given)

    assert message in " ".join(raised.value.messages)
    assert state(partner) == before


def test_evidence_files_are_kept_and_carried_to_the_next_version(acme):
    partner = prospect()
    user = acme.member("channel_manager").user
    upload = SimpleUploadedFile("visit.pdf", b"%PDF-1.4\n%visit\n", content_type="application/pdf")
    first = evaluate(partner, user, 3, 3, 3, 3, 3, evidence=[upload])

    second = evaluate(partner, user, 4, 4, 4, 4, 4)

    assert [e.original_filename for e in first.evidence.all()] == ["visit.pdf"]
    assert [e.original_filename for e in second.evidence.all()] == ["visit.pdf"]
    assert second.evidence.get().file.name == first.evidence.get().file.name


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("virus.exe", 10, "not accepted"), ("huge.pdf", 30 * 1024 * 1024, "the limit is")],
)
def test_a_bad_evidence_file_is_refused_and_nothing_is_written(acme, settings, name, size, message):
    partner = prospect()
    upload = SimpleUploadedFile(name, b"x" * size)

    with pytest.raises(ValidationError) as raised:
        evaluate(partner, acme.member("admin").user, 3, 3, 3, 3, 3, evidence=[upload])

    assert message in " ".join(raised.value.messages)
    assert not Evaluation.objects.filter(partner=partner).exists()
    assert not Evidence.objects.exists()


def test_declining_terminates_the_prospect_with_the_reason_in_its_history(acme):
    partner = prospect()
    evaluate(partner, acme.member("admin").user, 2, 2, 2, 2, 2)
    manager = acme.member("channel_manager").user

    record = services.screening_decide(partner=partner, actor=manager, decision="decline", reason="只做低价项目")

    partner.refresh_from_db()
    change = StatusChange.objects.get(partner=partner)
    assert partner.status == "terminated"
    assert (change.from_status, change.to_status, change.changed_by) == ("prospect", "terminated", manager)
    assert "Declined at screening (screening score 25.00)" in change.reason and "只做低价项目" in change.reason
    assert (record.decision, record.recommendation, record.screening_score) == ("decline", "decline", Decimal("25.00"))
    assert record.decided_by == manager and record.evaluator_count == 1


def test_proceeding_takes_the_prospect_into_onboarding_with_the_score_in_its_history(acme):
    partner = prospect(tax_id=VALID_TAX_ID)
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)

    record = services.screening_decide(partner=partner, actor=acme.member("admin").user, decision="proceed")

    partner.refresh_from_db()
    change = StatusChange.objects.get(partner=partner)
    assert partner.status == "onboarding" and record.moved_to == "onboarding"
    assert change.reason == "Screening passed (screening score 60.00); due diligence started"


def test_proceeding_before_the_onboarding_items_are_met_is_recorded_and_the_prospect_waits(acme):
    partner = prospect()  # no unified social credit code: the onboarding gate is not met
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)

    record = services.screening_decide(partner=partner, actor=acme.member("admin").user, decision="proceed")

    partner.refresh_from_db()
    assert partner.status == "prospect" and record.moved_to == ""
    assert [item["code"] for item in record.missing] == ["tax_id"]
    assert ScreeningDecision.objects.filter(partner=partner, decision="proceed").exists()


def test_a_person_may_decide_against_the_recommendation(acme):
    partner = prospect(tax_id=VALID_TAX_ID)
    evaluate(partner, acme.member("admin").user, 1, 1, 1, 1, 1)

    record = services.screening_decide(partner=partner, actor=acme.member("admin").user, decision="proceed",
                                       reason="战略客户引荐")  # fmt: skip

    assert record.recommendation == "decline" and not record.follows_recommendation


@pytest.mark.parametrize(
    ("setup", "decision", "reason", "error"),
    [
        ("none", "proceed", "", "Nobody has evaluated"),
        ("evaluated", "decline", "  ", "Say why"),
        ("evaluated", "maybe", "", "Choose proceed or decline"),
        ("active", "proceed", "", "Only a prospect"),
    ],
)
def test_a_decision_that_cannot_be_made_changes_nothing(acme, setup, decision, reason, error):
    partner = acme.own if setup == "active" else prospect()
    if setup != "none":
        evaluate(partner, acme.member("admin").user, 3, 3, 3, 3, 3)
    before = state(partner)

    with pytest.raises((ValidationError, ApplicationError)) as raised:
        services.screening_decide(partner=partner, actor=acme.member("admin").user, decision=decision, reason=reason)

    text = raised.value.message if isinstance(raised.value, ApplicationError) else " ".join(raised.value.messages)
    assert error in text
    assert state(partner) == before


def test_the_scorecard_weights_must_be_positive_and_sum_to_100(acme):
    criteria = [criterion("a", 60), criterion("b", 30)]
    with pytest.raises(ValidationError, match="sum to 90; they must sum to 100"):
        services.scorecard_update(criteria=criteria)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        services.scorecard_update(criteria=[{**criteria[0], "weight": 0}, {**criteria[1], "weight": 100}])
    with pytest.raises(ValidationError, match="one anchor for each rating"):
        services.scorecard_update(criteria=[{**criteria[0], "weight": 100, "anchors_en": ["only one"]}])
    assert [c.code for c in selectors.scorecard()] == list(CODES)  # nothing changed


def test_a_new_scorecard_retires_the_criteria_left_out_and_old_evaluations_keep_their_weights(acme):
    partner = prospect()
    old = evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)
    criteria = [
        {"code": "strategic_fit", "name_zh": "战略一致性", "name_en": "Strategic fit", "weight": 50,
         "anchors_zh": list("12345"), "anchors_en": list("12345")},
        {"code": "after_sales", "name_zh": "售后", "name_en": "After-sales", "weight": 50,
         "anchors_zh": list("12345"), "anchors_en": list("12345")},
    ]  # fmt: skip

    services.scorecard_update(criteria=criteria, threshold="55")

    assert [(c.code, c.weight) for c in selectors.scorecard()] == [("strategic_fit", 50), ("after_sales", 50)]
    assert Criterion.objects.filter(is_active=False).count() == 4
    old.refresh_from_db()
    assert old.score == Decimal("60.00")
    assert selectors.screening_settings().threshold == Decimal("55.00")
    new = services.evaluation_submit(
        partner=partner, actor=acme.member("channel_manager").user,
        ratings=[{"criterion": "strategic_fit", "rating": 5}, {"criterion": "after_sales", "rating": 3}],
    )  # fmt: skip
    assert new.score == Decimal("75.00")
