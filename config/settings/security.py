from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env, env_bool

from .base import DEBUG

# Production defaults; DEBUG (the demo) relaxes what needs HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Tenant slugs and partner ids are in our URLs: other sites get no referrer at all.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# How many reverse proxies we run in front of Django (each appends to X-Forwarded-For): 0 trusts
# REMOTE_ADDR only; 1 behind one TLS-terminating proxy. Login lockout and API throttles both key
# on the address this gives (common/client_ip.py), which a client cannot forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login lockout (django-axes) on /login/, /admin/login/ and POST /api/v1/auth/token/: after
# LOGIN_FAILURE_LIMIT failures within the cool-off, the account and the address are each locked
# out for LOGIN_COOLOFF_MINUTES, even with the right password.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME < timedelta(minutes=1):
    # A cool-off of 0 would lock nobody out; axes reads no cool-off at all as "locked for ever".
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1.")
# Two separate entries, not one combination: one address cannot try many accounts, and many
# addresses cannot try one account.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_USERNAME_FORM_FIELD = "username"  # both login forms and the token endpoint post the e-mail as `username`
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"  # ADMIN@x and admin@x are one account
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
# A success does not wipe the failures (axes' default): with the address as a lockout parameter,
# it would wipe the address's failures too, and an attacker with one account of their own could
# log in between guesses at others.
AXES_RESET_ON_SUCCESS = False
# An attempt while locked out starts the cool-off again (axes' default): guessing on never gets through.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True

# API tokens (accounts.models.ApiToken) expire this many days after they are issued.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be at least 1.")

# Content-Security-Policy (django.middleware.csp.ContentSecurityPolicyMiddleware) on every response.
# Only our own files run and style the pages: no inline <script>, no on…= handlers, no style="…",
# no CDN. Templates keep it that way (tests/security/test_templates.py); data for scripts travels
# in json_script elements, and dynamic sizes are set through the CSSOM by static scripts.
# The Redoc page alone relaxes it (qudao_api/docs.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The Redoc API docs page only (qudao_api/docs.py): Redoc styles itself with injected <style> elements
# (styled-components) and searches in a web worker started from a blob: URL. Its scripts still come
# from our own static files only.
API_REDOC_CSP = {
    **SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": ["blob:"],
}
