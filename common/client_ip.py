"""The address a request came from, the same for login lockout (axes) and API throttles.

Behind a reverse proxy, ``REMOTE_ADDR`` is the proxy: every client would share one address, and
five wrong passwords from anyone would lock everyone out. ``X-Forwarded-For`` is written by the
client first and appended to by each proxy, so only its last ``TRUSTED_PROXY_COUNT`` entries
were written by proxies we run; the entry our outermost proxy appended is the client's address,
and anything to its left is whatever the client chose to send (spoofable, so never read).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when the request carries no usable one."""
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not isinstance(forwarded, str) or not forwarded.strip():
        return remote_addr  # not through our proxy (a health check from inside, say)
    addresses = [address.strip() for address in forwarded.split(",")]
    return _valid_ip(addresses[-min(proxies, len(addresses))]) or remote_addr


def _valid_ip(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
