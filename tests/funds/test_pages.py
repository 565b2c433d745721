"""The funds pages: the fund with its figures, requests and claims, the decisions, the partner's portal."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from funds.models import Fund, FundClaim, FundRequest

from .helpers import approved_claim, approved_request, claim, fund, proof, request, state


def page(name: str, **kwargs) -> str:
    return reverse(f"funds:{name}", kwargs={"tenant_slug": "acme", **kwargs})


def test_the_fund_page_shows_budget_approved_claimed_and_paid(acme, page_client):
    the_fund = fund(budget="10000.00")
    approved_claim(acme, approved_request(acme, the_fund, amount="4000.00"), amount="1500.00")

    body = page_client(acme.member("viewer"), "en").get(page("fund", pk=the_fund.pk)).content.decode()

    for text in ("Budget", "¥10,000.00", "¥4,000.00", "¥6,000.00 left", "¥1,500.00", "Paid", "Trade show"):
        assert text in body, text


def test_a_partner_sees_its_funds_available_but_never_the_budget_nor_other_partners(acme, page_client):
    the_fund = fund(budget="98765.00")
    request(acme, the_fund, amount="4321.00", partner=acme.other)
    request(acme, the_fund, amount="1234.00")

    client = page_client(acme.member("partner_user"), "en")
    listing = client.get(page("funds")).content.decode()
    detail = client.get(page("fund", pk=the_fund.pk)).content.decode()

    assert "Fund MDF-Q1" in listing and "98,765.00" not in listing
    assert "¥1,234.00" in detail
    for secret in ("98,765.00", "4,321.00", "Acme Other Partner"):
        assert secret not in detail


def test_a_vendor_creates_a_fund_from_the_form_and_bad_input_is_shown_on_it(acme, page_client):
    client = page_client(acme.member("channel_manager"), "en")
    bad = client.post(page("fund-create"), {"code": "Q1", "name": "Q1", "period": "2026-13", "budget": "abc"})
    good = client.post(page("fund-create"), {"code": "Q1", "name": "Q1 fund", "period": "2026-Q1", "budget": "5000",
                                             "tiers": ["core", "strategic"], "is_open": "on"})  # fmt: skip

    assert bad.status_code == 200 and not Fund.objects.filter(name="Q1").exists()
    assert good.status_code == 302
    assert Fund.objects.get(code="Q1").tiers == ["core", "strategic"]


def test_a_partner_admin_requests_and_claims_from_the_pages(acme, page_client):
    the_fund = fund()
    client = page_client(acme.member("partner_admin"), "en")
    sent = client.post(page("request-create", pk=the_fund.pk), {"activity": "Seminar", "planned_on": "2026-03-01",
                                                                 "amount": "2000", "plan": "50 customers"})  # fmt: skip
    assert sent.status_code == 302, sent.content
    made = FundRequest.objects.get(activity="Seminar")
    from funds import services

    services.fund_request_approve(request=made, actor=acme.member("admin").user)
    claimed = client.post(page("claim-create", pk=made.pk), {"amount": "1800", "description": "done",
                                                             "files": [proof("a.pdf"), proof("b.pdf")]})  # fmt: skip

    assert claimed.status_code == 302, claimed.content
    assert FundClaim.objects.get(request=made).files.count() == 2


def test_a_claim_form_over_the_approved_amount_says_why_and_writes_nothing(acme, page_client):
    approved = approved_request(acme, fund(), amount="500.00")
    before = state()

    answer = page_client(acme.member("partner_admin"), "en").post(
        page("claim-create", pk=approved.pk), {"amount": "600", "files": [proof()]}
    )

    assert answer.status_code == 200
    assert "¥500.00" in answer.content.decode()
    assert state() == before


def test_finance_approves_a_claim_from_its_page(acme, page_client):
    made = claim(acme, approved_request(acme, fund()), amount="900.00")
    client = page_client(acme.member("finance"), "en")

    shown = client.get(page("claim", pk=made.pk)).content.decode()
    decided = client.post(page("claim-approve", pk=made.pk), {"amount": "", "reason": ""})

    assert "Approve" in shown and "invoice.pdf" in shown
    assert decided.status_code == 302
    assert FundClaim.objects.get(pk=made.pk).approved_amount == Decimal("900.00")


def test_a_refused_decision_comes_back_as_a_message(acme, page_client):
    pending = request(acme, fund(budget="100.00"), amount="500.00")
    client = page_client(acme.member("admin"), "en")

    answer = client.post(page("request-approve", pk=pending.pk), {}, follow=True)

    assert "would overspend it" in answer.content.decode()
    assert FundRequest.objects.get(pk=pending.pk).status == "submitted"


def test_the_lists_filter_and_page(acme, page_client):
    the_fund = fund()
    approved_request(acme, the_fund, amount="100")
    request(acme, the_fund, amount="200", partner=acme.other)
    client = page_client(acme.member("admin"), "en")

    requests = client.get(page("requests") + "?status=submitted").content.decode()
    claims = client.get(page("claims") + "?payment=due&status=nope").status_code
    funds = client.get(page("funds") + "?q=mdf&period=2026-q1").content.decode()

    assert "¥200.00" in requests and "¥100.00" not in requests
    assert claims == 200
    assert "Fund MDF-Q1" in funds


def test_the_statement_page_shows_the_paid_claim_with_its_fund_and_explanation(world, client):
    from settlements.models import Statement
    from tenancy.context import tenant_scope
    from tests.settlements.helpers import compute

    globex = world["globex"]  # an English tenant
    with tenant_scope(globex.tenant):
        made = approved_claim(globex, approved_request(globex, fund("SPRING")), amount="750.00")
        from django.utils import translation

        with translation.override("en"):
            compute(f"{made.decided_on:%Y-%m}")
        statement = Statement.objects.get(partner=globex.own)
    client.force_login(globex.member("partner_user").user)
    client.cookies["django_language"] = "en"

    body = client.get(reverse("settlements:statement", kwargs={"tenant_slug": "globex", "pk": statement.pk})).content

    text = body.decode()
    assert "Fund SPRING (SPRING#" in text
    assert "Market development funds: claim #" in text and "750.00" in text
