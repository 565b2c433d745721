"""Token authentication, the OpenAPI schema and the browsable docs (SPEC §6)."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import tenant_api
from tests.world import PASSWORD, email_for


def test_a_member_obtains_a_token_with_email_and_password_and_uses_it(world):
    # given
    client = APIClient()
    # when
    response = client.post("/api/v1/auth/token/", {"username": email_for("acme", "viewer"), "password": PASSWORD})
    # then
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get(tenant_api("acme", "partners/"))
    assert listed.status_code == 200
    assert listed.json()["count"] == 2


def test_a_wrong_password_is_a_400_with_a_message_and_no_token(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": email_for("acme", "viewer"), "password": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert "token" not in body


def test_without_credentials_the_api_answers_401_or_403_in_json(world):
    response = APIClient().get(tenant_api("acme", "partners/"))
    assert response.status_code in (401, 403)
    assert response.json()["message"]


def test_a_bad_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(tenant_api("acme", "partners/"))
    assert response.status_code in (401, 403)
    assert response.json()["message"]


def test_the_openapi_schema_describes_the_partner_paths(world, api):
    response = api(world["acme"].member("viewer")).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200, response.content[:500]
    paths = response.json()["paths"]
    assert "/api/v1/t/{tenant_slug}/partners/" in paths
    assert "/api/v1/t/{tenant_slug}/partners/{id}/history/" in paths
    assert "/api/v1/t/{tenant_slug}/partners/{id}/tier/" in paths
    assert "/api/v1/t/{tenant_slug}/partners/{id}/contracts/" in paths
    assert "/api/v1/t/{tenant_slug}/tiers/" in paths
    assert "/api/v1/t/{tenant_slug}/members/" in paths
    assert "post" in paths["/api/v1/t/{tenant_slug}/partners/"]
    assert "post" in paths["/api/v1/auth/token/"]
    assert "post" in paths["/api/v1/auth/logout/"]


def test_the_schema_is_for_signed_in_users_only_anonymous_requests_get_a_401_in_json(world):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 401
    assert response.json()["message"]
    assert "paths" not in response.json()
    assert response["WWW-Authenticate"] == "Token"


def test_the_schema_answers_a_token_and_a_session(world):
    by_token = APIClient()
    token = by_token.post("/api/v1/auth/token/", {"username": email_for("acme", "viewer"), "password": PASSWORD})
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    by_session = Client()
    by_session.force_login(world["acme"].member("viewer").user)
    for client in (by_token, by_session):
        response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        assert "/api/v1/t/{tenant_slug}/partners/" in response.json()["paths"]


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_pages_send_an_anonymous_visitor_to_the_login_page(world, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_the_docs_page_loads_its_assets_from_our_own_static_files_not_a_cdn(world):
    client = Client()
    client.force_login(world["acme"].member("viewer").user)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
        assert cdn not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js") is not None


def test_the_api_root_says_where_everything_is_and_lists_the_users_tenants(world, api):
    anonymous = api().get("/api/v1/")
    assert anonymous.status_code == 200
    body = anonymous.json()
    assert body["schema"].endswith("/api/v1/schema/") and body["token"].endswith("/api/v1/auth/token/")
    assert body["tenants"] == []
    signed_in = api(world["acme"].member("viewer")).get("/api/v1/").json()
    assert [(tenant["slug"], tenant["role"]) for tenant in signed_in["tenants"]] == [("acme", "viewer")]
    assert signed_in["tenants"][0]["partners"].endswith("/api/v1/t/acme/partners/")
