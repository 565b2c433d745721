"""API tokens: issued with the e-mail and password, stored as a hash, expiring, revoked by logout."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.conftest import tenant_api
from tests.world import PASSWORD, email_for

VIEWER = ("acme", "viewer")


def _obtain(client=None, **extra) -> tuple[APIClient, dict]:
    client = client or APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": email_for(*VIEWER), "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return client, response.json()


def _with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _partners(client):
    return client.get(tenant_api("acme", "partners/"))


def test_a_token_is_issued_with_its_expiry_and_only_its_hash_is_stored(world):
    # when
    before = timezone.now()
    _, body = _obtain(name="ERP sync")
    # then
    key = body["token"]
    assert len(key) == 40
    token = ApiToken.objects.get(user=world["acme"].member("viewer").user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.name == "ERP sync"
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert before + ttl <= token.expires_at <= timezone.now() + ttl
    assert timezone.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert not any(key in str(value) for row in cursor.fetchall() for value in row)


def test_a_token_works_and_its_use_is_noted(world):
    _, body = _obtain()
    response = _partners(_with_token(body["token"]))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert ApiToken.objects.get().last_used_at is not None


def test_a_tokens_last_use_is_written_at_most_once_a_minute(world):
    _, body = _obtain()
    client = _with_token(body["token"])
    recently = timezone.now() - timedelta(seconds=20)
    ApiToken.objects.update(last_used_at=recently)
    assert _partners(client).status_code == 200
    assert ApiToken.objects.get().last_used_at == recently
    long_ago = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.update(last_used_at=long_ago)
    assert _partners(client).status_code == 200
    assert ApiToken.objects.get().last_used_at > long_ago


def test_an_expired_token_is_a_401(world):
    _, body = _obtain()
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _partners(_with_token(body["token"]))
    assert response.status_code == 401
    assert response.json()["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_logout_revokes_the_token_and_the_next_request_with_it_is_a_401(world):
    # given: two tokens of one user
    _, first = _obtain()
    _, second = _obtain()
    client = _with_token(first["token"])
    # when
    response = client.post("/api/v1/auth/logout/")
    # then
    assert response.status_code == 204
    assert _partners(client).status_code == 401
    revoked = ApiToken.objects.exclude(revoked_at=None)
    assert revoked.count() == 1
    # the other token is untouched
    assert _partners(_with_token(second["token"])).status_code == 200


def test_logout_with_a_session_ends_the_session(world):
    client = APIClient()
    client.force_login(world["acme"].member("viewer").user)
    assert _partners(client).status_code == 200
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert "_auth_user_id" not in client.session
    assert _partners(client).status_code == 401


def test_logout_without_credentials_is_a_401_and_revokes_nothing(world):
    _obtain()
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401
    assert ApiToken.objects.filter(revoked_at=None).count() == 1


def test_a_token_of_an_inactive_user_is_a_401(world):
    _, body = _obtain()
    user = world["acme"].member("viewer").user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _partners(_with_token(body["token"])).status_code == 401


KEY = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token ",
        "Token \x00",
        f"Token {KEY[:-1]}\x00",
        "Token \ud800",
        f"Token {KEY[:-1]}\ud800",
        "Token é",
        f"Token {KEY[:-1]}é",
        "Token 令牌",
        f"Token {KEY} {KEY}",
        f"Token {KEY.upper()}",
        f"Token {KEY}0",
        f"Token {KEY[:-1]}g",
        f"Token {KEY}",  # well-formed, but no such token
        "token " + "f" * 40,
    ],
)
def test_a_malformed_or_unknown_token_is_a_401_in_json_never_a_500(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = _partners(client)
    # A NUL or a lone surrogate is refused before authentication, as in any other header (common.middleware).
    unreadable = "\x00" in header or "\ud800" in header
    assert response.status_code == (400 if unreadable else 401), response.content
    assert response.json()["message"]


def test_another_authorization_scheme_is_not_a_token_the_request_is_anonymous(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")
    response = _partners(client)
    assert response.status_code == 401
    assert response.json()["message"]


def test_the_token_endpoint_ignores_a_stale_token_header(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    _, body = _obtain(client)
    assert body["token"]


@pytest.mark.parametrize("username", ["viewer\x00@acme.test", "viewer\ud800@acme.test", "x" * 300])
def test_a_token_request_with_a_bad_email_is_a_400_and_issues_nothing(world, username):
    # json.dumps escapes a lone surrogate as \ud800, as a client's JSON may
    body = json.dumps({"username": username, "password": PASSWORD})
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]
    assert not ApiToken.objects.exists()


def test_the_readme_curl_example_still_holds_a_form_post_gives_a_token(world):
    response = Client().post("/api/v1/auth/token/", {"username": email_for(*VIEWER), "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
