"""Login lockout (django-axes) on the login page, the admin's login and the API token endpoint."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone, translation

from accounts.lockout import lockout_message
from accounts.models import ApiToken
from tests.security.conftest import STAFF_EMAIL
from tests.security.helpers import logged_in, login
from tests.world import PASSWORD, email_for

ENDPOINTS = ["page", "admin", "api"]
ATTACKER = "192.0.2.66"  # documentation addresses (RFC 5737): only strings in the test client
VICTIM = "198.51.100.7"


@pytest.fixture(autouse=True)
def generous_token_throttle(throttle_rates):
    """These tests are about the lockout, not the token endpoint's throttle."""
    throttle_rates(token="1000/minute")


def _fail_until_locked(endpoint: str, *, emails: list[str], addresses: list[str]):
    """One wrong password per (e-mail, address) pair, as many as the limit; returns the last answer."""
    response = None
    for email, address in zip(emails, addresses, strict=True):
        _, response = login(endpoint, email, "wrong-password", address)
    return response


def _after_the_cool_off():
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))


def _assert_locked_out_answer(endpoint: str, response):
    assert response.status_code == 429, response.content[:300]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response["Retry-After"] == str(minutes * 60)
    with translation.override("en"):
        message = lockout_message(minutes)
    if endpoint == "api":
        assert response.json() == {"message": message, "code": "locked_out"}
    else:
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_many_addresses_trying_one_account_lock_the_account_even_for_the_right_password(world, staff, endpoint):
    # given: a wrong password from each of as many addresses as the limit
    limit = settings.AXES_FAILURE_LIMIT
    last = _fail_until_locked(
        endpoint, emails=[STAFF_EMAIL] * limit, addresses=[f"203.0.113.{n}" for n in range(1, limit + 1)]
    )
    _assert_locked_out_answer(endpoint, last)
    # when: the right password, from an address that never failed
    client, response = login(endpoint, STAFF_EMAIL, PASSWORD, VICTIM)
    # then: refused, and nothing was given out
    _assert_locked_out_answer(endpoint, response)
    assert not logged_in(endpoint, client, response)
    assert "_auth_user_id" not in client.session
    assert not ApiToken.objects.filter(user=staff).exists()
    # another account from that address is not locked
    other_client, other = login("page", email_for("acme", "viewer"), PASSWORD, VICTIM)
    assert logged_in("page", other_client, other)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_one_address_trying_many_accounts_is_locked_out_even_for_the_right_password(world, staff, endpoint):
    # given: a wrong password for as many different accounts (real or not) as the limit, from one address
    limit = settings.AXES_FAILURE_LIMIT
    last = _fail_until_locked(
        endpoint, emails=[f"guess{n}@acme.test" for n in range(limit)], addresses=[ATTACKER] * limit
    )
    _assert_locked_out_answer(endpoint, last)
    # when: the right password for an account that never failed, from that address
    client, response = login(endpoint, STAFF_EMAIL, PASSWORD, ATTACKER)
    # then
    _assert_locked_out_answer(endpoint, response)
    assert not logged_in(endpoint, client, response)
    assert not ApiToken.objects.filter(user=staff).exists()
    # the same account from another address logs in
    client, response = login(endpoint, STAFF_EMAIL, PASSWORD, VICTIM)
    assert logged_in(endpoint, client, response)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_after_the_cool_off_the_right_password_is_accepted_again(world, staff, endpoint):
    # given: locked out both ways
    limit = settings.AXES_FAILURE_LIMIT
    _fail_until_locked(endpoint, emails=[STAFF_EMAIL] * limit, addresses=[ATTACKER] * limit)
    _, refused = login(endpoint, STAFF_EMAIL, PASSWORD, ATTACKER)
    assert refused.status_code == 429
    # when: the cool-off has passed (the attempts moved back in time rather than sleeping)
    _after_the_cool_off()
    client, response = login(endpoint, STAFF_EMAIL, PASSWORD, ATTACKER)
    # then
    assert logged_in(endpoint, client, response), response.content[:300]


def test_fewer_failures_than_the_limit_do_not_lock_anyone_out(world, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = login("page", STAFF_EMAIL, "wrong-password", ATTACKER)
        assert response.status_code == 200  # the form again, with its error
    client, response = login("page", STAFF_EMAIL, PASSWORD, ATTACKER)
    assert logged_in("page", client, response)


def test_the_account_is_one_however_its_email_is_capitalised_or_padded(world, staff):
    spellings = ["STAFF@lockout.test", "Staff@Lockout.Test", " staff@lockout.test ", "staff@LOCKOUT.TEST"]
    spellings = (spellings * settings.AXES_FAILURE_LIMIT)[: settings.AXES_FAILURE_LIMIT]
    _fail_until_locked("api", emails=spellings, addresses=[f"203.0.113.{n}" for n in range(len(spellings))])
    _, response = login("api", STAFF_EMAIL, PASSWORD, VICTIM)
    assert response.status_code == 429


def test_a_success_does_not_wipe_the_addresss_earlier_failures(world, staff):
    # given: one failure short of the limit from one address, then the attacker's own account logs in
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        login("page", f"guess{n}@acme.test", "wrong-password", ATTACKER)
    client, response = login("page", STAFF_EMAIL, PASSWORD, ATTACKER)
    assert logged_in("page", client, response)
    # when: one more guess
    _, response = login("page", "guess-last@acme.test", "wrong-password", ATTACKER)
    # then: locked out all the same
    assert response.status_code == 429


def test_the_locked_out_page_is_translated(world, staff):
    limit = settings.AXES_FAILURE_LIMIT
    _fail_until_locked("page", emails=[STAFF_EMAIL] * limit, addresses=[ATTACKER] * limit)
    for language in ("zh-hans", "en"):
        _, response = login("page", STAFF_EMAIL, PASSWORD, ATTACKER, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 429
        with translation.override(language):
            message = lockout_message(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
            title = translation.gettext("Too many failed logins")
        html = response.content.decode()
        assert message in html
        assert title in html
        assert f'lang="{language}"' in html


def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(world, staff, settings):
    # given: one proxy in front, which appends the client's address to X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # the attacker also writes a forwarded address of its own, which must be ignored
        login("page", f"guess{n}@acme.test", "wrong-password", proxy, HTTP_X_FORWARDED_FOR=f"{VICTIM}, {ATTACKER}")
    # when: another client comes through the same proxy
    client, response = login("page", STAFF_EMAIL, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=VICTIM)
    # then: it is not locked out by the attacker's failures
    assert logged_in("page", client, response)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    _, again = login("page", STAFF_EMAIL, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert again.status_code == 429


def test_a_login_with_nul_bytes_or_an_overlong_email_is_an_answer_not_a_server_error(world):
    for endpoint in ENDPOINTS:
        for email in ("a\x00b@acme.test", "x" * 300 + "@acme.test"):
            _, response = login(endpoint, email, "wrong-password", ATTACKER)
            assert response.status_code in (200, 400), (endpoint, response.status_code)
