"""The pages in real Chromium: a vendor's channel manager, then a partner's user."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from tenancy import services as tenancy_services
from tenancy.context import tenant_scope
from tenancy.models import Membership
from tenancy.roles import Role

PASSWORD = "Browser-test-pass-1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def build_lumen() -> dict:
    """A small tenant of its own (the shared world may be gone: transactional tests empty the tables)."""
    tenant = tenancy_services.tenant_create(
        slug="lumen", name="Lumen", admin_email="admin@lumen.test", admin_password=PASSWORD
    )
    with tenant_scope(tenant):
        admin = Membership.objects.get(role=Role.ADMIN)
        ordinary = Tier.objects.get(code="ordinary")
        sunrise = partner_services.partner_create(
            actor=admin.user, code="SUN-01", name="朝阳分销", kind=PartnerKind.DISTRIBUTOR, tier=ordinary,
            status=PartnerStatus.ACTIVE, internal_notes="watch their credit",
        )  # fmt: skip
        moonlight = partner_services.partner_create(
            actor=admin.user, code="MOON-02", name="月光代理", kind=PartnerKind.AGENT, tier=ordinary
        )
        for email, role, partner in [
            ("manager@lumen.test", Role.CHANNEL_MANAGER, None),
            ("user@sunrise.test", Role.PARTNER_USER, sunrise),
        ]:
            tenancy_services.member_add(actor=admin, email=email, password=PASSWORD, role=role, partner=partner)
    return {"sunrise": sunrise, "moonlight": moonlight}


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(re.compile(r"/t/lumen/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_browses_partners_in_two_languages_and_a_partner_sees_only_itself(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs in this thread
    partners = build_lumen()
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")

        # given a channel manager, in Chinese (the default language)
        log_in(page, base, "manager@lumen.test")
        page.locator("nav.sidenav a", has_text="渠道伙伴").click()
        expect(page.locator("h1")).to_have_text("渠道伙伴")
        expect(page.locator("#partner-results")).to_contain_text("月光代理")

        # when the language is switched to English
        page.locator(".topbar .lang-switch button", has_text="English").click()
        expect(page.locator("h1")).to_have_text("Partners")
        expect(page.locator("#partner-results")).to_contain_text("Distributor")

        # then a partner opens with its vendor-only notes
        page.get_by_role("link", name="朝阳分销").click()
        expect(page.locator("h1")).to_have_text("朝阳分销")
        expect(page.locator("#internal-notes")).to_have_text("watch their credit")

        page.locator(".topbar button", has_text="Log out").click()
        page.wait_for_url(re.compile(r"/login/"))

        # given a user of the partner 朝阳分销
        log_in(page, base, "user@sunrise.test")
        expect(page.locator("main")).to_contain_text("朝阳分销")
        expect(page.locator("main")).not_to_contain_text("月光代理")

        # its partner list holds itself only, and the other partner's page is not found
        page.goto(f"{base}/t/lumen/partners/")
        expect(page.locator("#partner-results")).to_contain_text("朝阳分销")
        expect(page.locator("body")).not_to_contain_text("月光代理")
        response = page.goto(f"{base}/t/lumen/partners/{partners['moonlight'].pk}/")
        assert response.status == 404
        expect(page.locator("body")).not_to_contain_text("月光代理")

        page.goto(f"{base}/t/lumen/partners/{partners['sunrise'].pk}/")
        expect(page.locator("body")).not_to_contain_text("watch their credit")
        browser.close()
