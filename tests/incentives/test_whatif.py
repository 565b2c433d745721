"""What-if: a program's terms over a past period against what a settlement run actually paid; nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incentives import services
from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from settlements.models import SettlementRun
from settlements.services.runs import settlement_run_start
from tests.facts.helpers import load
from tests.test_authorization_matrix import snapshot

from .helpers import SPEC_BRACKETS, make_program

D = Decimal
TODAY = datetime.date(2026, 5, 20)


@pytest.fixture
def settled_q1(acme, django_capture_on_commit_callbacks):
    """Q1: ACME-OWN sells 600,000, ACME-OTHER 50,000; program Q-REBATE (the spec's brackets, retroactive) is settled."""
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "400000"},
        {"partner": "ACME-OWN", "date": "2026-03-31", "customer": "乙", "amount": "200000"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
        {"partner": "ACME-OTHER", "date": "2026-04-01", "customer": "丙", "amount": "999999"},  # Q2
    )
    program = make_program(acme.member("admin").user)
    with django_capture_on_commit_callbacks(execute=True):
        run = settlement_run_start(period="2026-Q1", actor=acme.member("finance").user)
    run.refresh_from_db()
    assert run.status == SettlementRun.Status.SUCCEEDED, run.error
    return program


def by_code(result) -> dict:
    return {
        row.partner_code: (row.basis, row.rate_percent, row.would_pay, row.was_paid, row.difference)
        for row in result.rows
    }


def test_the_saved_version_would_pay_exactly_what_the_run_paid(settled_q1):
    result = services.program_what_if(period="2026-Q1", today=TODAY, version=settled_q1.versions.get())

    assert by_code(result) == {
        "ACME-OWN": (D("600000.00"), D("3"), D("18000.00"), D("18000.00"), D("0.00")),
        "ACME-OTHER": (D("50000.00"), D("1"), D("500.00"), D("500.00"), D("0.00")),
    }
    assert (result.would_pay, result.was_paid, result.difference) == (D("18500.00"), D("18500.00"), D("0.00"))


def test_unsaved_terms_from_a_form_show_per_partner_and_in_total_what_would_change(settled_q1):
    rules = {"basis": "sales", "method": "incremental", "period_kind": "quarter", "brackets": SPEC_BRACKETS}

    result = services.program_what_if(period="2026-q1", today=TODAY, code="Q-REBATE", rules=rules)

    assert result.terms.version is None
    assert by_code(result)["ACME-OWN"] == (D("600000.00"), D("3"), D("12000.00"), D("18000.00"), D("-6000.00"))
    assert by_code(result)["ACME-OTHER"][2:] == (D("500.00"), D("500.00"), D("0.00"))
    assert (result.would_pay, result.was_paid, result.difference) == (D("12500.00"), D("18500.00"), D("-6000.00"))
    assert [row.partner_code for row in result.rows] == ["ACME-OWN", "ACME-OTHER"]  # largest difference first


def test_a_saved_programs_code_fills_in_the_rules_not_given(settled_q1):
    result = services.program_what_if(
        period="2026-Q1", today=TODAY, code="Q-REBATE", rules={"brackets": [{"threshold": 0, "rate_percent": 5}]}
    )
    assert by_code(result)["ACME-OWN"][2:] == (D("30000.00"), D("18000.00"), D("12000.00"))


def test_a_new_code_has_paid_nothing_and_the_tiers_decide_who_is_in(settled_q1):
    rules = {"basis": "sales", "method": "retroactive", "period_kind": "quarter", "brackets": SPEC_BRACKETS,
             "tiers": ["core"]}  # fmt: skip
    assert services.program_what_if(period="2026-Q1", today=TODAY, code="NEW", rules=rules).rows == []
    rules["tiers"] = []
    result = services.program_what_if(period="2026-Q1", today=TODAY, code="NEW", rules=rules)
    assert by_code(result)["ACME-OWN"][2:] == (D("18000.00"), D("0.00"), D("18000.00"))


def test_a_partner_paid_under_the_code_but_no_longer_eligible_still_shows_what_it_was_paid(settled_q1, acme):
    partner_services.partner_change_status(
        partner=acme.other,
        status=PartnerStatus.SUSPENDED,
        effective_on=datetime.date(2026, 3, 1),
        reason="逾期",  # suspending a partner always says why
        actor=None,
    )
    result = services.program_what_if(period="2026-Q1", today=TODAY, version=settled_q1.versions.get())
    assert by_code(result)["ACME-OTHER"] == (D("0.00"), D("0.00"), D("0.00"), D("500.00"), D("-500.00"))


def test_the_rows_can_be_narrowed_to_the_partners_a_member_sees(settled_q1, acme):
    result = services.program_what_if(
        period="2026-Q1", today=TODAY, version=settled_q1.versions.get(), partner_ids={acme.own.pk}
    )
    assert list(by_code(result)) == ["ACME-OWN"] and result.was_paid == D("18000.00")


def test_the_period_defaults_to_the_last_complete_one_and_must_be_of_the_programs_kind(settled_q1):
    version = settled_q1.versions.get()
    assert str(services.program_what_if(period=None, today=TODAY, version=version).period) == "2026-Q1"
    for period, words in (("2026-03", "choose a quarter"), ("2026-13", "no month 13"), ("Q1", "not a period")):
        with pytest.raises(ValidationError) as refused:
            services.program_what_if(period=period, today=TODAY, version=version)
        assert words in refused.value.message_dict["period"][0]


def test_unsaved_rules_are_checked_like_a_programs(acme):
    with pytest.raises(ValidationError) as refused:
        services.program_what_if(period="2026-Q1", today=TODAY, rules={"basis": "sales", "brackets": []})
    assert {"method", "period_kind", "brackets"} <= set(refused.value.message_dict)


def test_a_what_if_writes_nothing(settled_q1):
    before = snapshot()
    services.program_what_if(period="2026-Q1", today=TODAY, version=settled_q1.versions.get())
    services.program_what_if(period="2026-Q1", today=TODAY, code="Q-REBATE", rules={"method": "incremental"})
    assert snapshot() == before


def _add_partners(count: int, prefix: str) -> None:
    ordinary = Tier.objects.get(code="ordinary")
    codes = [f"{prefix}-{number:03d}" for number in range(count)]
    for code in codes:
        partner_services.partner_create(
            actor=None, code=code, name=code, kind=PartnerKind.AGENT, tier=ordinary, status=PartnerStatus.ACTIVE
        )
    load("sales", *[{"partner": code, "date": "2026-02-02", "customer": "C", "amount": "1000"} for code in codes])


def test_a_what_if_takes_the_same_number_of_queries_for_10_and_100_partners(settled_q1):
    counts = []
    for size, prefix in ((10, "S"), (90, "L")):
        _add_partners(size, prefix)
        with CaptureQueriesContext(connection) as queries:
            result = services.program_what_if(period="2026-Q1", today=TODAY, code="Q-REBATE", rules={})
        counts.append(len(queries))
    assert len(result.rows) == 2 + 100
    assert counts[0] == counts[1], counts
