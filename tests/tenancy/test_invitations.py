"""Members by invitation (SPEC §6 ``members/`` and ``/api/v1/invitations/``).

Adding an e-mail that already has an account, in any tenant, never makes that person a member on
the spot and never shows who they are: it makes an invitation that they accept or decline.
"""

import pytest
from django.core import mail

from accounts.models import User
from tenancy.context import tenant_scope
from tenancy.models import Invitation, Membership
from tests.conftest import tenant_api
from tests.world import PASSWORD, email_for

OUTSIDER = email_for("globex", "finance")  # a user of globex only, with a full name acme must not learn


@pytest.fixture
def outsider(world):
    user = User.objects.get(email=OUTSIDER)
    user.full_name = "Gloria Globex"
    user.save(update_fields=["full_name"])
    return user


def _acme_state(world) -> tuple:
    with tenant_scope(world["acme"].tenant):
        members = sorted(Membership.objects.values_list("user__email", "role", "partner_id"))
        invitations = sorted(Invitation.objects.values_list("email", "role", "status"))
    return members, invitations


def _invite(world, api, *, role="viewer", actor="admin", **extra):
    return api(world["acme"].member(actor)).post(
        tenant_api("acme", "members/"), {"email": OUTSIDER, "role": role, **extra}, format="json"
    )


def test_adding_an_existing_user_of_another_tenant_makes_an_invitation_not_a_member(world, api, outsider):
    response = _invite(world, api, role="finance")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "invited"
    assert body["email"] == OUTSIDER and body["role"] == "finance"
    text = response.content.decode()
    assert "Gloria" not in text and "Globex" not in text and "globex" not in text.replace(OUTSIDER, "")
    assert "full_name" not in body
    with tenant_scope(world["acme"].tenant):
        assert not Membership.objects.filter(user=outsider).exists()
        invitation = Invitation.objects.get(user=outsider)
    assert (invitation.status, invitation.role, invitation.invited_by) == (
        "pending",
        "finance",
        world["acme"].member("admin").user,
    )


def test_an_invitation_is_announced_by_mail_once_it_is_committed(world, outsider, django_capture_on_commit_callbacks):
    from tenancy.services import member_add

    with django_capture_on_commit_callbacks(execute=True), tenant_scope(world["acme"].tenant):
        member_add(actor=world["acme"].member("admin"), email=OUTSIDER, role="viewer")
    assert [message.to for message in mail.outbox] == [[OUTSIDER]]
    assert "Acme" in mail.outbox[0].subject


def test_the_answer_for_an_existing_user_ignores_a_password_and_changes_nothing_of_theirs(world, api, outsider):
    response = _invite(world, api, password="Something-else-42", full_name="Renamed")
    assert response.status_code == 201
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)
    assert outsider.full_name == "Gloria Globex"


def test_inviting_the_same_person_twice_is_a_field_error_and_writes_nothing_more(world, api, outsider):
    _invite(world, api)
    before = _acme_state(world)
    response = _invite(world, api)
    assert response.status_code == 400
    assert response.json()["errors"]["email"]
    assert _acme_state(world) == before


def test_the_invited_user_lists_accepts_and_becomes_a_member(world, api, outsider):
    _invite(world, api, role="partner_user", partner="ACME-OTHER")
    client = api()
    client.force_authenticate(outsider)

    listing = client.get("/api/v1/invitations/")
    assert listing.status_code == 200
    [invitation] = listing.json()
    assert (invitation["tenant"], invitation["tenant_name"], invitation["role"]) == ("acme", "Acme", "partner_user")
    assert invitation["partner_name"] == "Acme Other Partner"

    accepted = client.post(f"/api/v1/invitations/{invitation['id']}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["tenant"] == "acme"
    with tenant_scope(world["acme"].tenant):
        membership = Membership.objects.get(user=outsider)
        assert (membership.role, membership.partner.code) == ("partner_user", "ACME-OTHER")
        assert Invitation.objects.get(user=outsider).status == "accepted"
    assert client.get("/api/v1/invitations/").json() == []
    assert client.get(tenant_api("acme", "partners/")).status_code == 200  # they are in now


def test_the_invited_user_declines_and_stays_out(world, api, outsider):
    _invite(world, api)
    client = api()
    client.force_authenticate(outsider)
    [invitation] = client.get("/api/v1/invitations/").json()

    response = client.post(f"/api/v1/invitations/{invitation['id']}/decline/")

    assert response.status_code == 200
    with tenant_scope(world["acme"].tenant):
        assert not Membership.objects.filter(user=outsider).exists()
        assert Invitation.objects.get(user=outsider).status == "declined"
    assert client.get(tenant_api("acme", "partners/")).status_code == 404


def test_nobody_else_can_see_or_answer_an_invitation(world, api, outsider):
    _invite(world, api)
    with tenant_scope(world["acme"].tenant):
        invitation = Invitation.objects.get(user=outsider)
    before = _acme_state(world)
    for intruder in (world["globex"].member("admin"), world["acme"].member("admin")):
        client = api(intruder)
        assert client.get("/api/v1/invitations/").json() == []
        assert client.post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 404
        assert client.post(f"/api/v1/invitations/{invitation.pk}/decline/").status_code == 404
    assert api().post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 401
    assert _acme_state(world) == before


def test_a_withdrawn_invitation_can_no_longer_be_accepted(world, api, outsider):
    _invite(world, api)
    with tenant_scope(world["acme"].tenant):
        invitation = Invitation.objects.get(user=outsider)
    response = api(world["acme"].member("admin")).post(tenant_api("acme", f"invitations/{invitation.pk}/revoke/"))
    assert response.status_code == 200, response.content
    client = api()
    client.force_authenticate(outsider)
    assert client.post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 404
    with tenant_scope(world["acme"].tenant):
        assert not Membership.objects.filter(user=outsider).exists()


def test_a_partner_administrator_invites_an_existing_user_to_its_own_partner_only(world, api, outsider):
    response = _invite(world, api, role="partner_user", actor="partner_admin")
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == "ACME-OWN"
    listing = api(world["acme"].member("partner_admin")).get(tenant_api("acme", "invitations/"))
    assert [row["email"] for row in listing.json()["results"]] == [OUTSIDER]
    assert api(world["acme"].member("partner_user")).get(tenant_api("acme", "invitations/")).status_code == 403


def test_the_chooser_page_offers_the_invitation_and_accepting_it_enters_the_tenant(world, api, client, outsider):
    _invite(world, api, role="viewer")
    client.force_login(outsider)
    client.cookies["django_language"] = "en"
    page = client.get("/")
    assert page.status_code == 200
    assert "Acme" in page.content.decode() and "Accept" in page.content.decode()
    with tenant_scope(world["acme"].tenant):
        invitation = Invitation.objects.get(user=outsider)
    response = client.post(f"/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == "/t/acme/"
    assert client.get("/t/acme/").status_code == 200


def test_the_members_page_lists_pending_invitations_and_withdraws_one(world, api, client, outsider):
    _invite(world, api)
    client.force_login(world["acme"].member("admin").user)
    html = client.get("/t/acme/members/").content.decode()
    title, body = html.split("</title>", 1)
    assert OUTSIDER in body and OUTSIDER not in title
    with tenant_scope(world["acme"].tenant):
        invitation = Invitation.objects.get(user=outsider)
    response = client.post(f"/t/acme/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    with tenant_scope(world["acme"].tenant):
        assert Invitation.objects.get(pk=invitation.pk).status == "revoked"
