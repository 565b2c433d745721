"""The CSP in real Chromium: charts, htmx and the API docs work, and the browser reports no violation."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from common.dates import tenant_today
from scoring import jobs
from tenancy.models import Tenant
from tests.browser import CHROMIUM, CHROMIUM_ARGS, build_lumen, log_in

# Every securitypolicyviolation event, wherever it fires, goes back to the test (see report_violation).
LISTEN_FOR_VIOLATIONS = """
window.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  window.reportCspViolation(`${event.violatedDirective} blocked ${blocked} on ${event.documentURI}`);
}, true);
"""

# Redoc 2 shows the Redocly logo from this address, with no setting to turn it off; our CSP blocks it
# (the docs load nothing from the internet) and Redoc hides the image when it fails to load.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# A canvas's size, whether Chart.js owns it, and how many of its pixels are not transparent.
CANVAS_STATE = """
(canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] > 0) painted += 1;
  const chart = Boolean(window.Chart && Chart.getChart(canvas));
  return { width: canvas.width, height: canvas.height, painted, chart };
}
"""


def assert_drawn(page: Page, selector: str) -> None:
    canvas = page.locator(selector)
    expect(canvas).to_be_visible()
    # Chart.js paints on animation frames: wait for its chart, then two frames, then read the pixels once
    has_chart = "(canvas) => Boolean(window.Chart && Chart.getChart(canvas))"
    page.wait_for_function(has_chart, arg=canvas.element_handle(), timeout=10_000)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    state = canvas.evaluate(CANVAS_STATE)
    assert state["chart"], f"no chart on {selector}"
    assert state["width"] > 0 and state["height"] > 0, state
    assert state["painted"] > 0, f"{selector} is blank: {state}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_htmx_and_the_api_docs_run_under_the_csp_without_a_violation_or_a_console_error(
    live_server, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs in this thread
    partners = build_lumen()
    lumen = Tenant.objects.get(slug="lumen")
    for days_ago in range(5, 0, -1):  # five nights of scores: the trend has a line to draw
        jobs.nightly_run(tenant=lumen, day=tenant_today(lumen) - datetime.timedelta(days=days_ago))
    base = live_server.url
    problems: list[str] = []
    foreign_requests: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-US")
        page.expose_function("reportCspViolation", lambda text: problems.append(f"CSP violation: {text}"))
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", lambda message: message.type in ("error", "warning") and problems.append(
            f"console {message.type}: {message.text} ({message.location.get('url')})"
        ))  # fmt: skip
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        page.on("request", lambda request: None if request.url.startswith((base, "data:", "blob:")) else (
            foreign_requests.append(request.url)
        ))  # fmt: skip

        # the dashboard draws its tier chart
        log_in(page, base, "manager@lumen.test")
        assert_drawn(page, "#tier-chart")

        # a partner's score page draws its trend
        page.goto(f"{base}/t/lumen/partners/{partners['sunrise'].pk}/score/")
        expect(page.get_by_test_id("score")).to_be_visible()
        assert_drawn(page, "#score-trend")

        # the partner filters swap the results in place through htmx, and push the URL
        page.goto(f"{base}/t/lumen/partners/")
        expect(page.locator("#partner-results")).to_contain_text("朝阳分销")
        page.evaluate("window.stillTheSamePage = true")
        page.locator("select#id_kind").select_option("agent")
        expect(page).to_have_url(re.compile(r"kind=agent"))
        expect(page.locator("#partner-results")).not_to_contain_text("朝阳分销")
        expect(page.locator("#partner-results")).to_contain_text("月光代理")
        assert page.evaluate("window.stillTheSamePage") is True, "the filter reloaded the page instead of swapping"

        # Swagger UI lists the operations, from our static files
        page.goto(f"{base}/api/v1/docs/")
        # (the schema has some 300 operations, which Swagger UI draws a few at a time: the first ones
        # show that it runs; give it time on a busy machine)
        expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
        token_paths = page.locator(".opblock-summary-path", has_text="/api/v1/auth/token/")
        expect(token_paths.first).to_be_visible(timeout=30_000)

        # Redoc renders the same schema under its own, looser policy (see REDOCLY_LOGO)
        page.goto(f"{base}/api/v1/redoc/")
        expect(page.locator("h1", has_text="Qudao API")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("/api/v1/t/{tenant_slug}/partners/").first).to_be_attached(timeout=60_000)
        page.wait_for_load_state("networkidle")  # every request settled, every report delivered

        browser.close()

    unexpected = [problem for problem in problems if REDOCLY_LOGO not in problem]
    assert unexpected == [], "\n".join(unexpected)
    # nothing asked the internet for anything but that logo, and the CSP refused it
    assert set(foreign_requests) <= {REDOCLY_LOGO}, "\n".join(foreign_requests)
    if foreign_requests:
        assert any(REDOCLY_LOGO in problem and "Content Security Policy" in problem for problem in problems), problems
