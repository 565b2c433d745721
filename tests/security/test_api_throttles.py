"""API throttles: a throttled request is a 429 with Retry-After and a message, and does nothing."""

import json
import re

from django.test import Client
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from accounts.models import ApiToken
from tenancy.context import tenant_scope
from tenancy.models import Membership
from tests.conftest import tenant_api
from tests.world import PASSWORD, email_for

RETRY_AFTER = re.compile(r"[1-9][0-9]*")


def _assert_throttled(response):
    assert response.status_code == 429, response.content[:300]
    assert RETRY_AFTER.fullmatch(response["Retry-After"])
    body = json.loads(response.content)
    assert body["message"]
    assert body["code"] == "throttled"


def _members(world) -> int:
    with tenant_scope(world["acme"].tenant):
        return Membership.objects.count()


def test_the_token_endpoint_is_throttled_per_address(world, throttle_rates):
    # given
    throttle_rates(token="2/minute")
    credentials = {"username": email_for("acme", "viewer"), "password": PASSWORD}
    for _ in range(2):
        assert APIClient().post("/api/v1/auth/token/", credentials, REMOTE_ADDR="192.0.2.10").status_code == 200
    # when
    response = APIClient().post("/api/v1/auth/token/", credentials, REMOTE_ADDR="192.0.2.10")
    # then: no third token
    _assert_throttled(response)
    assert ApiToken.objects.count() == 2
    # another address is not held back
    assert APIClient().post("/api/v1/auth/token/", credentials, REMOTE_ADDR="192.0.2.11").status_code == 200


def test_signed_in_requests_are_throttled_per_user(world, api, throttle_rates):
    throttle_rates(user="3/minute")
    viewer = api(world["acme"].member("viewer"))
    for _ in range(3):
        assert viewer.get(tenant_api("acme", "partners/")).status_code == 200
    _assert_throttled(viewer.get(tenant_api("acme", "partners/")))
    # another user, from the same address, is not
    assert api(world["acme"].member("admin")).get(tenant_api("acme", "partners/")).status_code == 200


class PublicView(APIView):
    """An endpoint open to anonymous clients, with the default throttles.

    (Every endpoint of ours but the token's needs a user; DRF checks permissions before throttles,
    so an anonymous request there is a 401 before any count.)
    """

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


def _public(address: str):
    response = PublicView.as_view()(APIRequestFactory().get("/public/", REMOTE_ADDR=address))
    return response.render()


def test_anonymous_requests_are_throttled_per_address(db, throttle_rates):
    throttle_rates(anon="2/minute")
    for _ in range(2):
        assert _public("192.0.2.20").status_code == 200
    _assert_throttled(_public("192.0.2.20"))
    assert _public("192.0.2.21").status_code == 200


def test_adding_members_is_throttled_per_user_and_a_throttled_add_adds_nobody(world, api, throttle_rates):
    # given
    throttle_rates(member_add="2/hour")
    admin = api(world["acme"].member("admin"))
    for n in range(2):
        response = admin.post(
            tenant_api("acme", "members/"),
            {"email": f"new{n}@acme.test", "password": PASSWORD, "role": "viewer"},
            format="json",
        )
        assert response.status_code == 201, response.content
    before = _members(world)
    # when
    response = admin.post(
        tenant_api("acme", "members/"), {"email": "probe@acme.test", "password": PASSWORD, "role": "viewer"}
    )
    # then
    _assert_throttled(response)
    assert _members(world) == before
    # listing members is not held back
    assert admin.get(tenant_api("acme", "members/")).status_code == 200


def test_the_members_page_shares_the_api_count_of_members_added(world, api, throttle_rates):
    # given: the API's allowance used up
    throttle_rates(member_add="1/hour")
    membership = world["acme"].member("admin")
    response = api(membership).post(
        tenant_api("acme", "members/"), {"email": "new@acme.test", "password": PASSWORD, "role": "viewer"}
    )
    assert response.status_code == 201
    before = _members(world)
    # when: the page adds one more
    page = Client()
    page.force_login(membership.user)
    response = page.post(
        "/t/acme/members/new/", {"email": "probe@acme.test", "role": "viewer", "password": "Long-enough-pass-1"}
    )
    # then
    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert _members(world) == before
