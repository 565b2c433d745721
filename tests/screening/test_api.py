"""Screening over the API (SPEC §6): scorecard, evaluations, a partner's screening, exit reviews."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.models import Criterion, Evaluation, ExitReview
from tests.conftest import tenant_api

from .helpers import CODES, VALID_TAX_ID, criterion, evaluate, prospect, ratings, state, today

DAY_AHEAD = 30


@pytest.fixture
def api(api):
    """The API client of ``tests.conftest``, asking for English answers."""

    def client_for(membership=None):
        client = api(membership)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return client_for


def url(path: str, slug: str = "acme") -> str:
    return tenant_api(slug, path)


def test_the_scorecard_reads_its_criteria_and_thresholds(acme, api):
    response = api(acme.member("viewer")).get(url("scorecard/"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["code"], c["weight"]) for c in body["criteria"]] == list(zip(CODES, (30, 20, 20, 20, 10), strict=True))
    assert (body["threshold"], body["exit_threshold"]) == ("60.00", "40.00")
    assert body["criteria"][0]["anchors_en"][4].startswith("Fully aligned")


def test_an_administrator_replaces_the_scorecard_and_a_bad_one_is_a_clear_400(acme, api):
    client = api(acme.member("admin"))
    good = {"criteria": [criterion("fit", 70), criterion("credit", 30)], "threshold": "65", "exit_threshold": "35.5"}

    response = client.put(url("scorecard/"), good, format="json")

    assert response.status_code == 200, response.content
    assert [c["code"] for c in response.json()["criteria"]] == ["fit", "credit"]
    assert response.json()["exit_threshold"] == "35.50"
    for bad, word in (
        ({**good, "criteria": [criterion("fit", 70), criterion("credit", 20)]}, "sum to 90"),
        ({**good, "criteria": [criterion("fit", 100), criterion("fit", 0)]}, "greater than or equal to 1"),
        ({**good, "criteria": []}, "at least one"),
        ({**good, "threshold": "1e999"}, "digits"),
        ({**good, "threshold": "101"}, "less than or equal to 100"),
        ({**good, "criteria": [{**criterion("fit", 100), "name_en": "a\x00b"}]}, "NUL character"),
        ({**good, "criteria": [{**criterion("fit", 100), "anchors_en": ["one"]}]}, "at least 5 elements"),
    ):
        before = list(Criterion.objects.values())
        answer = client.put(url("scorecard/"), bad, format="json")
        assert answer.status_code == 400, (bad, answer.content)
        assert word.lower() in answer.content.decode().lower(), answer.content
        assert list(Criterion.objects.values()) == before


def test_a_channel_manager_cannot_change_the_scorecard(acme, api):
    before = list(Criterion.objects.values())
    response = api(acme.member("channel_manager")).put(
        url("scorecard/"), {"criteria": [criterion("x", 100)], "threshold": "1", "exit_threshold": "1"}, format="json"
    )
    assert response.status_code == 403
    assert list(Criterion.objects.values()) == before


def test_posting_an_evaluation_answers_with_its_score(acme, api):
    partner = prospect()

    response = api(acme.member("channel_manager")).post(
        url("evaluations/"), {"partner": partner.code, "ratings": ratings(5, 4, 3, 2, 1), "summary": "初访"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["score"], body["version"], body["is_current"]) == ("60.00", 1, True)
    assert body["evaluator"] == acme.member("channel_manager").user.email
    first = body["ratings"][0]
    assert (first["criterion"], first["rating"], first["weight"]) == ("strategic_fit", 5, 30)


@pytest.mark.parametrize(
    ("payload", "word"),
    [
        ({"partner": "NOPE", "ratings": ratings(3, 3, 3, 3, 3)}, "No partner with code"),
        ({"partner": "P-001", "ratings": ratings(3, 3, 3, 3)}, "not rated"),
        ({"partner": "P-001", "ratings": [{**r, "rating": 9} for r in ratings(3, 3, 3, 3, 3)]}, "less than or equal"),
        ({"partner": "P-001", "ratings": [{**r, "rating": "x"} for r in ratings(3, 3, 3, 3, 3)]}, "valid integer"),
        ({"partner": "P-001", "ratings": [{**r, "rating": 10**30} for r in ratings(3, 3, 3, 3, 3)]}, "less than"),
        ({"partner": "P-001", "ratings": "all fives"}, "list"),
        ({"partner": "P-001", "ratings": []}, "may not be empty"),
        ({"partner": "P-001\x00", "ratings": ratings(3, 3, 3, 3, 3)}, "NUL character"),
    ],
)
def test_a_bad_evaluation_is_a_400_that_says_why_and_writes_nothing(acme, api, payload, word):
    partner = prospect("P-001")
    before = state(partner)

    response = api(acme.member("admin")).post(url("evaluations/"), payload, format="json")

    assert response.status_code == 400, response.content
    assert word.lower() in response.content.decode().lower(), response.content
    assert state(partner) == before


def test_another_partner_of_another_tenant_is_no_partner_here(acme, api, world):
    response = api(acme.member("admin")).post(
        url("evaluations/"), {"partner": "GLOBEX-OWN", "ratings": ratings(3, 3, 3, 3, 3)}, format="json"
    )
    assert response.status_code == 400 and "No partner with code" in response.content.decode()
    assert "Globex Own Partner" not in response.content.decode()


def test_evidence_is_attached_by_its_evaluator_within_the_contract_file_limits(acme, api):
    partner = prospect()
    evaluation = evaluate(partner, acme.member("channel_manager").user, 3, 3, 3, 3, 3)
    path = url(f"evaluations/{evaluation.pk}/evidence/")

    ok = api(acme.member("channel_manager")).post(
        path, {"file": SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%x\n")}, format="multipart"
    )
    wrong_type = api(acme.member("channel_manager")).post(
        path, {"file": SimpleUploadedFile("report.exe", b"MZ")}, format="multipart"
    )
    someone_else = api(acme.member("admin")).post(
        path, {"file": SimpleUploadedFile("report.pdf", b"%PDF-1.4\n")}, format="multipart"
    )

    assert ok.status_code == 201, ok.content
    assert [e["original_filename"] for e in ok.json()["evidence"]] == ["report.pdf"]
    assert wrong_type.status_code == 400 and "not accepted" in wrong_type.content.decode()
    assert someone_else.status_code == 409 and "Only the evaluator" in someone_else.content.decode()
    assert evaluation.evidence.count() == 1


def test_a_partners_screening_gives_the_score_recommendation_and_evaluations(acme, api):
    partner = prospect()
    evaluate(partner, acme.member("channel_manager").user, 5, 4, 3, 2, 2)
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)

    response = api(acme.member("finance")).get(url(f"partners/{partner.pk}/screening/"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["screening_score"], body["recommendation"], body["evaluator_count"]) == ("61.25", "proceed", 2)
    assert body["threshold"] == "60.00" and len(body["evaluations"]) == 2


def test_deciding_over_the_api_records_it_and_moves_the_prospect(acme, api):
    partner = prospect(tax_id=VALID_TAX_ID)
    evaluate(partner, acme.member("admin").user, 5, 4, 3, 2, 1)
    client = api(acme.member("channel_manager"))

    response = client.post(url(f"partners/{partner.pk}/screening/decide/"), {"decision": "proceed"}, format="json")
    again = client.post(url(f"partners/{partner.pk}/screening/decide/"), {"decision": "decline", "reason": "x"},
                        format="json")  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "onboarding"
    assert response.json()["decisions"][0]["moved_to"] == "onboarding"
    assert again.status_code == 409 and "Only a prospect" in again.content.decode()


def test_the_evaluation_list_is_paginated_in_the_same_queries_for_few_and_many(acme, api):
    client = api(acme.member("viewer"))
    evaluate(prospect("Q-0"), acme.member("admin").user, 3, 3, 3, 3, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("evaluations/")).status_code == 200
    for number in range(1, 6):
        evaluate(prospect(f"Q-{number}"), acme.member("admin").user, 3, 3, 3, 3, 3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("evaluations/"))
    assert response.json()["count"] == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_exit_reviews_are_opened_listed_and_decided(acme, api):
    client = api(acme.member("channel_manager"))

    opened = client.post(url("exit-reviews/"), {"partner": acme.own.code, "reason": "回款持续恶化"}, format="json")
    assert opened.status_code == 201, opened.content
    review_id = opened.json()["id"]
    listed = client.get(url("exit-reviews/?status=open")).json()
    assert [row["id"] for row in listed["results"]] == [review_id]

    bad = client.post(url(f"exit-reviews/{review_id}/decide/"), {"decision": "keep", "reason": "r"}, format="json")
    assert bad.status_code == 400 and "improvement plan" in bad.content.decode()
    decide = url(f"exit-reviews/{review_id}/decide/")
    impossible = {"decision": "keep", "reason": "r", "plan": "p", "review_on": "2026-02-30"}
    assert client.post(decide, impossible, format="json").status_code == 400
    day = (today() + datetime.timedelta(days=DAY_AHEAD)).isoformat()
    keep = {"decision": "keep", "reason": "给一个季度", "plan": "每周跟进", "review_on": day}
    kept = client.post(decide, keep, format="json")
    assert kept.status_code == 200, kept.content
    assert (kept.json()["status"], kept.json()["review_on"]) == ("kept", day)
    twice = client.post(url(f"exit-reviews/{review_id}/decide/"), {"decision": "terminate", "reason": "r"},
                        format="json")  # fmt: skip
    assert twice.status_code == 409


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_side_members_never_see_screening_or_exit_reviews(acme, api, role):
    partner_client = api(acme.member(role))
    evaluation = evaluate(acme.own, acme.member("admin").user, 3, 3, 3, 3, 3, summary="internal view of own")
    review = ExitReview.objects.create(partner=acme.own, flagged_on=today(), exit_threshold=40, opening_reason="weak")
    other_review = ExitReview.objects.create(partner=acme.other, flagged_on=today(), exit_threshold=40)
    before = (list(Evaluation.objects.values()), list(ExitReview.objects.values()))

    answers = {
        "scorecard": partner_client.get(url("scorecard/")),
        "evaluations": partner_client.get(url("evaluations/")),
        "evaluation": partner_client.get(url(f"evaluations/{evaluation.pk}/")),
        "screening": partner_client.get(url(f"partners/{acme.own.pk}/screening/")),
        "other screening": partner_client.get(url(f"partners/{acme.other.pk}/screening/")),
        "reviews": partner_client.get(url("exit-reviews/")),
        "review": partner_client.get(url(f"exit-reviews/{review.pk}/")),
        "other review": partner_client.get(url(f"exit-reviews/{other_review.pk}/")),
        "evaluate": partner_client.post(url("evaluations/"), {"partner": acme.own.code,
                                                              "ratings": ratings(5, 5, 5, 5, 5)}, format="json"),
        "decide": partner_client.post(url(f"exit-reviews/{review.pk}/decide/"), {"decision": "keep"}, format="json"),
    }  # fmt: skip

    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "scorecard": 403, "evaluations": 403, "evaluation": 403, "screening": 403, "other screening": 404,
        "reviews": 403, "review": 403, "other review": 404, "evaluate": 403, "decide": 403,
    }  # fmt: skip
    text = "".join(answer.content.decode() for answer in answers.values())
    assert "internal view of own" not in text and "score" not in text.replace("scorecard", "")
    assert (list(Evaluation.objects.values()), list(ExitReview.objects.values())) == before
