"""``targets/`` and ``goals/`` over the API (SPEC §6)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from targets import services
from targets.models import CompanyGoal, Target
from tests.conftest import tenant_api

from .helpers import sale, sales, target

METRICS = ("sales", "collections", "new_customers")


def post_target(api, member, **overrides):
    payload = {"partner": "ACME-OWN", "metric": "sales", "period": "2026-Q1", "value": "1000.00", **overrides}
    return api(member).post(tenant_api("acme", "targets/"), payload, format="json")


def test_a_channel_manager_creates_a_target_and_sees_actual_attainment_pace_and_warnings(acme, api):
    # given 100 sold in 2025-Q4, so 1,000 in 2026-Q1 is over 3× the quarter before
    sales(sale(acme.own, "2025-11-10", "100.00"), sale(acme.own, "2026-01-05", "250.00"))
    # when
    response = post_target(api, acme.member("channel_manager"), period="2026-q1")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner"] == "ACME-OWN"
    assert body["period"] == "2026-Q1"
    assert (body["starts_on"], body["ends_on"]) == ("2026-01-01", "2026-03-31")
    assert body["actual"] == "250.00"
    assert body["attainment"] == "0.2500"
    assert "pace" in body
    assert len(body["warnings"]) == 1
    assert body["notes"] == []
    assert Target.objects.get(pk=body["id"]).value == Decimal("1000.00")


def test_a_target_with_no_history_is_saved_with_a_note(acme, api):
    response = post_target(api, acme.member("admin"))
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
    assert len(response.json()["notes"]) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "Q1"}, "period"),
        ({"value": "0"}, "value"),
        ({"value": "-5.00"}, "value"),
        ({"partner": "NOBODY"}, "partner"),
        ({"partner": "GLOBEX-OWN"}, "partner"),  # another tenant's partner does not exist here
        ({"metric": "profit"}, "metric"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(acme, api, overrides, field):
    response = post_target(api, acme.member("admin"), **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert response.json()["message"]
    assert not Target.objects.exists()


def test_a_bad_period_says_what_is_wrong_with_it(acme, api):
    response = post_target(api, acme.member("admin"), period="2026-13")
    assert "13" in response.json()["errors"]["period"][0]


def test_a_second_target_for_the_same_partner_metric_and_period_is_a_400(acme, api):
    target(acme.own, "sales", "2026-Q1", "10")
    response = post_target(api, acme.member("admin"))
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_patch_changes_the_value_and_answers_with_the_smart_check(acme, api):
    sales(sale(acme.own, "2026-02-10", "1000.00"))
    march = target(acme.own, "sales", "2026-03", "1000")
    response = api(acme.member("admin")).patch(
        tenant_api("acme", f"targets/{march.pk}/"), {"value": "100.00"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "100.00"
    assert len(response.json()["warnings"]) == 1  # under half of February
    march.refresh_from_db()
    assert march.value == Decimal("100.00")


@pytest.mark.parametrize("role", ["partner_user", "partner_admin"])
def test_a_partner_side_member_sees_only_its_own_targets_without_the_goal(acme, api, role):
    goal = services.goal_create(name="Q1", metric="sales", period="2026-Q1", value=Decimal("100"))
    own = target(acme.own, "sales", "2026-Q1", "50", goal=goal)
    target(acme.other, "sales", "2026-Q1", "50", goal=goal)
    response = api(acme.member(role)).get(tenant_api("acme", "targets/"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [own.pk]
    assert "goal" not in results[0]
    assert "ACME-OTHER" not in response.content.decode()


def test_another_partners_target_is_a_404_for_a_partner_user(acme, api):
    theirs = target(acme.other, "sales", "2026-Q1", "50")
    response = api(acme.member("partner_user")).get(tenant_api("acme", f"targets/{theirs.pk}/"))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["partner_user", "partner_admin", "viewer", "finance", "risk"])
def test_roles_without_manage_targets_cannot_write_and_nothing_is_written(acme, api, role):
    mine = target(acme.own, "sales", "2026-Q1", "50")
    response = post_target(api, acme.member(role), period="2026-Q2")
    assert response.status_code == 403
    response = api(acme.member(role)).patch(tenant_api("acme", f"targets/{mine.pk}/"), {"value": "1"}, format="json")
    assert response.status_code == 403
    assert list(Target.objects.values_list("period", "value")) == [("2026-Q1", Decimal("50.00"))]


def test_another_tenants_target_is_a_404(world, api):
    with _scope(world["globex"]):
        theirs = target(world["globex"].own, "sales", "2026-Q1", "50")
    response = api(world["acme"].member("admin")).get(tenant_api("acme", f"targets/{theirs.pk}/"))
    assert response.status_code == 404


def _scope(tenant_world):
    from tenancy.context import tenant_scope

    return tenant_scope(tenant_world.tenant)


def test_targets_filter_by_partner_metric_and_period(acme, api):
    target(acme.own, "sales", "2026-Q1", "1")
    target(acme.own, "collections", "2026-Q1", "1")
    target(acme.other, "sales", "2026-Q1", "1")
    target(acme.other, "sales", "2026-03", "1")
    client = api(acme.member("viewer"))

    def count(query):
        response = client.get(tenant_api("acme", f"targets/?{query}"))
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count("partner=ACME-OTHER") == 2
    assert count("metric=sales") == 3
    assert count("period=2026-q1") == 3
    assert count("period=2026-03&partner=ACME-OTHER") == 1
    assert client.get(tenant_api("acme", "targets/?period=2026-13")).status_code == 400


def _many_targets(acme, count: int) -> None:
    for number in range(count):
        partner = partner_services.partner_create(
            actor=None, code=f"Q-{count}-{number:03d}", name=f"Q {number}", kind=PartnerKind.AGENT,
            tier=Tier.objects.get(code="ordinary"), status=PartnerStatus.ACTIVE,
        )  # fmt: skip
        target(partner, METRICS[number % 3], "2026-Q1", "100")
        sales(sale(partner, "2026-01-10", "10.00"))


def test_the_list_takes_the_same_number_of_queries_for_3_and_30_targets(acme, api):
    client = api(acme.member("channel_manager"))
    _many_targets(acme, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(tenant_api("acme", "targets/")).json()["count"] == 3
    _many_targets(acme, 27)
    with CaptureQueriesContext(connection) as large:
        assert client.get(tenant_api("acme", "targets/")).json()["count"] == 30
    assert len(small) == len(large)
    # tenant, scope, membership…; the count and the page; one statement per metric
    assert len(small) <= 10, [query["sql"][:100] for query in small.captured_queries]


# --- goals --------------------------------------------------------------------------------


def test_an_admin_creates_a_goal_proposes_a_split_and_applies_it(acme, api):
    client = api(acme.member("admin"))
    sales(sale(acme.own, "2025-02-01", "300.00"), sale(acme.other, "2025-02-01", "100.00"))
    response = client.post(
        tenant_api("acme", "goals/"),
        {"name": "一季度销售", "metric": "sales", "period": "2026-Q1", "value": "1000.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    goal_id = response.json()["id"]
    assert response.json()["coverage"] == "0.0000"

    response = client.post(tenant_api("acme", f"goals/{goal_id}/propose/"), {"method": "last_year"}, format="json")
    assert response.status_code == 200, response.content
    proposals = response.json()["proposals"]
    assert {p["partner"]: p["value"] for p in proposals} == {"ACME-OWN": "750.00", "ACME-OTHER": "250.00"}

    allocations = [{"partner": p["partner"], "value": p["value"]} for p in proposals]
    response = client.post(tenant_api("acme", f"goals/{goal_id}/apply/"), {"allocations": allocations}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["goal"]["coverage"] == "1.0000"
    assert len(response.json()["targets"]) == 2
    assert client.get(tenant_api("acme", f"goals/{goal_id}/")).json()["allocated"] == "1000.00"


def test_tier_weights_over_the_api(acme, api):
    goal = services.goal_create(name="Y", metric="sales", period="2026", value=Decimal("90"))
    response = api(acme.member("viewer")).post(
        tenant_api("acme", f"goals/{goal.pk}/propose/"),
        {"method": "tier_weights", "tier_weights": {"ordinary": 2}},
        format="json",
    )
    assert response.status_code == 200, response.content  # proposing writes nothing: readers may ask
    assert sorted(p["value"] for p in response.json()["proposals"]) == ["45.00", "45.00"]


def test_an_apply_naming_a_partner_twice_or_a_negative_value_is_a_400(acme, api):
    goal = services.goal_create(name="Y", metric="sales", period="2026", value=Decimal("90"))
    client = api(acme.member("admin"))
    twice = [{"partner": "ACME-OWN", "value": "1"}, {"partner": "ACME-OWN", "value": "2"}]
    negative = [{"partner": "ACME-OWN", "value": "-1"}]
    for allocations in (twice, negative, []):
        response = client.post(
            tenant_api("acme", f"goals/{goal.pk}/apply/"), {"allocations": allocations}, format="json"
        )
        assert response.status_code == 400, response.content
    assert not Target.objects.exists()


@pytest.mark.parametrize("role", ["partner_user", "partner_admin"])
def test_goals_are_vendor_internal(acme, api, role):
    goal = services.goal_create(name="Secret", metric="sales", period="2026", value=Decimal("90"))
    client = api(acme.member(role))
    assert client.get(tenant_api("acme", "goals/")).status_code == 403
    assert client.get(tenant_api("acme", f"goals/{goal.pk}/")).status_code == 403
    response = client.post(tenant_api("acme", f"goals/{goal.pk}/propose/"), {"method": "last_year"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "finance", "risk"])
def test_vendor_readers_read_goals_but_cannot_write_them(acme, api, role):
    goal = services.goal_create(name="Y", metric="sales", period="2026", value=Decimal("90"))
    client = api(acme.member(role))
    assert client.get(tenant_api("acme", "goals/")).json()["count"] == 1
    payload = {"name": "X", "metric": "sales", "period": "2027", "value": "1"}
    assert client.post(tenant_api("acme", "goals/"), payload, format="json").status_code == 403
    allocations = {"allocations": [{"partner": "ACME-OWN", "value": "90"}]}
    assert client.post(tenant_api("acme", f"goals/{goal.pk}/apply/"), allocations, format="json").status_code == 403
    assert CompanyGoal.objects.count() == 1
    assert not Target.objects.exists()


def test_a_channel_manager_with_a_portfolio_sets_and_sees_targets_of_its_partners_only(acme, api):
    # given portfolio scoping, and a channel manager who manages only the own partner
    manager = acme.member("channel_manager")
    acme.tenant.portfolio_scoping = True
    acme.tenant.save(update_fields=["portfolio_scoping"])
    partner_services.partner_update(partner=acme.own, actor=None, manager=manager.user)
    target(acme.other, "sales", "2026-Q1", "10")
    goal = services.goal_create(name="Y", metric="sales", period="2026", value=Decimal("100"))
    manager.refresh_from_db()
    client = api(manager)
    # then
    assert post_target(api, manager, partner="ACME-OTHER", period="2026-Q2").status_code == 400
    assert post_target(api, manager).status_code == 201
    assert [row["partner"] for row in client.get(tenant_api("acme", "targets/")).json()["results"]] == ["ACME-OWN"]
    response = client.post(tenant_api("acme", f"goals/{goal.pk}/propose/"), {"method": "tier_weights"}, format="json")
    assert [p["partner"] for p in response.json()["proposals"]] == ["ACME-OWN"]
    allocations = {"allocations": [{"partner": "ACME-OTHER", "value": "50"}]}
    assert client.post(tenant_api("acme", f"goals/{goal.pk}/apply/"), allocations, format="json").status_code == 400
