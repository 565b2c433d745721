"""Tiers over the API: create and edit with validation; everyone reads them."""

import pytest

from partners.models import Tier
from tenancy.context import tenant_scope
from tests.conftest import tenant_api


def _tiers(world) -> list[tuple]:
    with tenant_scope(world["acme"].tenant):
        return list(Tier.objects.order_by("pk").values_list("code", "name", "rank", "min_score", "benefits"))


def test_a_channel_manager_creates_a_tier(world, api):
    response = api(world["acme"].member("channel_manager")).post(
        tenant_api("acme", "tiers/"),
        {"code": "pilot", "name": "试点", "rank": 4, "min_score": "40.00", "benefits": "试点合作"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["min_score"] == "40.00"
    with tenant_scope(world["acme"].tenant):
        assert Tier.objects.get(code="pilot").rank == 4


@pytest.mark.parametrize("min_score", ["-1", "100.01", "120"])
def test_a_minimum_score_outside_0_to_100_is_a_field_error(world, api, min_score):
    before = _tiers(world)
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "tiers/"),
        {"code": "pilot", "name": "Pilot", "rank": 4, "min_score": min_score},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["min_score"]
    assert _tiers(world) == before


def test_a_duplicate_code_is_a_400_not_a_crash(world, api):
    before = _tiers(world)
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "tiers/"),
        {"code": "core", "name": "Another core", "rank": 7, "min_score": "90"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["code"][0]
    assert _tiers(world) == before


def test_the_same_code_is_fine_in_another_tenant(world, api):
    """Codes are unique within a tenant only (globex also has ``core``)."""
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "tiers/"), {"code": "pilot", "name": "Pilot", "rank": 4, "min_score": "10"}, format="json"
    )
    assert response.status_code == 201
    response = api(world["globex"].member("admin")).post(
        tenant_api("globex", "tiers/"), {"code": "pilot", "name": "Pilot", "rank": 4, "min_score": "10"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_channel_manager_edits_a_tier(world, api):
    with tenant_scope(world["acme"].tenant):
        core = Tier.objects.get(code="core")
    response = api(world["acme"].member("channel_manager")).patch(
        tenant_api("acme", f"tiers/{core.pk}/"), {"min_score": "85", "benefits": "返利 +2%"}, format="json"
    )
    assert response.status_code == 200, response.content
    with tenant_scope(world["acme"].tenant):
        core.refresh_from_db()
    assert str(core.min_score) == "85.00"
    assert core.benefits == "返利 +2%"


def test_editing_a_tier_validates_too(world, api):
    with tenant_scope(world["acme"].tenant):
        core = Tier.objects.get(code="core")
    before = _tiers(world)
    response = api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"tiers/{core.pk}/"), {"min_score": "101"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["min_score"]
    response = api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"tiers/{core.pk}/"), {"code": "ordinary"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["code"]
    response = api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"tiers/{core.pk}/"), {"rank": 2}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["rank"]
    assert _tiers(world) == before


def test_a_viewer_cannot_edit_a_tier_and_nothing_changes(world, api):
    with tenant_scope(world["acme"].tenant):
        core = Tier.objects.get(code="core")
    before = _tiers(world)
    response = api(world["acme"].member("viewer")).patch(
        tenant_api("acme", f"tiers/{core.pk}/"), {"min_score": "10"}, format="json"
    )
    assert response.status_code == 403
    assert _tiers(world) == before


def test_a_partner_user_reads_the_tiers(world, api):
    response = api(world["acme"].member("partner_user")).get(tenant_api("acme", "tiers/"))
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["core", "strategic", "ordinary"]
