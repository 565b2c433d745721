"""Real Chromium for the browser tests (Playwright): its flags, a small tenant of their own, logging in."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page

from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from tenancy import services as tenancy_services
from tenancy.context import tenant_scope
from tenancy.models import Membership
from tenancy.roles import Role

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
