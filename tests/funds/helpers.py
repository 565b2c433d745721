"""Funds, requests and claims made through their services, and what to compare to show nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from funds import services
from funds.models import Fund, FundClaim, FundEvent, FundRequest

PLANNED = datetime.date(2026, 2, 10)


def proof(name: str = "invoice.pdf", content: bytes = b"%PDF-1.4\n%proof\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fund(code: str = "MDF-Q1", *, budget: str = "10000.00", period: str = "2026-Q1", tiers=(), actor=None) -> Fund:
    return services.fund_create(actor=actor, code=code, name=f"Fund {code}", period=period, budget=Decimal(budget),
                                tiers=tiers)  # fmt: skip


def request(world, the_fund: Fund, *, amount: str = "4000.00", partner=None, planned_on=PLANNED) -> FundRequest:
    partner = partner or world.own
    return services.fund_request_submit(
        fund=the_fund, partner=partner, actor=world.member("partner_admin").user, activity="Trade show",
        planned_on=planned_on, amount=Decimal(amount), plan="A booth at the regional fair.",
    )  # fmt: skip


def approved_request(world, the_fund: Fund, *, amount: str = "4000.00", partner=None) -> FundRequest:
    made = request(world, the_fund, amount=amount, partner=partner)
    return services.fund_request_approve(request=made, actor=world.member("channel_manager").user)


def claim(world, approved: FundRequest, *, amount: str = "3000.00") -> FundClaim:
    return services.fund_claim_submit(
        request=approved, actor=world.member("partner_admin").user, amount=Decimal(amount), files=[proof()],
        description="Booth, brochures and a dinner.",
    )  # fmt: skip


def approved_claim(world, approved: FundRequest, *, amount: str = "3000.00", on: datetime.date | None = None):
    made = claim(world, approved, amount=amount)
    decided = services.fund_claim_approve(claim=made, actor=world.member("finance").user)
    if on is not None:  # approved on another day (the tests' settlement periods are in the past)
        FundClaim.objects.filter(pk=decided.pk).update(decided_on=on)
        decided.refresh_from_db()
    return decided


def state() -> tuple:
    """Every fund row, to show that a refused move changed nothing."""
    return (
        list(Fund.objects.order_by("pk").values()),
        list(FundRequest.objects.order_by("pk").values()),
        list(FundClaim.objects.order_by("pk").values()),
        FundEvent.objects.count(),
    )
