"""Approved claims are paid once (SPEC §4.10): an ``mdf`` line in the first settlement run of a period containing
the claim's approval day, staying with that statement through recomputes and never on another."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import FundClaim
from settlements.models import Statement, StatementLine
from settlements.services.runs import settlement_run_execute, settlement_run_start
from settlements.services.statements import statement_approve
from tests.settlements.helpers import compute, program

from .helpers import approved_claim, approved_request, fund

FEB = datetime.date(2026, 2, 15)


def mdf_lines():
    return list(StatementLine.objects.filter(kind="mdf").values_list("statement__period", "statement__partner_id",
                                                                     "amount", "source_code"))  # fmt: skip


def test_an_approved_claim_is_paid_once_across_two_runs_and_two_periods(acme):
    # given a claim approved in February, for 2,500.00 of the 3,000.00 claimed
    the_fund = fund()
    made = approved_claim(acme, approved_request(acme, the_fund), amount="2500.00", on=FEB)

    # when February is run, run again, and then the quarter containing February is run twice
    compute("2026-02", actor=acme.member("finance").user)
    first_line = StatementLine.objects.get(kind="mdf")
    compute("2026-02", actor=acme.member("finance").user)
    compute("2026-Q1", actor=acme.member("finance").user)
    compute("2026-Q1", actor=acme.member("finance").user)

    # then it is one line, on February's statement, the same line as first written
    assert mdf_lines() == [("2026-02", acme.own.pk, Decimal("2500.00"), f"{the_fund.code}#{made.pk}")]
    assert StatementLine.objects.get(kind="mdf").pk == first_line.pk
    made.refresh_from_db()
    assert made.statement_line_id == first_line.pk
    assert Statement.objects.get(period="2026-02", partner=acme.own).total == Decimal("2500.00")
    assert not Statement.objects.filter(period="2026-Q1", partner=acme.own).exists()


def test_a_claim_stays_on_its_statement_when_the_programs_lines_are_recomputed(acme):
    program("RETRO")
    from tests.facts.helpers import load

    load("sales", {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"})
    approved_claim(acme, approved_request(acme, fund()), amount="1000.00", on=FEB)

    compute("2026-Q1")
    compute("2026-Q1")

    statement = Statement.objects.get(period="2026-Q1", partner=acme.own)
    kinds = sorted(statement.lines.values_list("kind", "amount"))
    assert kinds == [("mdf", Decimal("1000.00")), ("rebate", Decimal("18000.00"))]
    assert statement.total == Decimal("19000.00")


def test_a_claim_approved_outside_the_period_waits_for_a_period_that_contains_its_day(acme):
    approved_claim(acme, approved_request(acme, fund()), on=datetime.date(2026, 4, 2))

    compute("2026-Q1")
    assert mdf_lines() == []

    compute("2026-04")
    assert [line[0] for line in mdf_lines()] == ["2026-04"]


def test_a_claim_whose_statement_is_approved_already_goes_on_the_next_run_of_a_period_containing_its_day(acme):
    finance = acme.member("finance").user
    approved_claim(acme, approved_request(acme, fund(), amount="1000.00"), amount="400.00", on=FEB)
    compute("2026-02")
    statement_approve(statement=Statement.objects.get(period="2026-02", partner=acme.own), actor=finance)
    late = approved_claim(acme, approved_request(acme, fund("MDF-2")), amount="300.00", on=FEB)

    compute("2026-02")  # February's statement is approved: it never changes
    assert [line[0] for line in mdf_lines()] == ["2026-02"]
    compute("2026-Q1")

    assert sorted(line[0] for line in mdf_lines()) == ["2026-02", "2026-Q1"]
    late.refresh_from_db()
    assert late.statement_line.statement.period == "2026-Q1"


def test_a_settlement_run_pays_claims_in_a_fixed_number_of_queries(acme):
    def queries_for(count: int, period: str) -> int:
        request = approved_request(acme, fund(f"F-{period}", budget="100000"), amount="10000")
        for _number in range(count):
            approved_claim(acme, request, amount="100.00", on=FEB if period == "2026-02" else datetime.date(2026, 5, 5))
        with CaptureQueriesContext(connection) as captured:
            compute(period)
        return len(captured.captured_queries)

    assert queries_for(1, "2026-02") == queries_for(5, "2026-05")


def test_the_run_writes_the_line_with_its_explanation_in_the_tenants_language(world):
    from tenancy.context import tenant_scope

    globex = world["globex"]  # an English tenant
    with tenant_scope(globex.tenant):
        made = approved_claim(globex, approved_request(globex, fund(period="2026")), amount="800.00")
        run = settlement_run_start(period=f"{made.decided_on:%Y-%m}", actor=globex.member("finance").user, queue=False)
        settlement_run_execute(run=run)

        line = StatementLine.objects.get(kind="mdf")
        assert FundClaim.objects.filter(pk=made.pk, statement_line=line).exists()
    assert line.explanation.startswith("Market development funds: claim #")
    assert "Trade show" in line.explanation and "Fund MDF-Q1" in line.explanation
