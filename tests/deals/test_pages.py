"""The deal pages: the vendor's list with conflicts and the side-by-side page, the portal's register (warning
first), our deals with their protection, the decisions and the settings."""

from django.urls import reverse

from deals.models import Deal, DealStatus
from deals.selectors import settings_of
from tests.test_authorization_matrix import PARTNER_SIDE_SECRETS

from .helpers import TAX_ID, approved, other_partner_admin, register


def _url(name: str, slug: str = "acme", **kwargs) -> str:
    return reverse(f"deals:{name}", kwargs={"tenant_slug": slug, **kwargs})


def test_the_vendor_list_marks_deals_in_conflict_and_whose(acme, page_client):
    mine = register(acme.member("partner_admin"), "Page Conflict Customer").deal
    register(other_partner_admin(acme), "PAGE CONFLICT CUSTOMER Limited")
    body = page_client(acme.member("viewer")).get(_url("list")).content.decode()
    assert 'class="in-conflict"' in body
    assert acme.other.code in body and "2 deals are in conflict" in body
    detail = page_client(acme.member("viewer")).get(_url("detail", pk=mine.pk)).content.decode()
    assert "side-by-side" in detail and "PAGE CONFLICT CUSTOMER Limited" in detail and acme.other.code in detail


def test_our_deals_show_protection_days_and_conflicts_without_whose(acme, page_client):
    register(other_partner_admin(acme), "Portal Conflict Ltd")
    mine = register(acme.member("partner_admin"), "Portal Conflict Co., Ltd.").deal
    approved(acme, "Portal Protected")
    client = page_client(acme.member("partner_user"))
    body = client.get(_url("list")).content.decode()
    assert "Our deals" in body and "90 days left" in body and "Registered before on" in body
    detail = client.get(_url("detail", pk=mine.pk)).content.decode()
    assert "Registered before on" in detail
    for text in (body, detail):
        assert not [secret for secret in (*PARTNER_SIDE_SECRETS, "Portal Conflict Ltd") if secret in text]


def test_the_first_to_register_sees_a_later_registration_as_later_never_whose(acme, page_client):
    mine = register(acme.member("partner_admin"), "Early Bird Customer").deal
    register(other_partner_admin(acme), "EARLY BIRD CUSTOMER Ltd")
    client = page_client(acme.member("partner_user"))
    for url in (_url("list"), _url("detail", pk=mine.pk)):
        body = client.get(url).content.decode()
        assert "Also registered, later, on" in body and "Registered before on" not in body
        assert acme.other.code not in body and "EARLY BIRD CUSTOMER Ltd" not in body


def test_registering_a_known_customer_asks_again_before_registering(acme, page_client):
    register(other_partner_admin(acme), "Confirm Customer", tax_id=TAX_ID)
    client = page_client(acme.member("partner_admin"))
    form = {"customer": "Confirm Customer Co., Ltd.", "customer_tax_id": "", "value": "5000", "expected_close":
            "2026-10-01", "products": "Servers, 存储"}  # fmt: skip
    count = Deal.objects.count()
    response = client.post(_url("register"), form)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This customer is registered already" in body and "Register anyway" in body
    assert acme.other.code not in body and "Registered before on" in body
    assert Deal.objects.count() == count
    response = client.post(_url("register"), {**form, "confirmed": "True"})
    assert response.status_code == 302
    deal = Deal.objects.get(customer="Confirm Customer Co., Ltd.")
    assert (deal.partner, deal.products) == (acme.own, ["Servers", "存储"])


def test_a_new_customer_registers_at_once(acme, page_client):
    client = page_client(acme.member("partner_user"))
    form = {"customer": "Fresh Customer", "value": "10", "expected_close": "2026-10-01"}
    response = client.post(_url("register"), form)
    assert response.status_code == 302
    assert Deal.objects.filter(customer="Fresh Customer", partner=acme.own).exists()


