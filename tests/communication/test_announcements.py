"""Announcements: the audience resolved at publishing, receipts per reader, the banner, the vendor's rates."""

import pytest
from django.core.exceptions import ValidationError

from communication import services
from communication.models import Announcement, AnnouncementAudience, AnnouncementReceipt
from notifications.models import Notification
from partners.models import Partner, PartnerStatus, Tier
from tenancy import services as tenancy_services
from tests.conftest import tenant_api
from tests.world import PASSWORD


def publish(acme, **fields):
    fields.setdefault("title", "New price list")
    fields.setdefault("body", "**Prices** change on 1 April.")
    return services.announcement_publish(actor=acme.member("channel_manager").user, **fields)


def audience_codes(announcement) -> set[str]:
    return set(AnnouncementAudience.objects.filter(announcement=announcement).values_list("partner__code", flat=True))


def test_everyone_reaches_every_partner_with_a_working_relationship_but_no_prospect(acme):
    Partner.objects.filter(pk=acme.other.pk).update(status=PartnerStatus.PROSPECT)

    announcement = publish(acme)

    assert audience_codes(announcement) == {acme.own.code}


@pytest.mark.parametrize(
    ("audience", "values", "expected"),
    [
        ("tiers", ["core"], {"OTHER"}),
        ("kinds", ["distributor"], {"OWN"}),
        ("regions", ["华南"], {"OTHER"}),
        ("partners", ["ACME-OWN", "ACME-OTHER"], {"OWN", "OTHER"}),
    ],
)
def test_tiers_kinds_regions_and_named_partners_resolve_to_their_partners(acme, audience, values, expected):
    Partner.objects.filter(pk=acme.other.pk).update(tier=Tier.objects.get(code="core"))

    announcement = publish(acme, audience=audience, audience_values=values)

    assert audience_codes(announcement) == {f"ACME-{suffix}" for suffix in expected}
    assert announcement.audience_values == sorted(values)


def test_the_audience_is_fixed_when_published(acme):
    announcement = publish(acme, audience="tiers", audience_values=["ordinary"])

    Partner.objects.filter(pk=acme.own.pk).update(tier=Tier.objects.get(code="core"))

    assert audience_codes(announcement) == {acme.own.code, acme.other.code}


@pytest.mark.parametrize(
    ("audience", "values", "field"),
    [
        ("tiers", ["platinum"], "audience_values"),
        ("kinds", ["wholesaler"], "audience_values"),
        ("partners", ["NOPE-1"], "audience_values"),
        ("tiers", [], "audience_values"),
        ("regions", ["月球"], "audience"),  # nobody there
        ("galaxy", ["x"], "audience"),
    ],
)
def test_an_audience_that_names_nothing_is_refused_and_nothing_is_published(acme, audience, values, field):
    with pytest.raises(ValidationError) as caught:
        publish(acme, audience=audience, audience_values=values)

    assert field in caught.value.message_dict
    assert not Announcement.objects.exists()


def test_each_partner_side_member_of_the_audience_gets_a_receipt_and_a_notification(acme):
    announcement = publish(acme, audience="partners", audience_values=["ACME-OWN"], requires_acknowledgement=True)

    readers = set(AnnouncementReceipt.objects.filter(announcement=announcement).values_list("member__role", flat=True))
    assert readers == {"partner_admin", "partner_user"}
    told = Notification.objects.filter(event="announcement").values_list("recipient__role", flat=True)
    assert set(told) == {"partner_admin", "partner_user"}


def test_a_partner_sees_only_what_was_addressed_to_it(acme, api):
    mine = publish(acme, title="For us", audience="partners", audience_values=["ACME-OWN"])
    theirs = publish(acme, title="For them", audience="partners", audience_values=["ACME-OTHER"])
    client = api(acme.member("partner_user"))

    listed = client.get(tenant_api("acme", "announcements/")).json()
    hidden = client.get(tenant_api("acme", f"announcements/{theirs.pk}/"))

    assert [row["title"] for row in listed["results"]] == ["For us"]
    assert "audience_values" not in listed["results"][0] and "read_count" not in listed["results"][0]
    assert hidden.status_code == 404
    assert client.post(tenant_api("acme", f"announcements/{theirs.pk}/read/")).status_code == 404
    assert client.get(tenant_api("acme", f"announcements/{mine.pk}/")).status_code == 200


