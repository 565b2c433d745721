from tests.conftest import tenant_api


def test_an_admin_lists_partners_and_creates_one(world, api):
    admin = world["acme"].member("admin")
    client = api(admin)
    response = client.get(tenant_api("acme", "partners/"))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 2
    response = client.post(
        tenant_api("acme", "partners/"),
        {"code": "NEW-1", "name": "New", "kind": "agent", "tier": "core", "tax_id": "91350100M000100Y43"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "prospect"


def test_another_tenants_partner_is_a_404(world, api):
    admin = world["acme"].member("admin")
    response = api(admin).get(tenant_api("acme", f"partners/{world['globex'].own.pk}/"))
    assert response.status_code == 404
    response = api(admin).get(tenant_api("globex", "partners/"))
    assert response.status_code == 404
