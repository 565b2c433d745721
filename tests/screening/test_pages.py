"""The screening pages: candidates and compare, a partner's screening and the evaluation form, the
scorecard, and exit reviews; none of it for partner-side members."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import StatusChange
from screening.models import Criterion, Evaluation, ExitReview

from .helpers import CODES, VALID_TAX_ID, evaluate, prospect, state, today


def test_the_candidates_list_filters_by_tag_region_kind_and_industry(acme, page_client):
    first = prospect("P-1", tags=["华东", "云计算"], region="华东", industries=["制造业"])
    prospect("P-2", tags=["华南"], region="华南", kind="reseller")
    evaluate(first, acme.member("admin").user, 5, 4, 3, 2, 1)
    client = page_client(acme.member("channel_manager"))

    everyone = client.get("/t/acme/screening/").content.decode()
    by_tags = client.get("/t/acme/screening/?tag=云计算,华东").content.decode()
    by_kind = client.get("/t/acme/screening/?kind=reseller").content.decode()
    by_industry = client.get("/t/acme/screening/?industry=制造").content.decode()
    by_region = client.get("/t/acme/screening/?region=华南").content.decode()

    assert "P-1" in everyone and "P-2" in everyone and "60.00" in everyone
    assert "ACME-OWN" not in everyone  # prospects unless asked otherwise
    assert "P-1" in by_tags and "P-2" not in by_tags
    assert "P-2" in by_kind and "P-1" not in by_kind
    assert "P-1" in by_industry and "P-2" not in by_industry
    assert "P-2" in by_region and "P-1" not in by_region


@pytest.mark.parametrize("query", ["tag=%00", "kind=nope", "region=" + "x" * 5000, "page=99999999999999999999"])
def test_odd_filters_are_never_a_server_error(acme, page_client, query):
    response = page_client(acme.member("viewer")).get(f"/t/acme/screening/?{query}")
    assert response.status_code in (200, 400, 404)  # a NUL in the address is a 400 before any view


def test_three_prospects_side_by_side_with_a_radar_each(acme, page_client):
    partners = [prospect(f"C-{n}", tags=[f"tag-{n}"]) for n in range(3)]
    evaluate(partners[0], acme.member("admin").user, 5, 4, 3, 2, 1, summary="渠道覆盖华东三省")
    evaluate(partners[0], acme.member("channel_manager").user, 5, 5, 3, 2, 1)
    evaluate(partners[1], acme.member("admin").user, 2, 2, 2, 2, 2)
    query = "&".join(f"partner={partner.pk}" for partner in partners)

    response = page_client(acme.member("channel_manager")).get(f"/t/acme/screening/compare/?{query}")

    page = response.content.decode()
    assert response.status_code == 200
    assert all(f'id="radar-{partner.pk}"' in page for partner in partners)
    assert 'id="screening-radar-data"' in page and "chart.umd.min.js" in page
    assert "62.50" in page and "25.00" in page  # (60 + 65) / 2 and the second's
    assert "渠道覆盖华东三省" in page and "tag-2" in page
    assert "<script>" not in page.replace("<script src=", "")  # no inline script (CSP)


def test_compare_never_shows_another_tenants_partner(acme, page_client, world):
    response = page_client(acme.member("admin")).get(f"/t/acme/screening/compare/?partner={world['globex'].own.pk}")
    assert response.status_code == 200 and "Globex Own Partner" not in response.content.decode()


def test_a_colleague_evaluates_on_the_form_with_a_file_and_editing_keeps_the_old_version(acme, page_client):
    partner = prospect()
    client = page_client(acme.member("channel_manager"))
    form = {f"rating_{code}": str(rating) for code, rating in zip(CODES, (5, 4, 3, 2, 1), strict=True)}
    form.update({"note_strategic_fit": "与我方华东战略一致", "summary": "首轮评估"})

    page = client.get(f"/t/acme/partners/{partner.pk}/screening/evaluate/")
    assert page.status_code == 200 and "Fully aligned" in page.content.decode()
    first = client.post(f"/t/acme/partners/{partner.pk}/screening/evaluate/",
                        {**form, "evidence": SimpleUploadedFile("visit.pdf", b"%PDF-1.4\n")})  # fmt: skip
    second = client.post(f"/t/acme/partners/{partner.pk}/screening/evaluate/", {**form, "rating_growth_potential": "5"})

    assert first.status_code == 302, first.context["form"].errors
    assert second.status_code == 302
    rows = Evaluation.objects.filter(partner=partner).order_by("version")
    versions = list(rows.values_list("version", "score", "is_current"))
    assert [(v, str(s), c) for v, s, c in versions] == [(1, "60.00", False), (2, "70.00", True)]
    shown = client.get(f"/t/acme/partners/{partner.pk}/screening/").content.decode()
    assert "70.00" in shown and "visit.pdf" in shown and "Earlier versions" in shown


def test_an_incomplete_evaluation_form_says_what_is_missing(acme, page_client):
    partner = prospect()
    response = page_client(acme.member("channel_manager")).post(
        f"/t/acme/partners/{partner.pk}/screening/evaluate/", {"rating_strategic_fit": "9", "summary": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rate this criterion 1 to 5." in page and "not one of the available choices" in page
    assert not Evaluation.objects.exists()


def test_deciding_on_the_page_records_it_in_the_partners_history(acme, page_client):
    declined, proceeding = prospect("D-1"), prospect("D-2", tax_id=VALID_TAX_ID)
    evaluate(declined, acme.member("admin").user, 1, 2, 2, 2, 2)
    evaluate(proceeding, acme.member("admin").user, 5, 4, 4, 4, 4)
    client = page_client(acme.member("channel_manager"))

    no_reason = client.post(f"/t/acme/partners/{declined.pk}/screening/decide/", {"decision": "decline"}, follow=True)
    assert "Say why the prospect is declined" in no_reason.content.decode()
    client.post(f"/t/acme/partners/{declined.pk}/screening/decide/", {"decision": "decline", "reason": "区域重叠"})
    moved = client.post(f"/t/acme/partners/{proceeding.pk}/screening/decide/", {"decision": "proceed"})

    assert moved.status_code == 302 and moved["Location"] == f"/t/acme/partners/{proceeding.pk}/diligence/"
    history = client.get(f"/t/acme/partners/{declined.pk}/").content.decode()
    assert "区域重叠" in history
    assert StatusChange.objects.get(partner=proceeding).to_status == "onboarding"


def test_the_scorecard_page_and_its_editor(acme, page_client):
    admin = page_client(acme.member("admin"))
    assert "Strategic fit" in admin.get("/t/acme/screening/scorecard/").content.decode()
    page = admin.get("/t/acme/screening/scorecard/edit/").content.decode()
    assert "criteria-TOTAL_FORMS" in page
    data = {"threshold": "65", "exit_threshold": "35", "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "20"}  # fmt: skip
    row = {
        "code": "fit",
        "name_zh": "契合",
        "name_en": "Fit",
        "anchors_zh": "1\n2\n3\n4\n5",
        "anchors_en": "a\nb\nc\nd\ne",
    }
    for index, weight in enumerate((60, 30)):
        data.update({f"criteria-{index}-{name}": value for name, value in {**row, "code": f"c{index}"}.items()})
        data[f"criteria-{index}-weight"] = str(weight)

    refused = admin.post("/t/acme/screening/scorecard/edit/", data)
    data["criteria-1-weight"] = "40"
    saved = admin.post("/t/acme/screening/scorecard/edit/", data)

    assert refused.status_code == 200 and "sum to 90" in refused.content.decode()
    assert saved.status_code == 302
    assert list(Criterion.objects.filter(is_active=True).values_list("code", "weight")) == [("c0", 60), ("c1", 40)]


def test_the_exit_review_list_and_its_decision_into_the_history(acme, page_client):
    review = ExitReview.objects.create(partner=acme.own, flagged_on=today(), window_starts_on=today(), runs=90,
                                       highest_score="31.50", latest_score="28.00", exit_threshold=40)  # fmt: skip
    client = page_client(acme.member("channel_manager"))

    listed = client.get("/t/acme/screening/exit-reviews/").content.decode()
    shown = client.get(f"/t/acme/screening/exit-reviews/{review.pk}/").content.decode()
    bad = client.post(f"/t/acme/screening/exit-reviews/{review.pk}/decide/",
                      {"decision": "keep", "reason": "r", "review_on": "2026-13-01"}, follow=True)  # fmt: skip
    assert bad.status_code == 200 and ExitReview.objects.get(pk=review.pk).status == "open"
    client.post(f"/t/acme/screening/exit-reviews/{review.pk}/decide/", {"decision": "suspend", "reason": "连续低分"})

    assert "ACME-OWN" in listed and "31.50" in listed
    assert "Record the decision" in shown
    review.refresh_from_db()
    assert review.status == "suspended"
    assert StatusChange.objects.get(partner=acme.own).reason == "Exit review: 连续低分"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_side_members_get_403_for_their_own_and_404_for_others(acme, page_client, role):
    evaluation = evaluate(acme.own, acme.member("admin").user, 3, 3, 3, 3, 3,
                          evidence=[SimpleUploadedFile("secret.pdf", b"%PDF-1.4\n")])  # fmt: skip
    evidence = evaluation.evidence.get()
    review = ExitReview.objects.create(partner=acme.own, flagged_on=today(), exit_threshold=40)
    other = ExitReview.objects.create(partner=acme.other, flagged_on=today(), exit_threshold=40)
    before = state(acme.own)
    client = page_client(acme.member(role))

    statuses = {
        path: client.get(path).status_code
        for path in (
            "/t/acme/screening/",
            f"/t/acme/screening/compare/?partner={acme.own.pk}",
            "/t/acme/screening/scorecard/",
            "/t/acme/screening/exit-reviews/",
            f"/t/acme/partners/{acme.own.pk}/screening/",
            f"/t/acme/screening/exit-reviews/{review.pk}/",
            f"/t/acme/screening/evidence/{evidence.pk}/",
        )
    }
    other_statuses = [
        client.get(f"/t/acme/partners/{acme.other.pk}/screening/").status_code,
        client.get(f"/t/acme/screening/exit-reviews/{other.pk}/").status_code,
    ]
    posted = client.post(f"/t/acme/partners/{acme.own.pk}/screening/evaluate/", {"rating_strategic_fit": "5"})
    portal = client.get(f"/t/acme/partners/{acme.own.pk}/").content.decode()

    assert set(statuses.values()) == {403}, statuses
    assert other_statuses == [404, 404]
    assert posted.status_code == 403 and state(acme.own) == before
    assert "/screening/" not in portal  # no tab, no link


def test_the_nav_and_the_partner_tabs_lead_vendor_members_to_screening(acme, page_client):
    page = page_client(acme.member("viewer")).get(f"/t/acme/partners/{acme.own.pk}/").content.decode()
    assert "/t/acme/screening/" in page and f"/t/acme/partners/{acme.own.pk}/screening/" in page
    assert "/t/acme/screening/exit-reviews/" in page


def test_the_pages_read_in_chinese(acme, page_client):
    page = page_client(acme.member("admin"), "zh-hans").get("/t/acme/screening/scorecard/").content.decode()
    assert "战略一致性" in page  # the criteria's own Chinese names, whatever the catalogue holds
    assert datetime.date.today().year > 2000