def test_reading_and_acknowledging_over_the_api_and_the_vendors_counts(acme, api):
    announcement = publish(acme, requires_acknowledgement=True)
    user, admin = api(acme.member("partner_user")), api(acme.member("partner_admin"))

    read = user.post(tenant_api("acme", f"announcements/{announcement.pk}/read/"))
    acknowledged = admin.post(tenant_api("acme", f"announcements/{announcement.pk}/acknowledge/"))
    vendor = api(acme.member("viewer")).get(tenant_api("acme", f"announcements/{announcement.pk}/")).json()

    assert read.status_code == 200 and read.json()["read_at"] and read.json()["acknowledged_at"] is None
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert (vendor["reader_count"], vendor["read_count"], vendor["acknowledged_count"]) == (2, 2, 1)


def test_a_vendor_member_neither_reads_nor_acknowledges_as_a_reader(acme, api):
    announcement = publish(acme, requires_acknowledgement=True)

    response = api(acme.member("admin")).post(tenant_api("acme", f"announcements/{announcement.pk}/acknowledge/"))

    assert response.status_code == 403
    assert not AnnouncementReceipt.objects.filter(acknowledged_at__isnull=False).exists()


def test_acknowledging_what_asks_for_no_acknowledgement_is_a_400(acme, api):
    announcement = publish(acme, requires_acknowledgement=False)

    response = api(acme.member("partner_user")).post(
        tenant_api("acme", f"announcements/{announcement.pk}/acknowledge/")
    )

    assert response.status_code == 400
    assert not AnnouncementReceipt.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_member_who_joined_later_reads_it_too(acme, api):
    announcement = publish(acme)
    late = tenancy_services.member_add(
        actor=acme.member("admin"), email="late@acme.test", password=PASSWORD, role="partner_user", partner=acme.own
    ).membership

    response = api(late).post(tenant_api("acme", f"announcements/{announcement.pk}/read/"))

    assert response.status_code == 200
    assert AnnouncementReceipt.objects.filter(member=late, read_at__isnull=False).exists()


def test_publishing_over_the_api_with_bad_input_is_a_clear_400(acme, api):
    client = api(acme.member("channel_manager"))

    for body in (
        {"title": "x\x00y", "body": "b"},
        {"title": "ok", "body": "b", "audience": "tiers", "audience_values": "core"},
        {"title": "ok", "body": "b", "audience": "tiers", "audience_values": ["gold"]},
        {"title": "t" * 500, "body": "b"},
    ):
        response = client.post(tenant_api("acme", "announcements/"), body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not Announcement.objects.exists()


def test_the_banner_shows_on_every_portal_page_until_acknowledged(acme, page_client):
    announcement = publish(acme, title="Sign the new code of conduct", requires_acknowledgement=True)
    client = page_client(acme.member("partner_user"))

    for path in ("/t/acme/", "/t/acme/tickets/", f"/t/acme/partners/{acme.own.pk}/"):
        assert "Sign the new code of conduct" in client.get(path).content.decode(), path
    response = client.post(f"/t/acme/announcements/{announcement.pk}/acknowledge/", follow=True)

    assert response.status_code == 200
    assert "acknowledgement-banner" not in client.get("/t/acme/").content.decode()


def test_the_vendor_page_shows_rates_and_who_is_missing(acme, page_client):
    announcement = publish(acme, requires_acknowledgement=True)
    services.announcement_acknowledge(member=acme.member("partner_admin"), announcement=announcement)

    page = page_client(acme.member("channel_manager")).get(
        f"/t/acme/announcements/{announcement.pk}/?show=unacknowledged"
    )

    assert page.status_code == 200
    assert page.context["read_rate"] == 50 and page.context["acknowledged_rate"] == 50
    missing = [receipt.member.user.email for receipt in page.context["readers"]]
    assert missing == [acme.member("partner_user").user.email]


def test_the_announcement_page_renders_the_body_safely(acme, page_client):
    announcement = publish(acme, body="**Hi** <script>alert('x')</script> [go](javascript:alert(1))")

    html = page_client(acme.member("partner_user")).get(f"/t/acme/announcements/{announcement.pk}/").content.decode()

    assert "<strong>Hi</strong>" in html
    assert "alert('x')" not in html and "javascript:alert" not in html
