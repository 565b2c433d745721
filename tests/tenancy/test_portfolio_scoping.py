"""Portfolio scoping (SPEC §1): a channel manager sees only the partners assigned to them, when the tenant says so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services as partner_services
from partners.models import Partner, Tier
from tenancy.access import membership_for, visible_partners
from tenancy.context import tenant_scope
from tests.conftest import tenant_api
from tests.world import email_for


@pytest.fixture
def scoped(world):
    """Acme with portfolio scoping on; its own partner managed by the channel manager."""
    acme = world["acme"]
    acme.tenant.portfolio_scoping = True
    acme.tenant.save(update_fields=["portfolio_scoping"])
    with tenant_scope(acme.tenant):
        partner_services.partner_update(
            partner=acme.own, actor=acme.member("admin").user, manager=acme.member("channel_manager").user
        )
    return world


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_with_portfolio_scoping_a_channel_manager_sees_only_their_partners(scoped, api):
    client = api(scoped["acme"].member("channel_manager"))
    assert _codes(client.get(tenant_api("acme", "partners/"))) == {"ACME-OWN"}
    assert client.get(tenant_api("acme", f"partners/{scoped['acme'].own.pk}/")).status_code == 200
    other = client.get(tenant_api("acme", f"partners/{scoped['acme'].other.pk}/"))
    assert other.status_code == 404
    assert "ACME-OTHER" not in other.content.decode()


def test_a_channel_manager_cannot_change_a_partner_outside_their_portfolio(scoped, api):
    other = scoped["acme"].other
    response = api(scoped["acme"].member("channel_manager")).patch(
        tenant_api("acme", f"partners/{other.pk}/"), {"name": "taken over"}, format="json"
    )
    assert response.status_code == 404
    with tenant_scope(scoped["acme"].tenant):
        assert Partner.objects.get(pk=other.pk).name == "Acme Other Partner"


def test_other_vendor_roles_still_see_every_partner(scoped, api):
    for role in ("admin", "finance", "risk", "viewer"):
        assert _codes(api(scoped["acme"].member(role)).get(tenant_api("acme", "partners/"))) == {
            "ACME-OWN",
            "ACME-OTHER",
        }, role


def test_without_portfolio_scoping_a_channel_manager_sees_every_partner(world, api):
    client = api(world["acme"].member("channel_manager"))
    assert _codes(client.get(tenant_api("acme", "partners/"))) == {"ACME-OWN", "ACME-OTHER"}


def test_the_portfolio_is_a_join_on_guardians_direct_table_not_an_id_list(scoped):
    with tenant_scope(scoped["acme"].tenant):
        membership = membership_for(scoped["acme"].member("channel_manager").user, scoped["acme"].tenant)
        sql = str(visible_partners(membership).query)
    assert "JOIN" in sql
    assert '"partners_partneruserobjectpermission"' in sql
    assert " IN (" not in sql


def test_changing_the_manager_moves_the_permission(scoped, api):
    # given
    acme = scoped["acme"]
    manager = api(acme.member("channel_manager"))
    # when: the admin gives the partner to the risk member... then to the channel manager's other partner
    response = api(acme.member("admin")).patch(
        tenant_api("acme", f"partners/{acme.own.pk}/"), {"manager": email_for("acme", "admin")}, format="json"
    )
    assert response.status_code == 200, response.content
    # then
    assert _codes(manager.get(tenant_api("acme", "partners/"))) == set()
    assert manager.get(tenant_api("acme", f"partners/{acme.own.pk}/")).status_code == 404
    # and when the other partner is assigned to the channel manager
    response = api(acme.member("admin")).patch(
        tenant_api("acme", f"partners/{acme.other.pk}/"),
        {"manager": email_for("acme", "channel_manager")},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert _codes(manager.get(tenant_api("acme", "partners/"))) == {"ACME-OTHER"}


def test_a_partner_created_with_a_manager_is_in_their_portfolio(scoped, api):
    response = api(scoped["acme"].member("admin")).post(
        tenant_api("acme", "partners/"),
        {
            "code": "NEW-1",
            "name": "New",
            "kind": "agent",
            "tier": "core",
            "manager": email_for("acme", "channel_manager"),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    codes = _codes(api(scoped["acme"].member("channel_manager")).get(tenant_api("acme", "partners/")))
    assert codes == {"ACME-OWN", "NEW-1"}


def test_the_portfolio_list_takes_the_same_number_of_queries_for_few_and_many_partners(scoped, api):
    acme = scoped["acme"]
    client = api(acme.member("channel_manager"))

    def add(prefix: str, count: int) -> None:
        with tenant_scope(acme.tenant):
            tier = Tier.objects.get(code="core")
            for index in range(count):
                partner_services.partner_create(
                    actor=None,
                    code=f"{prefix}-{index}",
                    name=f"{prefix} {index}",
                    kind="agent",
                    tier=tier,
                    manager=acme.member("channel_manager").user,
                )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(tenant_api("acme", "partners/"), {"page_size": 100}).status_code == 200
        return len(captured)

    add("A", 4)
    few = queries()
    add("B", 25)
    assert queries() == few
