"""``leads/`` (SPEC §6): the vendor creates and assigns, the partner answers, and sees only its own offers."""

from __future__ import annotations

import json

import pytest

from leads import services
from leads.models import Assignment, Lead, LeadStatus
from tenancy.context import tenant_scope
from tenancy.roles import Role
from tests.conftest import tenant_api

from .helpers import REGION, new_lead, partner, score

pytestmark = pytest.mark.django_db


def url(path: str = "") -> str:
    return tenant_api("acme", f"leads/{path}")


@pytest.fixture
def offered(acme):
    """A lead offered to the world's own partner (the partner-side members'), another to SW-0002."""
    acme.own.region, acme.own.industries = REGION, ["制造"]
    acme.own.save(update_fields=["region", "industries"])
    score(acme.own, "90")
    other = partner("SW-0002")
    mine = new_lead(company="Own Customer Ltd")
    theirs = services.lead_assign(lead=new_lead(company="Their Customer Ltd"), actor=None, partner=other)
    return mine, theirs


def test_posting_a_lead_answers_with_the_assignment_and_its_reasons(acme, api):
    first = partner("SW-0007")
    score(first, "81.20")
    partner("SW-0012")
    answer = api(acme.member(Role.CHANNEL_MANAGER)).post(
        url(),
        {"company": "华夏制造有限公司", "region": REGION, "industry": "制造", "value": "88000.00"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "offered" and body["partner"] == "SW-0007" and body["value"] == "88000.00"
    assignment = body["assignment"]
    assert assignment["rule"] == "region_industry"
    assert [(c["partner"], c["score"], c["reason"]) for c in assignment["candidates"]] == [
        ("SW-0007", "81.20", "chosen"),
        ("SW-0012", "0.00", "lower_score"),
    ]
    # in the tenant's language (acme reads Chinese): "分配给 SW-0007：区域与行业匹配，评分 81.20，2 个候选中最高。"
    assert "SW-0007" in assignment["sentence"] and "81.20" in assignment["sentence"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"company": "", "region": "华东", "industry": "制造"}, "company"),
        ({"company": "A\u0000B", "region": "华东", "industry": "制造"}, "company"),
        ({"company": "A", "region": "华东", "industry": "制造", "value": "1e400"}, "value"),
        ({"company": "A", "region": "华东", "industry": "制造", "value": "-5"}, "value"),
        ({"company": "A", "region": "华东", "industry": "制造", "value": "99999999999999999"}, "value"),
        ({"company": "A" * 201, "region": "华东", "industry": "制造"}, "company"),
        ({"company": "A", "industry": "制造"}, "region"),
    ],
)
def test_a_bad_lead_is_a_clear_400_and_makes_nothing(acme, api, body, field):
    before = Lead.objects.count()
    answer = api(acme.member(Role.ADMIN)).post(url(), body, format="json")
    assert answer.status_code == 400
    assert field in json.dumps(answer.json())
    assert Lead.objects.count() == before


def test_a_partner_sees_only_the_leads_offered_to_it_and_nothing_of_the_distribution(acme, api, offered):
    mine, theirs = offered
    client = api(acme.member(Role.PARTNER_USER))
    answer = client.get(url())
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [row["id"] for row in results] == [mine.pk]
    text = answer.content.decode()
    for secret in ("SW-0002", "candidates", "score", "assignment", "partner", "Their Customer"):
        assert secret not in text
    assert client.get(url(f"{theirs.pk}/")).status_code == 404
    assert client.get(url(f"{mine.pk}/assignments/")).status_code == 403
    assert "seconds_left" in client.get(url(f"{mine.pk}/")).json()


def test_the_vendor_reads_the_trail(acme, api, offered):
    mine, _theirs = offered
    answer = api(acme.member(Role.VIEWER)).get(url(f"{mine.pk}/assignments/"))
    assert answer.status_code == 200
    [assignment] = answer.json()
    assert assignment["partner"] == "ACME-OWN" and assignment["candidates"][0]["reason"] == "chosen"


