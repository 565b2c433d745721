from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env, env_bool, env_rate

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # Production (the Docker image sets REQUIRE_SECRET_KEY=true) refuses to start without its own key.
    if env_bool("REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("SECRET_KEY must be set: REQUIRE_SECRET_KEY is on.")
    # Good only for the demo and the tests; `check --deploy` flags the prefix (security.W009).
    SECRET_KEY = "django-insecure-" + "qudao-development-key-" * 3
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "pgtrigger",
    "pghistory",
    "axes",
    "common",  # shared helpers; its template tags (money) are every page's
    "accounts",
    "tenancy",
    "partners",
    "facts",
    "targets",
    "scoring",
    "incentives",
    "settlements",
    "notifications",
    "diligence",
    "risk",
    "deals",
    "leads",
    "communication",
    "funds",
    "screening",
    "qudao_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.InputGuardMiddleware",  # after the language is known, before anything reads input
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenancy.middleware.TenantScopeMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, as axes asks: it turns a login that axes flagged as locked out into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]
if env_bool("BENCH_QUERY_COUNT", default=False):  # bench/pages.py: queries per request in a header
    MIDDLEWARE.insert(0, "common.query_count.QueryCountMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.tenant",
                "notifications.context_processors.inbox",
                "communication.context_processors.portal_banner",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login (even with the right password) while the account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# guardian: no anonymous user row (our users log in by e-mail; nobody anonymous holds rights).
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("COLLECTED_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded contract files: what we accept and how big.
CONTRACT_MAX_UPLOAD_BYTES = env.int("CONTRACT_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
CONTRACT_ALLOWED_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "doc"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    # A mail server that does not answer fails the delivery (which retries later), never hangs a worker.
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _smtp_options.items() if value not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qudao@localhost")
# The site's own address, for the links in e-mails and webhook messages (which leave the app).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Notifications (SPEC §4.11): e-mails and webhook calls are tasks that retry with exponential backoff
# (NOTIFICATIONS_RETRY_SECONDS, then twice as long each time) until NOTIFICATIONS_MAX_ATTEMPTS.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_SECONDS = env.int("NOTIFICATIONS_RETRY_SECONDS", default=60)
# A webhook's receiver has this long to accept the connection, and again to answer.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Webhooks may call addresses inside the private network (loopback, 10/8, 192.168/16, link-local…): off,
# so a tenant administrator cannot make the app call its own internal services; on for a receiver on
# the same machine or network (a trial, the tests).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qudao_api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qudao_api.errors.exception_handler",
    # Decimal numbers, no NaN, and no text PostgreSQL cannot store (qudao_api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "qudao_api.parsers.JSONParser",
        "qudao_api.parsers.FormParser",
        "qudao_api.parsers.MultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    # Per address (anonymous) or per user, in the shared cache (config/settings/cache.py). Rates are kept
    # per minute where they are generous: DRF keeps one timestamp per request within the period.
    "DEFAULT_THROTTLE_CLASSES": ["qudao_api.throttles.AnonRateThrottle", "qudao_api.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "30/minute"),
        "user": env_rate("API_THROTTLE_USER", "200/minute"),  # 12,000 an hour: an ERP syncing in bulk
        "token": env_rate("API_THROTTLE_TOKEN", "10/minute"),  # POST auth/token/, per address
        "member_add": env_rate("API_THROTTLE_MEMBER_ADD", "30/hour"),  # POST members/, per user
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qudao API",
    "DESCRIPTION": "Channel partner management: partners, tiers, facts, targets, settlements.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and docs show every path and field: for signed-in users only (the docs pages also
    # send anonymous visitors to the login page, in qudao_api/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several resources have a ``status`` and two choice sets are called "method" (a goal's split, a
    # rebate program's): each gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "StatementStatusEnum": "settlements.models.StatementStatus",
        "SettlementRunStatusEnum": "settlements.models.SettlementRun.Status",
        "RebateMethodEnum": "incentives.models.Method",
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "DealStatusEnum": "deals.models.DealStatus",
        "ActionItemStatusEnum": "communication.models.ActionStatus",
        "TicketStatusEnum": "communication.models.TicketStatus",
        "CommunicationSideEnum": "communication.models.Side",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Fact imports: per API request, per uploaded file.
FACTS_MAX_API_ROWS = env.int("FACTS_MAX_API_ROWS", default=100_000)
FACTS_MAX_UPLOAD_ROWS = env.int("FACTS_MAX_UPLOAD_ROWS", default=1_000_000)
FACTS_MAX_UPLOAD_BYTES = env.int("FACTS_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# An upload whose real size (a CSV's bytes, an XLSX's unpacked bytes, never what the workbook says of
# itself) passes this imports as a background task with a progress bar: about 10,000 CSV rows or 3,000
# XLSX rows, well under a second of work, which is all a web request should parse.
FACTS_SYNC_IMPORT_BYTES = env.int("FACTS_SYNC_IMPORT_BYTES", default=64 * 1024)  # about 1,000 rows of a CSV
# An XLSX is a zip of XML: checked before it is opened. A sheet row takes 300-400 bytes of XML, so a
# million rows (FACTS_MAX_UPLOAD_ROWS) unpack to about 370 MB. Real sheets compress 5-20 times (15 for
# a sheet of identical rows); an XML bomb far more (390 KB that unpack to 102 MB: 260 times).
FACTS_MAX_XLSX_UNCOMPRESSED_BYTES = env.int("FACTS_MAX_XLSX_UNCOMPRESSED_BYTES", default=512 * 1024 * 1024)
FACTS_MAX_XLSX_COMPRESSION_RATIO = env.int("FACTS_MAX_XLSX_COMPRESSION_RATIO", default=100)
# An import job that shows no progress for this long (its worker died, its task was lost) is failed.
FACTS_IMPORT_TIMEOUT_SECONDS = env.int("FACTS_IMPORT_TIMEOUT_SECONDS", default=2 * 60 * 60)
