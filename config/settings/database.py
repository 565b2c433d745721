from config.env import BASE_DIR, env

_url = env.str("DATABASE_URL", default="")
if not _url:
    from config.embedded_db import embedded_database_url

    _url = embedded_database_url(BASE_DIR)

DATABASES = {"default": env.db_url_config(_url)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
