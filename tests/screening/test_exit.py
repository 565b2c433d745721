"""The way out (SPEC §4.12): the nightly flag, the exit-review decisions, and who hears of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.errors import ApplicationError
from notifications.models import Notification
from partners import services as partner_services
from partners.models import StatusChange
from scoring.models import JobRun
from screening import selectors, services
from screening.models import ExitReview, ExitStatus

from .helpers import DAY, nightly, prospect, scores, state, today

NIGHT = datetime.date(2026, 6, 30)


def weak_partner(code: str, *, manager=None, status: str = "active"):
    return prospect(code, status=status, manager=manager)


def flag(day=NIGHT) -> dict:
    return services.exit_reviews_flag(day=day)


def test_a_partner_below_the_exit_threshold_on_every_night_of_90_days_is_flagged(acme):
    partner = weak_partner("W-1")
    scores(partner, nightly(NIGHT, 90), "39.99")

    summary = flag()

    review = ExitReview.objects.get(partner=partner)
    assert summary == {"weak": 1, "flagged": 1}
    assert (review.status, review.flagged_on, review.window_starts_on) == ("open", NIGHT, NIGHT - 89 * DAY)
    assert (review.runs, review.highest_score, review.latest_score) == (90, Decimal("39.99"), Decimal("39.99"))
    assert review.exit_threshold == Decimal("40.00") and review.opened_by is None


def test_not_before_90_days(acme):
    partner = weak_partner("W-1")
    scores(partner, nightly(NIGHT, 90), "10.00")  # weak every night from NIGHT − 89 on

    assert flag(NIGHT - DAY) == {"weak": 0, "flagged": 0}  # 89 days of it
    assert not ExitReview.objects.exists()
    assert flag(NIGHT) == {"weak": 1, "flagged": 1}  # exactly 90


def test_sixty_runs_over_the_90_days_are_enough_and_fifty_nine_are_not(acme):
    sixty, fifty_nine = weak_partner("W-60"), weak_partner("W-59")
    window = nightly(NIGHT, 90)
    # the first night of the window and the last 59: the nightly job missed 30 nights in between
    scores(sixty, [window[-1], *window[:59]])
    scores(fifty_nine, [window[-1], *window[:58]])

    flag()

    assert ExitReview.objects.filter(partner=sixty).count() == 1
    assert not ExitReview.objects.filter(partner=fifty_nine).exists()


def test_not_after_one_good_night(acme):
    at_threshold, one_good = weak_partner("W-AT"), weak_partner("W-GOOD")
    scores(at_threshold, nightly(NIGHT, 90), "40.00")  # at the threshold is not below it
    scores(one_good, nightly(NIGHT, 45))
    scores(one_good, [NIGHT - 45 * DAY], "75.00")
    scores(one_good, nightly(NIGHT - 46 * DAY, 44))

    assert flag() == {"weak": 0, "flagged": 0}
    assert not ExitReview.objects.exists()


def test_a_tenants_exit_threshold_is_used(acme):
    partner = weak_partner("W-1")
    scores(partner, nightly(NIGHT, 90), "45.00")
    assert flag()["flagged"] == 0

    services.screening_settings_update(threshold="60", exit_threshold="50")

    assert flag()["flagged"] == 1


def test_the_same_night_twice_leaves_the_same_rows(acme):
    partner = weak_partner("W-1")
    scores(partner, nightly(NIGHT, 90))
    flag()
    before = list(ExitReview.objects.values())

    assert flag() == {"weak": 1, "flagged": 0}
    assert flag(NIGHT + DAY)["flagged"] == 0  # an open review is not opened twice
    assert list(ExitReview.objects.values()) == before


def test_prospects_suspended_and_terminated_partners_are_not_flagged(acme):
    for code, status in (("W-P", "prospect"), ("W-T", "terminated"), ("W-S", "suspended")):
        scores(weak_partner(code, status=status), nightly(NIGHT, 90))

    assert flag() == {"weak": 0, "flagged": 0}


def test_the_flag_takes_the_same_queries_for_one_and_many_weak_partners(acme):
    selectors.screening_settings()  # the tenant's settings and scorecard exist (made on first read)
    scores(weak_partner("W-0", manager=acme.member("channel_manager").user), nightly(NIGHT, 90))
    with CaptureQueriesContext(connection) as few:
        flag()
    ExitReview.objects.all().delete()
    for number in range(1, 8):
        scores(weak_partner(f"W-{number}", manager=acme.member("channel_manager").user), nightly(NIGHT, 90))
    with CaptureQueriesContext(connection) as many:
        summary = flag()

    assert summary["flagged"] == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_partners_manager_hears_of_the_flag(acme):
    manager = acme.member("channel_manager")
    partner = weak_partner("W-1", manager=manager.user)
    scores(partner, nightly(NIGHT, 90))

    flag()

    [note] = Notification.objects.filter(recipient=manager)
    review = ExitReview.objects.get(partner=partner)
    assert note.event == "exit_review" and "W-1" in note.subject
    assert note.url == f"/t/acme/screening/exit-reviews/{review.pk}/"
    assert not Notification.objects.exclude(recipient=manager).filter(event="exit_review").exists()


def test_the_nightly_job_runs_the_step_and_says_what_it_did(acme):
    from scoring.jobs import nightly_run, summary_in_words

    partner = weak_partner("W-1")
    day = today() - DAY
    scores(partner, nightly(day - DAY, 89), "12.00")  # the job scores the 90th night itself

    run = nightly_run(tenant=acme.tenant, day=day, triggered_by="manual")

    run = JobRun.objects.get(pk=run.pk)
    assert run.summary["exit_reviews"]["flagged"] in (0, 1)  # the night's own score decides
    assert any(line.startswith("Exit reviews:") for line in summary_in_words(run.summary))


# --- decisions ----------------------------------------------------------------------------------


@pytest.fixture
def review(acme):
    partner = weak_partner("W-1", manager=acme.member("channel_manager").user)
    scores(partner, nightly(NIGHT, 90))
    flag()
    return ExitReview.objects.get(partner=partner)


def test_keeping_records_the_plan_and_the_review_date(acme, review):
    admin = acme.member("admin").user
    review_on = today() + 30 * DAY

    decided = services.exit_review_decide(review=review, actor=admin, decision="keep", reason="新区域刚起步",
                                          plan="每月复盘回款；季度目标下调 20%", review_on=review_on)  # fmt: skip

    assert (decided.status, decided.decision, decided.review_on, decided.decided_by) == (
        "kept", "keep", review_on, admin
    )  # fmt: skip
    review.partner.refresh_from_db()
    assert review.partner.status == "active" and not StatusChange.objects.filter(partner=review.partner).exists()
    # its manager hears what the administrator decided
    heard = Notification.objects.filter(recipient=acme.member("channel_manager"), event="exit_review")
    assert heard.filter(url__contains=f"/exit-reviews/{review.pk}/").count() >= 1
    assert heard.count() >= 1 and "新区域刚起步" in heard.order_by("-pk").first().body


def test_a_kept_partner_is_flagged_again_on_its_review_date_if_still_weak(acme, review):
    review_on = today() + 30 * DAY
    services.exit_review_decide(review=review, actor=None, decision="keep", reason="再观察", plan="改进计划",
                                review_on=review_on)  # fmt: skip
    scores(review.partner, [NIGHT + n * DAY for n in range(1, (review_on - NIGHT).days + 1)])

    assert flag(review_on - DAY)["flagged"] == 0  # the plan runs until its date
    assert flag(review_on)["flagged"] == 1
    assert list(ExitReview.objects.filter(partner=review.partner).values_list("status", flat=True)) == [
        "open", "kept"
    ]  # fmt: skip


@pytest.mark.parametrize(("decision", "status"), [("suspend", "suspended"), ("terminate", "terminated")])
def test_suspending_or_terminating_goes_into_the_status_history_with_the_reason(acme, review, decision, status):
    manager = acme.member("channel_manager").user

    services.exit_review_decide(review=review, actor=manager, decision=decision, reason="连续九十天评分低于 40")

    review.refresh_from_db()
    review.partner.refresh_from_db()
    change = StatusChange.objects.get(partner=review.partner)
    assert review.status == status and review.partner.status == status
    assert (change.from_status, change.to_status, change.changed_by) == ("active", status, manager)
    assert change.reason == "Exit review: 连续九十天评分低于 40"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "keep", "reason": "r", "plan": "", "review_on": None}, "improvement plan"),
        ({"decision": "keep", "reason": "r", "plan": "p", "review_on": None}, "the day its plan is reviewed"),
        ({"decision": "keep", "reason": "r", "plan": "p", "review_on": "past"}, "must be after today"),
        ({"decision": "keep", "reason": "r", "plan": "p", "review_on": "far"}, "at most a year"),
        ({"decision": "suspend", "reason": "  "}, "Say why"),
        ({"decision": "suspend", "reason": "r", "plan": "p"}, "go with keeping"),
        ({"decision": "close", "reason": "r"}, "Choose keep, suspend or terminate"),
        ({"decision": "keep", "reason": "r\x00", "plan": "p", "review_on": "soon"}, "NUL"),
    ],
)
def test_a_decision_that_cannot_be_made_changes_nothing(acme, review, changes, message):
    days = {"past": today(), "far": today() + 400 * DAY, "soon": today() + 10 * DAY}
    if changes.get("review_on") in days:
        changes = {**changes, "review_on": days[changes["review_on"]]}
    before = state(review.partner)

    with pytest.raises(ValidationError) as raised:
        services.exit_review_decide(review=review, actor=None, **changes)

    assert message in " ".join(raised.value.messages)
    assert state(review.partner) == before


def test_a_decided_review_is_not_decided_again(acme, review):
    services.exit_review_decide(review=review, actor=None, decision="terminate", reason="退出")
    before = state(review.partner)

    with pytest.raises(ApplicationError, match="decided already"):
        services.exit_review_decide(review=review, actor=None, decision="keep", reason="r", plan="p",
                                    review_on=today() + DAY)  # fmt: skip
    assert state(review.partner) == before


def test_a_member_puts_a_partner_up_for_review_by_hand_once(acme):
    manager = acme.member("channel_manager").user

    review = services.exit_review_open(partner=acme.own, actor=manager, reason="多次窜货")

    assert (review.status, review.opened_by, review.opening_reason) == (ExitStatus.OPEN, manager, "多次窜货")
    with pytest.raises(ApplicationError, match="awaiting a decision already"):
        services.exit_review_open(partner=acme.own, actor=manager, reason="again")
    partner_services.partner_change_status(partner=acme.other, status="terminated", effective_on=today(), reason="x")
    with pytest.raises(ApplicationError, match="Only a partner in its pilot, active or suspended"):
        services.exit_review_open(partner=acme.other, actor=manager, reason="x")
