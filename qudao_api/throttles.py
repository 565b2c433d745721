"""API throttles: per address for anonymous requests and the token endpoint, per user once signed in.

Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (env-overridable, config/settings/base.py),
read when a throttle is made — once per request — rather than frozen at import as DRF's own
classes do, so a test can set a rate of its own. Counts live in the default cache (Redis when
``REDIS_URL`` is set), shared by every web process. A throttled request is a 429 with
``Retry-After`` and the usual ``{"message": …}`` (qudao_api/errors.py).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings

from common.client_ip import client_ip


class SettingsRateMixin:
    scope: str

    def get_rate(self) -> str:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for the {self.scope!r} scope") from None

    def get_ident(self, request) -> str:
        # The same address the login lockout counts (TRUSTED_PROXY_COUNT), never a client-written header.
        return client_ip(request) or "unknown"


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous requests, per address."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in requests, per user: generous, for an ERP that syncs in bulk."""


class TokenRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """``POST auth/token/``, per address whoever asks: strict, on top of the login lockout."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class MemberAddRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Adding members, per user: the answer tells whether an e-mail already has an account, so
    adding many is a way to probe addresses. The members page and the API share the count."""

    scope = "member_add"
