"""Members: an administrator adds anyone; a partner administrator adds its own partner's users only."""

from accounts.models import User
from tenancy.context import tenant_scope
from tenancy.models import Membership
from tests.conftest import tenant_api
from tests.world import PASSWORD, email_for

NEW_EMAIL = "new.person@acme.test"


def _memberships(world) -> list[tuple]:
    with tenant_scope(world["acme"].tenant):
        return list(Membership.objects.order_by("pk").values_list("user__email", "role", "partner_id"))


def test_an_administrator_adds_a_new_user_as_a_vendor_member(world, api):
    # when
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "finance", "full_name": "New Person"},
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == NEW_EMAIL
    assert body["role"] == "finance"
    assert body["partner"] is None
    assert "password" not in body
    user = User.objects.get(email=NEW_EMAIL)
    assert user.check_password(PASSWORD)
    with tenant_scope(world["acme"].tenant):
        assert Membership.objects.get(user=user).role == "finance"


def test_an_administrator_adds_a_partner_user_to_a_named_partner(world, api):
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "partner_user", "partner": "ACME-OTHER"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == "ACME-OTHER"


def test_a_partner_administrator_adds_a_user_to_its_own_partner(world, api):
    response = api(world["acme"].member("partner_admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "partner_user"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == "ACME-OWN"
    with tenant_scope(world["acme"].tenant):
        membership = Membership.objects.get(user__email=NEW_EMAIL)
    assert membership.partner_id == world["acme"].own.pk


def test_a_partner_administrator_cannot_add_a_vendor_role_and_nothing_is_written(world, api):
    # given
    before = _memberships(world)
    # when
    response = api(world["acme"].member("partner_admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "admin"},
        format="json",
    )
    # then
    assert response.status_code == 403, response.content
    assert response.json()["message"]
    assert _memberships(world) == before
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_a_partner_administrator_cannot_add_users_to_another_partner(world, api):
    before = _memberships(world)
    response = api(world["acme"].member("partner_admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "partner_user", "partner": "ACME-OTHER"},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert _memberships(world) == before
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_a_partner_user_cannot_add_members(world, api):
    before = _memberships(world)
    response = api(world["acme"].member("partner_user")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "partner_user"},
        format="json",
    )
    assert response.status_code == 403
    assert _memberships(world) == before


def test_adding_someone_who_is_already_a_member_is_a_field_error(world, api):
    before = _memberships(world)
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "members/"),
        {"email": email_for("acme", "viewer"), "role": "finance"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"]
    assert body["errors"]["email"]
    assert _memberships(world) == before


def test_a_new_user_needs_a_password(world, api):
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "members/"), {"email": NEW_EMAIL, "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["password"]
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_a_partner_role_needs_a_partner_when_an_administrator_adds_it(world, api):
    response = api(world["acme"].member("admin")).post(
        tenant_api("acme", "members/"),
        {"email": NEW_EMAIL, "password": PASSWORD, "role": "partner_user"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["partner"]


def test_a_partner_administrator_lists_only_its_own_partners_members(world, api):
    response = api(world["acme"].member("partner_admin")).get(tenant_api("acme", "members/"))
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert emails == {email_for("acme", "partner_admin"), email_for("acme", "partner_user")}


def test_a_vendor_member_lists_every_member_of_the_tenant_and_none_of_another(world, api):
    response = api(world["acme"].member("viewer")).get(tenant_api("acme", "members/"))
    emails = {row["email"] for row in response.json()["results"]}
    assert len(emails) == 7
    assert all(email.endswith("@acme.test") for email in emails)
