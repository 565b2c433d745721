"""The pages in real Chromium: a vendor's channel manager, then a partner's user."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, build_lumen, log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_browses_partners_in_two_languages_and_a_partner_sees_only_itself(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs in this thread
    partners = build_lumen()
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")

        # given a channel manager, in Chinese (the default language)
        log_in(page, base, "manager@lumen.test")
        page.locator("nav.sidenav a").get_by_text("渠道伙伴", exact=True).click()
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