def test_the_partner_administrator_accepts_and_the_partner_user_may_not(acme, api, offered):
    mine, _theirs = offered
    refused = api(acme.member(Role.PARTNER_USER)).post(url(f"{mine.pk}/accept/"), {}, format="json")
    assert refused.status_code == 403
    assert Lead.objects.get(pk=mine.pk).status == LeadStatus.OFFERED
    answer = api(acme.member(Role.PARTNER_ADMIN)).post(url(f"{mine.pk}/accept/"), {}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    won = api(acme.member(Role.PARTNER_ADMIN)).post(url(f"{mine.pk}/won/"), {}, format="json")
    assert won.status_code == 200 and won.json()["status"] == "won"


def test_a_partner_cannot_touch_another_partners_lead(acme, api, offered):
    _mine, theirs = offered
    for action in ("accept", "decline", "won", "lost"):
        answer = api(acme.member(Role.PARTNER_ADMIN)).post(
            url(f"{theirs.pk}/{action}/"), {"reason": "x"}, format="json"
        )
        assert answer.status_code == 404
    assert Lead.objects.get(pk=theirs.pk).status == LeadStatus.OFFERED


def test_a_decline_needs_a_reason_and_then_the_lead_leaves_the_partners_sight(acme, api, offered):
    mine, _theirs = offered
    client = api(acme.member(Role.PARTNER_ADMIN))
    assert client.post(url(f"{mine.pk}/decline/"), {}, format="json").status_code == 400
    assert client.post(url(f"{mine.pk}/decline/"), {"reason": "\u0000"}, format="json").status_code == 400
    answer = client.post(url(f"{mine.pk}/decline/"), {"reason": "No one free"}, format="json")
    assert answer.status_code == 200
    assert Lead.objects.get(pk=mine.pk).partner.code == "SW-0002"
    assert client.get(url(f"{mine.pk}/")).status_code == 404


def test_closing_an_offered_lead_is_a_409(acme, api, offered):
    mine, _theirs = offered
    answer = api(acme.member(Role.ADMIN)).post(url(f"{mine.pk}/won/"), {}, format="json")
    assert answer.status_code == 409
    assert "message" in json.dumps(answer.json()) or "detail" in json.dumps(answer.json())


def test_assign_by_hand_names_the_partner_by_code_of_this_tenant_only(acme, api, offered, world):
    mine, _theirs = offered
    client = api(acme.member(Role.CHANNEL_MANAGER))
    assert client.post(url(f"{mine.pk}/assign/"), {"partner": "GLOBEX-OWN"}, format="json").status_code == 400
    assert client.post(url(f"{mine.pk}/assign/"), {"partner": ["x"]}, format="json").status_code == 400
    answer = client.post(url(f"{mine.pk}/assign/"), {"partner": "SW-0002", "note": "asked for"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["partner"] == "SW-0002" and answer.json()["assignment"]["rule"] == "manual"
    assert api(acme.member(Role.FINANCE)).post(url(f"{mine.pk}/assign/"), {}, format="json").status_code == 403


def test_another_tenants_lead_is_a_404(world, api):
    with tenant_scope(world["globex"].tenant):
        lead = new_lead(region="nowhere")
    with tenant_scope(world["acme"].tenant):
        client = api(world["acme"].member(Role.ADMIN))
        assert client.get(url(f"{lead.pk}/")).status_code == 404
        assert client.get(url(f"{lead.pk}/assignments/")).status_code == 404
        assert client.post(url(f"{lead.pk}/assign/"), {}, format="json").status_code == 404
    with tenant_scope(world["globex"].tenant):
        assert Assignment.objects.filter(lead_id=lead.pk).count() == 1


def test_the_list_filters_by_status_region_industry_and_partner(acme, api, offered):
    client = api(acme.member(Role.ADMIN))
    assert {row["company"] for row in client.get(url("?partner=sw-00")).json()["results"]} == {"Their Customer Ltd"}
    assert client.get(url("?status=won")).json()["count"] == 0
    assert client.get(url("?status=open")).json()["count"] == 2
    assert client.get(url("?industry=制")).json()["count"] == 2
    assert client.get(url("?status=bogus")).status_code == 400
