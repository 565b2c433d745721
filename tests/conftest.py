import uuid

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from config.settings.database import OWNER_ALIAS
from tenancy.context import tenant_scope

from .world import build_world, load_world

BOTH_ALIASES = ["default", OWNER_ALIAS]

# The laws are about results, not speed: on a busy two-core CI machine an example may take longer
# than hypothesis's default 200 ms deadline without anything being wrong.
hypothesis_settings.register_profile("qudao", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("qudao")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database as in production: the owner role creates and migrates it, the tests run as the runtime role.

    The ``default`` connection is the owner's test mirror (config/settings/database.py) with the
    runtime role's own login kept, so every test meets row-level security as the app does. The
    shared world is built once; each test runs in a rolled-back transaction.
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    runtime_login = {key: connections["default"].settings_dict[key] for key in ("USER", "PASSWORD")}
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        old_config = setup_databases(verbosity=verbosity, interactive=False, aliases=set(BOTH_ALIASES))
        connections["default"].close()
        connections["default"].settings_dict = {**connections["default"].settings_dict, **runtime_login}
        build_world()
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        teardown_databases(old_config, verbosity=verbosity)


def pytest_configure(config):
    from django.conf import settings

    # Hashing is not under test here; real hashing would make the shared world slow to build.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in the test's own process even when REDIS_URL names a broker (as in CI); the tests
    # marked celery_worker start a real worker and switch this off themselves.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.TASKS_IN_THREADS = False  # inline, so a test sees a task's outcome at once
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


def pytest_collection_modifyitems(items):
    """A transactional test is emptied afterwards by the owner (the runtime role may not TRUNCATE)."""
    for item in items:
        if not _is_transactional(item):
            continue
        marker = item.get_closest_marker("django_db")
        kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "databases": BOTH_ALIASES}
        item.own_markers = [mark for mark in item.own_markers if mark.name != "django_db"]
        item.add_marker(pytest.mark.django_db(**kwargs))


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


def pytest_runtest_setup(item: pytest.Item) -> None:
    """The browser tests need Chromium: without it they skip and say so — except in CI, where they must run."""
    import os

    from tests import browser

    if item.get_closest_marker("browser") is None:
        return
    if os.path.exists(browser.CHROMIUM):
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return  # CI installs Chromium (.ci/run): a missing browser there is a failure, not a skip
    pytest.skip(
        f"Chromium is not installed at {browser.CHROMIUM} (Debian: apt install chromium); the browser tests skip"
    )
