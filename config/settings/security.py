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
