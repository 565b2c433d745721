"""The security headers: a strict Content-Security-Policy and the others, on every kind of answer."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.conftest import tenant_api

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def policy_of(response) -> dict[str, list[str]]:
    """``"a x; b y z"`` → ``{"a": ["x"], "b": ["y", "z"]}``."""
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (directive.split() for directive in header.split(";"))}


def a_page(client, world):
    client.force_login(world["acme"].member("channel_manager").user)
    return client.get("/t/acme/", secure=True)


def an_api_answer(client, world):
    api = APIClient()
    api.force_authenticate(world["acme"].member("viewer").user)
    return api.get(tenant_api("acme", "partners/"), secure=True)


def the_login_page(client, world):
    return client.get("/login/", secure=True)


ANSWERS = [a_page, an_api_answer, the_login_page]


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda answer: answer.__name__)
def test_a_page_an_api_answer_and_the_login_page_carry_the_strict_policy(client, world, answer):
    # when
    response = answer(client, world)
    # then
    assert response.status_code == 200
    assert policy_of(response) == STRICT
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda answer: answer.__name__)
def test_the_other_security_headers_come_with_the_policy(client, world, answer):
    response = answer(client, world)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_carries_no_inline_script_only_scripts_from_our_static_files_and_data_for_them(client, world):
    # given a page with a chart: its data travels in a json_script element
    html = a_page(client, world).content.decode()
    # then
    inline = [tag for tag in INLINE_SCRIPT.findall(html) if 'type="application/json"' not in tag]
    assert inline == []
    assert '<script id="tier-chart-data" type="application/json">' in html
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/vendor/htmx.min.js",
        "/static/vendor/chart.umd.min.js",
        "/static/js/dashboard.js",
    ]


def test_the_swagger_docs_run_under_the_strict_policy_with_their_start_script_as_a_file(client, world):
    # given a member (the docs may soon ask for a login)
    client.force_login(world["acme"].member("viewer").user)
    # when
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")
    # then
    assert policy_of(page) == STRICT
    html = page.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert "<style" not in html
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_only_the_redoc_page_allows_inline_styles_and_a_blob_worker_and_it_loads_nothing_from_the_internet(
    client, world
):
    client.force_login(world["acme"].member("viewer").user)
    # when
    response = client.get("/api/v1/redoc/")
    # then the policy is the strict one but for styles and the search worker
    policy = policy_of(response)
    assert policy == {**STRICT, "style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["blob:"]}
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"></script>' in html
    assert "fonts.googleapis.com" not in html
    assert "://" not in html  # no address off this site at all


def test_the_production_settings_pass_the_deploy_security_checks():
    # given the environment CI's production check uses (.ci/run)
    environment = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "REQUIRE_SECRET_KEY": "true",
        "ALLOWED_HOSTS": "qudao.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://qudao.example.com",
        "EMAIL_URL": "smtp://mail.example.com:587",
    }
    # when
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # then
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
