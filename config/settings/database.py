"""PostgreSQL, with two roles (SPEC §2, README "The tenant wall").

``default`` is the runtime connection of the web, the workers and the commands: a role that
owns nothing, is no superuser and cannot bypass row-level security. ``owner`` is the role
that owns the tables: ``migrate`` runs as it (``tenancy``'s ``migrate`` command defaults to
it), and it grants the runtime role what it may do. With no ``DATABASE_OWNER_URL`` both
are the one role of ``DATABASE_URL`` and ``check --deploy`` says the wall can be bypassed.
"""

from config.env import BASE_DIR, env

OWNER_ALIAS = "owner"

_url = env.str("DATABASE_URL", default="")
_owner_url = env.str("DATABASE_OWNER_URL", default="")
if not _url:
    from config.embedded_db import embedded_database_urls

    _embedded = embedded_database_urls(BASE_DIR)
    _url, _owner_url = _embedded.app, _owner_url or _embedded.owner


def _database(url: str) -> dict:
    config = env.db_url_config(url)
    config["ENGINE"] = "django.db.backends.postgresql"
    # A web or worker process keeps its connection between requests (as production always did, docker-compose):
    # a new one per request cost a PostgreSQL backend's start and the session's first setting (tenancy.rls) on
    # every request. Safe to reuse: the tenant and user settings are transaction-local (tenancy.context), and
    # a connection found broken is replaced before a request uses it.
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    config["ATOMIC_REQUESTS"] = False  # tenant requests are one transaction each: tenancy.middleware
    return config


DATABASES = {"default": _database(_url), OWNER_ALIAS: _database(_owner_url or _url)}
DATABASES[OWNER_ALIAS]["CONN_MAX_AGE"] = 0

# Tests: the owner creates and migrates the test database; the runtime connection is its mirror
# (tests/conftest.py keeps the runtime role's own login on it). Several test runs against one
# server (parallel work trees, say) each name their own database.
# The owner's test database depends on no other alias (by default a second alias waits for
# ``default``, which mirrors this one: with a test name of its own that is a circular dependency).
DATABASES[OWNER_ALIAS]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="") or None, "DEPENDENCIES": []}
DATABASES["default"]["TEST"] = {"MIRROR": OWNER_ALIAS}
