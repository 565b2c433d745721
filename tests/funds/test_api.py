"""``funds/``, ``fund-requests/`` and ``fund-claims/`` over the API: roles, partners' walls, inputs, idempotency."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import Fund, FundClaim, FundRequest
from tests.conftest import tenant_api

from .helpers import PLANNED, approved_claim, approved_request, claim, fund, proof, request, state


def url(path: str) -> str:
    return tenant_api("acme", path)


def test_a_channel_manager_sets_up_a_fund_and_reads_its_figures(acme, api):
    made = api(acme.member("channel_manager")).post(
        url("funds/"), {"code": "MDF-Q1", "name": "一季度市场基金", "period": "2026-q1", "budget": "10000",
                        "tiers": ["ordinary"]}, format="json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["period"], body["budget"], body["remaining"], body["tiers"]) == ("2026-Q1", "10000.00",
                                                                                 "10000.00", ["ordinary"])  # fmt: skip

    approved_claim(acme, approved_request(acme, Fund.objects.get(code="MDF-Q1"), amount="4000"), amount="1500")
    figures = api(acme.member("viewer")).get(url(f"funds/{body['id']}/")).json()

    assert {name: figures[name] for name in ("approved", "remaining", "claimed", "claims_approved", "paid")} == {
        "approved": "4000.00", "remaining": "6000.00", "claimed": "1500.00", "claims_approved": "1500.00",
        "paid": "0.00",
    }  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"code": "X", "name": "x", "period": "2026-Q5", "budget": "1"},
        {"code": "X", "name": "x", "period": "2026", "budget": "-1"},
        {"code": "X", "name": "x", "period": "2026", "budget": "1e400"},
        {"code": "X", "name": "x\u0000", "period": "2026", "budget": "1"},
        {"code": "X", "name": "x", "period": "2026", "budget": "1", "tiers": ["gold"]},
        {"code": "bad code!", "name": "x", "period": "2026", "budget": "1"},
    ],
)
def test_a_bad_fund_is_a_400_naming_its_field(acme, api, body):
    answer = api(acme.member("admin")).post(url("funds/"), body, format="json")
    assert answer.status_code == 400, answer.content
    assert not Fund.objects.exists()


def test_a_partner_reads_only_funds_open_to_its_tier_and_never_the_budget(acme, api):
    fund("ALL", budget="99999.00")
    fund("CORE", tiers=["core"])
    approved_request(acme, Fund.objects.get(code="ALL"), amount="7777.00", partner=acme.other)

    answer = api(acme.member("partner_user")).get(url("funds/"))

    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["code"] for row in rows] == ["ALL"]
    assert "budget" not in rows[0] and "remaining" not in rows[0]
    assert rows[0]["approved"] == "0.00"  # its own: the other partner's 7,777.00 is not its to see
    assert "99999" not in answer.content.decode() and "7777" not in answer.content.decode()
    core = Fund.objects.get(code="CORE")
    assert api(acme.member("partner_user")).get(url(f"funds/{core.pk}/")).status_code == 404


def test_a_partner_admin_requests_and_a_channel_manager_approves_with_idempotency(acme, api):
    the_fund = fund()
    partner = api(acme.member("partner_admin"))
    body = {"fund": the_fund.code, "activity": "行业展会", "planned_on": "2026-02-10", "amount": "3000", "plan": "展位"}
    made = partner.post(url("fund-requests/"), body, format="json")
    assert made.status_code == 201, made.content
    assert (made.json()["partner"], made.json()["status"]) == ("ACME-OWN", "submitted")
    request_id = made.json()["id"]

    manager = api(acme.member("channel_manager"))
    first = manager.post(url(f"fund-requests/{request_id}/approve/"), {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = manager.post(url(f"fund-requests/{request_id}/approve/"), {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 200, first.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["approved_amount"] == "3000.00"
    assert [event["action"] for event in first.json()["history"]] == ["requested", "request_approved"]
    twice = manager.post(url(f"fund-requests/{request_id}/approve/"), {}, format="json")
    assert twice.status_code == 409


def test_approving_over_the_budget_is_a_409_that_says_what_is_left(acme, api):
    the_fund = fund(budget="1000.00")
    pending = request(acme, the_fund, amount="1500.00")
    before = state()

    answer = api(acme.member("admin")).post(url(f"fund-requests/{pending.pk}/approve/"), {}, format="json")

    assert answer.status_code == 409
    assert "1,000.00" in answer.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"fund": "MDF-Q1", "activity": "x", "planned_on": "2026-02-30", "amount": "1"},
        {"fund": "MDF-Q1", "activity": "x", "planned_on": "2026-07-01", "amount": "1"},
        {"fund": "MDF-Q1", "activity": "x", "planned_on": "2026-02-10", "amount": "0"},
        {"fund": "MDF-Q1", "activity": "x", "planned_on": "2026-02-10", "amount": "99999999999999999999"},
        {"fund": "MDF-Q1", "activity": "", "planned_on": "2026-02-10", "amount": "1"},
        {"fund": "NOPE", "activity": "x", "planned_on": "2026-02-10", "amount": "1"},
        {"fund": "MDF-Q1", "activity": "x" * 201, "planned_on": "2026-02-10", "amount": "1"},
    ],
)
def test_a_bad_request_is_a_400_and_nothing_is_written(acme, api, body):
    fund()
    before = state()
    answer = api(acme.member("partner_admin")).post(url("fund-requests/"), body, format="json")
    assert answer.status_code == 400, answer.content
    assert state() == before


def test_roles_that_may_not_decide_are_refused(acme, api):
    pending = request(acme, fund())
    for role in ("finance", "viewer", "risk", "partner_admin"):
        answer = api(acme.member(role)).post(url(f"fund-requests/{pending.pk}/approve/"), {}, format="json")
        assert answer.status_code == 403, role
    claimed = claim(acme, approved_request(acme, fund("F2")))
    for role in ("channel_manager", "viewer", "partner_admin"):
        answer = api(acme.member(role)).post(url(f"fund-claims/{claimed.pk}/approve/"), {}, format="json")
        assert answer.status_code == 403, role
    assert FundClaim.objects.get(pk=claimed.pk).status == "submitted"


def test_a_partner_claims_with_proof_files_and_finance_approves_lower_with_a_reason(acme, api):
    approved = approved_request(acme, fund(), amount="4000.00")
    partner = api(acme.member("partner_admin"))
    made = partner.post(url("fund-claims/"), {"request": approved.pk, "amount": "3500.00", "description": "展会结束",
                                              "files": [proof("a.pdf"), proof("b.png", b"\x89PNG\r\n")]},
                        format="multipart", HTTP_IDEMPOTENCY_KEY="claim-1")  # fmt: skip
    assert made.status_code == 201, made.content
    assert [entry["name"] for entry in made.json()["files"]] == ["a.pdf", "b.png"]
    replay = partner.post(url("fund-claims/"), {"request": approved.pk, "amount": "3500.00", "description": "展会结束",
                                                "files": [proof("a.pdf"), proof("b.png", b"\x89PNG\r\n")]},
                          format="multipart", HTTP_IDEMPOTENCY_KEY="claim-1")  # fmt: skip
    assert replay.status_code == 201 and FundClaim.objects.count() == 1

    finance = api(acme.member("finance"))
    claim_id = made.json()["id"]
    no_reason = finance.post(url(f"fund-claims/{claim_id}/approve/"), {"amount": "3000"}, format="json")
    lower = {"amount": "3000", "reason": "餐费不报销"}
    decided = finance.post(url(f"fund-claims/{claim_id}/approve/"), lower, format="json")

    assert no_reason.status_code == 400
    assert decided.status_code == 200, decided.content
    assert (decided.json()["approved_amount"], decided.json()["payment"]["state"]) == ("3000.00", "due")
    proof_url = decided.json()["files"][0]["url"]
    from django.test import Client

    browser = Client()
    browser.force_login(acme.member("partner_user").user)
    assert browser.get(proof_url).status_code == 200


def test_a_claim_above_what_was_approved_or_without_proof_is_a_400(acme, api):
    approved = approved_request(acme, fund(), amount="1000.00")
    partner = api(acme.member("partner_admin"))
    before = state()

    too_much = partner.post(url("fund-claims/"), {"request": approved.pk, "amount": "1000.01", "files": [proof()]},
                            format="multipart")  # fmt: skip
    no_proof = partner.post(url("fund-claims/"), {"request": approved.pk, "amount": "10"}, format="json")
    bad_file = partner.post(url("fund-claims/"), {"request": approved.pk, "amount": "10", "files": [proof("x.exe")]},
                            format="multipart")  # fmt: skip

    assert [answer.status_code for answer in (too_much, no_proof, bad_file)] == [400, 400, 400]
    assert "amount" in too_much.content.decode() and "files" in no_proof.content.decode()
    assert state() == before


def test_partners_never_read_another_partners_request_or_claim(acme, api):
    the_fund = fund()
    theirs = approved_claim(acme, approved_request(acme, the_fund, partner=acme.other, amount="2000"), amount="1000")
    mine = approved_claim(acme, approved_request(acme, the_fund, amount="2000"), amount="900")

    for role in ("partner_admin", "partner_user"):
        client = api(acme.member(role))
        requests = client.get(url("fund-requests/")).json()["results"]
        claims = client.get(url("fund-claims/")).json()["results"]
        assert [row["id"] for row in requests] == [mine.request_id]
        assert [row["id"] for row in claims] == [mine.pk]
        assert client.get(url(f"fund-requests/{theirs.request_id}/")).status_code == 404
        assert client.get(url(f"fund-claims/{theirs.pk}/")).status_code == 404
    claim_on_theirs = api(acme.member("partner_admin")).post(
        url("fund-claims/"), {"request": theirs.request_id, "amount": "1", "files": [proof()]}, format="multipart"
    )
    assert claim_on_theirs.status_code == 400
    assert FundClaim.objects.filter(request_id=theirs.request_id).count() == 1


def test_another_tenants_request_is_a_404(world, api):
    from tenancy.context import tenant_scope

    globex = world["globex"]
    with tenant_scope(globex.tenant):
        theirs = request(globex, fund())
    answer = api(world["acme"].member("admin")).post(url(f"fund-requests/{theirs.pk}/approve/"), {}, format="json")
    assert answer.status_code == 404
    with tenant_scope(globex.tenant):
        assert FundRequest.objects.get(pk=theirs.pk).status == "submitted"


def test_the_lists_take_a_fixed_number_of_queries(acme, api):
    def queries(count: int) -> int:
        the_fund = fund(f"F{count}", budget="100000")
        for _ in range(count):
            approved_claim(acme, approved_request(acme, the_fund, amount="100"), amount="50")
        client = api(acme.member("admin"))
        counts = []
        for path in ("funds/", "fund-requests/", "fund-claims/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url(path)).status_code == 200
            counts.append(len(captured.captured_queries))
        return counts

    small = queries(1)
    assert queries(4) == small


def test_a_fund_request_filter_by_status_and_partner(acme, api):
    the_fund = fund()
    approved_request(acme, the_fund, amount="100")
    request(acme, the_fund, amount="200", partner=acme.other)

    answer = api(acme.member("viewer")).get(url("fund-requests/?status=submitted&partner=acme-oth"))

    assert [row["amount"] for row in answer.json()["results"]] == ["200.00"]
    assert api(acme.member("viewer")).get(url("fund-requests/?status=nope")).status_code == 400
    assert PLANNED.year == 2026
