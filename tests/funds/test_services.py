"""The funds workflow through its services: budget, claims up to what was approved, decisions recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funds import services
from funds.errors import DecisionRefused, OverBudget
from funds.models import FundEvent

from .helpers import approved_request, claim, fund, proof, request, state


def test_a_request_approved_in_full_holds_its_amount_of_the_budget(acme):
    the_fund = fund(budget="10000.00")

    approved = approved_request(acme, the_fund, amount="4000.00")

    assert (approved.status, approved.approved_amount) == ("approved", Decimal("4000.00"))
    assert approved.decided_by == acme.member("channel_manager").user and approved.decided_at is not None
    assert services.approved_total(the_fund) == Decimal("4000.00")
    actions = list(FundEvent.objects.filter(request=approved).values_list("action", "from_status", "to_status"))
    assert actions == [("requested", "", "submitted"), ("request_approved", "submitted", "approved")]


def test_approving_more_than_the_fund_has_left_is_refused_and_changes_nothing(acme):
    the_fund = fund(budget="5000.00")
    approved_request(acme, the_fund, amount="3000.00")
    second = request(acme, the_fund, amount="2500.00")
    before = state()

    with pytest.raises(OverBudget) as refused:
        services.fund_request_approve(request=second, actor=acme.member("admin").user)

    assert "2,000.00" in refused.value.message
    assert state() == before


def test_a_lower_approval_needs_a_reason_and_fits_what_is_left(acme):
    the_fund = fund(budget="5000.00")
    approved_request(acme, the_fund, amount="3000.00")
    second = request(acme, the_fund, amount="2500.00")

    with pytest.raises(ValidationError) as no_reason:
        services.fund_request_approve(request=second, actor=acme.member("admin").user, amount=Decimal("2000.00"))
    decided = services.fund_request_approve(
        request=second, actor=acme.member("admin").user, amount=Decimal("2000.00"), reason="预算所剩不多"
    )

    assert "reason" in no_reason.value.message_dict
    assert (decided.approved_amount, decided.decision_reason) == (Decimal("2000.00"), "预算所剩不多")
    assert services.approved_total(the_fund) == the_fund.budget


def test_a_rejection_needs_a_reason_and_a_decision_is_never_taken_back(acme):
    made = request(acme, fund())
    with pytest.raises(ValidationError):
        services.fund_request_reject(request=made, actor=acme.member("admin").user, reason="  ")
    rejected = services.fund_request_reject(request=made, actor=acme.member("admin").user, reason="活动不符合要求")

    with pytest.raises(DecisionRefused):
        services.fund_request_approve(request=rejected, actor=acme.member("admin").user)
    assert rejected.status == "rejected" and rejected.decision_reason == "活动不符合要求"


def test_only_partners_of_the_funds_tiers_ask_for_it_within_its_period(acme):
    core_only = fund("CORE", tiers=["core"])
    with pytest.raises(ValidationError) as wrong_tier:
        request(acme, core_only)
    with pytest.raises(ValidationError) as outside:
        request(acme, fund("ALL"), planned_on=datetime.date(2026, 4, 1))

    assert "fund" in wrong_tier.value.message_dict
    assert "planned_on" in outside.value.message_dict


def test_a_closed_fund_takes_no_requests(acme):
    the_fund = services.fund_update(fund=fund(), actor=None, is_open=False)
    with pytest.raises(ValidationError) as refused:
        request(acme, the_fund)
    assert "closed" in str(refused.value).lower() or "关闭" in str(refused.value)


def test_claims_never_add_up_to_more_than_was_approved(acme):
    approved = approved_request(acme, fund(), amount="4000.00")
    claim(acme, approved, amount="3000.00")
    before = state()

    with pytest.raises(ValidationError) as too_much:
        claim(acme, approved, amount="1000.01")

    assert "amount" in too_much.value.message_dict
    assert state() == before
    assert claim(acme, approved, amount="1000.00").amount == Decimal("1000.00")


def test_a_rejected_claim_frees_what_it_held(acme):
    approved = approved_request(acme, fund(), amount="4000.00")
    first = claim(acme, approved, amount="4000.00")
    services.fund_claim_reject(claim=first, actor=acme.member("finance").user, reason="发票不全")

    again = claim(acme, approved, amount="4000.00")

    assert again.status == "submitted"


def test_an_unapproved_request_cannot_be_claimed(acme):
    waiting = request(acme, fund())
    with pytest.raises(DecisionRefused):
        claim(acme, waiting)


def test_a_claim_needs_proof_files_of_the_contract_kinds(acme, settings):
    approved = approved_request(acme, fund())
    actor = acme.member("partner_admin").user
    before = state()

    with pytest.raises(ValidationError) as no_file:
        services.fund_claim_submit(request=approved, actor=actor, amount=Decimal("10"), files=[])
    with pytest.raises(ValidationError) as bad_kind:
        services.fund_claim_submit(request=approved, actor=actor, amount=Decimal("10"), files=[proof("run.exe")])
    settings.CONTRACT_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as too_big:
        services.fund_claim_submit(request=approved, actor=actor, amount=Decimal("10"), files=[proof()])

    assert all("files" in error.value.message_dict for error in (no_file, bad_kind, too_big))
    assert state() == before


def test_finance_approves_a_claim_lower_with_a_reason(acme):
    made = claim(acme, approved_request(acme, fund()), amount="3000.00")

    with pytest.raises(ValidationError):
        services.fund_claim_approve(claim=made, actor=acme.member("finance").user, amount=Decimal("2500.00"))
    decided = services.fund_claim_approve(
        claim=made, actor=acme.member("finance").user, amount=Decimal("2500.00"), reason="餐费不在报销范围"
    )

    assert (decided.status, decided.approved_amount) == ("approved", Decimal("2500.00"))
    assert decided.decided_on is not None and decided.decision_reason == "餐费不在报销范围"
    with pytest.raises(ValidationError):
        services.fund_claim_approve(claim=claim(acme, made.request, amount="100"), actor=None, amount=Decimal("101"))


def test_the_budget_never_goes_below_what_approved_requests_hold(acme):
    the_fund = fund(budget="5000.00")
    approved_request(acme, the_fund, amount="3000.00")

    with pytest.raises(ValidationError) as refused:
        services.fund_update(fund=the_fund, actor=None, budget=Decimal("2999.99"))

    assert "budget" in refused.value.message_dict
    assert services.fund_update(fund=the_fund, actor=None, budget=Decimal("3000.00")).budget == Decimal("3000.00")


def test_a_fund_names_only_tiers_of_the_tenant_and_a_valid_period(acme):
    with pytest.raises(ValidationError) as unknown:
        fund("X", tiers=["platinum"])
    with pytest.raises(ValidationError) as bad_period:
        fund("Y", period="2026-Q5")
    with pytest.raises(ValidationError) as duplicate:
        fund("Z")
        fund("Z")

    assert "tiers" in unknown.value.message_dict
    assert "period" in bad_period.value.message_dict
    assert "code" in duplicate.value.message_dict


def test_a_request_or_a_claim_of_nothing_is_refused_on_its_amount(acme):
    the_fund = fund()
    with pytest.raises(ValidationError) as nothing_asked:
        request(acme, the_fund, amount="0.00")
    approved = approved_request(acme, the_fund)
    with pytest.raises(ValidationError) as nothing_claimed:
        claim(acme, approved, amount="-1.00")

    assert "amount" in nothing_asked.value.message_dict and "amount" in nothing_claimed.value.message_dict
