from config.env import BASE_DIR, env

_url = env.str("DATABASE_URL", default="")
if not _url:
    from config.embedded_db import embedded_database_url

    _url = embedded_database_url(BASE_DIR)

DATABASES = {"default": env.db_url_config(_url)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# Several test runs against one server (parallel work trees, say) each name their own database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
