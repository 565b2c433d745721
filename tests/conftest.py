import pytest
from rest_framework.test import APIClient

from tenancy.context import tenant_scope

from .world import build_world, load_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the shared world once per test database; each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        build_world()


def pytest_configure(config):
    from django.conf import settings

    # Hashing is not under test here; real hashing would make the shared world slow to build.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    return load_world()


@pytest.fixture
def acme(world):
    with tenant_scope(world["acme"].tenant):
        yield world["acme"]


@pytest.fixture
def api():
    """An API client acting as a member: ``api(membership)``."""

    def client_for(membership=None):
        client = APIClient()
        if membership is not None:
            client.force_authenticate(user=membership.user)
        return client

    return client_for


def tenant_api(slug: str, path: str = "") -> str:
    return f"/api/v1/t/{slug}/{path}"
