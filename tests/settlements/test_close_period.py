"""``close_period --tenant SLUG --period P``: a settlement run, synchronously, with its outcome printed."""

import io

import pytest
from django.core.management import CommandError, call_command

from settlements.models import SettlementRun, Statement
from settlements.services.statements import statement_approve
from tests.facts.helpers import load

from .helpers import program


def close(*args) -> str:
    out = io.StringIO()
    call_command("close_period", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def quarter(acme):
    program("RETRO")
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"},
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
    )
    return acme


def test_close_period_computes_the_statements_now_and_says_what_it_wrote(quarter):
    output = close("--tenant", "acme", "--period", "2026-q1", "--by", "FINANCE@acme.test")

    run = SettlementRun.objects.get()
    assert run.status == "succeeded" and run.started_by == quarter.member("finance").user
    assert Statement.objects.filter(period="2026-Q1").count() == 2
    assert output.strip() == (
        f"acme 2026-Q1: run #{run.pk} wrote 2 statements with 2 computed lines, total ¥18,500.00; "
        "0 approved or paid statements left as they are."
    )


def test_closing_again_recomputes_the_drafts_and_leaves_an_approved_statement_as_it_is(quarter):
    close("--tenant", "acme", "--period", "2026-Q1")
    statement_approve(statement=Statement.objects.get(partner=quarter.own), actor=quarter.member("finance").user)
    load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "戊", "amount": "100000"})

    output = close("--tenant", "acme", "--period", "2026-Q1")

    assert "wrote 1 statements" in output and "1 approved or paid statements left as they are" in output
    assert Statement.objects.get(partner=quarter.own).total == 18000


def test_a_run_already_under_way_is_an_error_and_nothing_is_computed(quarter):
    SettlementRun.objects.create(period="2026-Q1", starts_on="2026-01-01", ends_on="2026-03-31")  # pending
    with pytest.raises(CommandError, match="already under way"):
        close("--tenant", "acme", "--period", "2026-Q1")
    assert SettlementRun.objects.count() == 1 and not Statement.objects.exists()


def test_a_failed_run_exits_non_zero_with_its_reason_and_writes_nothing(quarter, monkeypatch):
    def broken(period):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("settlements.services.runs.period_lines", broken)
    with pytest.raises(CommandError, match="the engine broke"):
        close("--tenant", "acme", "--period", "2026-Q1")
    assert SettlementRun.objects.get().status == "failed"
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tenant", "nobody", "--period", "2026-Q1"), "No tenant"),
        (("--tenant", "acme", "--period", "2026-13"), "no month 13"),
        (("--tenant", "acme", "--period", "2026-Q1", "--by", "stranger@elsewhere.test"), "not a member"),
    ],
)
def test_bad_arguments_are_errors_and_nothing_runs(quarter, args, message):
    with pytest.raises(CommandError, match=message):
        close(*args)
    assert not SettlementRun.objects.exists()
