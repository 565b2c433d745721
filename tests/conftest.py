import uuid

import pytest
from pytest_django.plugin import blocking_manager_key
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
    # Tasks run in the test's own process even when REDIS_URL names a broker (as in CI); the tests
    # marked celery_worker start a real worker and switch this off themselves.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    # The test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test counts API throttles from zero: a cache namespace of its own.

    A new key prefix rather than ``cache.clear()``: with ``REDIS_URL`` (CI) the cache is a Redis
    database shared with Celery's broker and other test runs, which a clear would wipe.
    """
    settings.CACHES = {
        name: {**options, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, options in settings.CACHES.items()
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


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        "live_server" in fixtures
        or "transactional_db" in fixtures
        or bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Put the shared world back after a transactional test, whose teardown empties every table.

    pytest-django runs transactional tests last, but not under every ordering (``-p no:randomly``,
    xdist, ``--deselect``…): the tests after this one still find acme and globex.
    """
    result = yield
    if _is_transactional(item) and nextitem is not None:  # after the last test the test database is gone
        from tenancy.models import Tenant
        from tests.world import TENANTS, build_world

        with item.config.stash[blocking_manager_key].unblock():
            if not Tenant.objects.filter(slug__in=TENANTS).exists():
                build_world()
    return result
