"""The client address that lockout and throttles count: REMOTE_ADDR, or what our own proxies forwarded."""

import pytest
from django.test import RequestFactory

from common.client_ip import client_ip


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "203.0.113.5, 198.51.100.9", "198.51.100.9"),  # the client wrote the first entry itself
        (2, "203.0.113.5, 198.51.100.9, 192.0.2.200", "198.51.100.9"),
        (2, "198.51.100.9", "198.51.100.9"),  # fewer entries than proxies: the leftmost there is
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "not-an-address", "192.0.2.1"),  # garbage: the proxy's address rather than an error
        (1, "", "192.0.2.1"),
    ],
)
def test_behind_trusted_proxies_the_address_they_appended_counts(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_a_request_without_a_usable_address_has_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(REMOTE_ADDR="")) is None