def test_the_htmx_check_warns_as_the_customer_is_typed_without_naming_the_other_partner(acme, page_client):
    register(other_partner_admin(acme), "Typed Customer")
    client = page_client(acme.member("partner_user"))
    response = client.get(_url("check"), {"customer": "typed customer ltd"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "Registered before on" in body and acme.other.code not in body
    assert "conflict-warning" not in client.get(_url("check"), {"customer": "Nobody Else"}).content.decode()
    # odd input is no error: a long one is checked as far as it goes, a NUL is the site's 400 saying why
    assert client.get(_url("check"), {"customer": "a", "customer_tax_id": "x" * 5000}).status_code == 200
    assert client.get(_url("check"), {"customer": "a\x00b"}).status_code == 400
    vendor = page_client(acme.member("channel_manager")).get(
        _url("check"), {"customer": "Typed Customer", "partner": acme.own.pk}
    )
    assert acme.other.code in vendor.content.decode()


def test_bad_form_input_is_shown_on_the_form_and_registers_nothing(acme, page_client):
    client = page_client(acme.member("partner_admin"))
    count = Deal.objects.count()
    # a NUL is refused by the site's guard, as everywhere
    assert client.post(_url("register"), {"customer": "x\x00y", "value": "1"}).status_code == 400
    for form in (
        {"customer": "Ok", "value": "1e999999999", "expected_close": "2026-10-01"},
        {"customer": "Ok", "value": "1", "expected_close": "2026-02-31"},
        {"customer": "Ok", "value": "1", "expected_close": "2026-10-01", "customer_tax_id": "91310000MA1FL1234Y"},
    ):
        response = client.post(_url("register"), form)
        assert response.status_code == 200 and "has-error" in response.content.decode(), form
    assert Deal.objects.count() == count


def test_the_vendor_approves_and_rejects_from_the_deal_page(acme, page_client):
    deal = register(acme.member("partner_admin"), "Decide Customer").deal
    client = page_client(acme.member("channel_manager"))
    assert "Approve" in client.get(_url("detail", pk=deal.pk)).content.decode()
    assert client.post(_url("approve", pk=deal.pk), {"note": "ok"}).status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED
    response = client.post(_url("reject", pk=deal.pk), {"reason": ""})
    assert response.status_code == 200 and Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED
    assert client.post(_url("reject", pk=deal.pk), {"reason": "Partner left the account"}).status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.REJECTED


def test_approving_a_protected_customer_is_refused_on_the_page_too(acme, page_client):
    approved(acme, "Page Protected", tax_id=TAX_ID)
    late = register(other_partner_admin(acme), "Page Protected Again", tax_id=TAX_ID).deal
    client = page_client(acme.member("admin"))
    detail = client.get(_url("detail", pk=late.pk)).content.decode()
    assert "cannot be approved until" in detail
    response = client.post(_url("approve", pk=late.pk), {})
    assert response.status_code == 200 and "protects this customer" in response.content.decode()
    assert Deal.objects.get(pk=late.pk).status == DealStatus.SUBMITTED


def test_the_partner_marks_its_deal_won_or_lost(acme, page_client):
    client = page_client(acme.member("partner_admin"))
    won, lost = approved(acme, "Page Won"), approved(acme, "Page Lost")
    assert client.post(_url("won", pk=won.pk), {"amount": "88000"}).status_code == 302
    assert client.post(_url("lost", pk=lost.pk), {"lost-reason": "Price"}).status_code == 302
    assert Deal.objects.get(pk=won.pk).status == DealStatus.WON
    assert Deal.objects.get(pk=lost.pk).lost_reason == "Price"


def test_the_administrator_sets_the_protection_days(acme, page_client):
    client = page_client(acme.member("admin"))
    assert client.post(_url("settings"), {"protection_days": "0"}).status_code == 200
    assert client.post(_url("settings"), {"protection_days": "99999999999999999999"}).status_code == 200
    assert settings_of(acme.tenant).protection_days == 90
    assert client.post(_url("settings"), {"protection_days": "60"}).status_code == 302
    assert settings_of(acme.tenant).protection_days == 60
    assert page_client(acme.member("channel_manager")).get(_url("settings")).status_code == 403
