"""Editing programs and agreements: every rule checked field by field, and versions once a version has paid out."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.periods import Period
from incentives import services
from incentives.engine import period_lines
from incentives.models import ProfitShareAgreement, ProfitShareVersion, RebateProgram, RebateProgramVersion
from settlements.models import StatementLine
from settlements.services.runs import write_statements
from tests.facts.helpers import load

from .helpers import SPEC_BRACKETS, agreement_body, make_agreement, make_program

D = Decimal
Q1 = Period.parse("2026-Q1")


def rows_of(*models) -> list:
    return [sorted(model.objects.values_list()) for model in models]


def settle_q1(actor) -> None:
    """ACME-OWN sells 600,000 (cost 300,000) and writes off 1,000 in Q1; the period's statements are written."""
    load("sales", {"partner": "ACME-OWN", "date": "2026-02-01", "customer": "甲", "amount": "600000", "cost": "300000"})
    load("writeoffs", {"partner": "ACME-OWN", "date": "2026-02-10", "amount": "1000", "reason": "坏账"})
    write_statements(period=Q1, lines=period_lines(Q1), run=None, actor=actor)


# --- checks, field by field ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"code": ""}, "code", "Give a code"),
        ({"code": "Q REBATE!"}, "code", "letters, digits"),
        ({"name": "  "}, "name", "Give a name"),
        ({"basis": "profit"}, "basis", "not one of the choices"),
        ({"method": ""}, "method", "Choose one of"),
        ({"period_kind": "week"}, "period_kind", "not one of the choices"),
        ({"brackets": []}, "brackets", "at least one bracket"),
        ({"brackets": [{"threshold": "100", "rate_percent": "1"}]}, "brackets", "first bracket must start at 0"),
        (
            {"brackets": [{"threshold": "0", "rate_percent": "1"}, {"threshold": "0", "rate_percent": "2"}]},
            "brackets",
            "above the one before",
        ),
        ({"brackets": [{"threshold": "0", "rate_percent": "101"}]}, "brackets", "Row 1: the rate must be between 0"),
        ({"brackets": [{"threshold": "0", "rate_percent": "-1"}]}, "brackets", "between 0 and 100"),
        ({"brackets": [{"threshold": "0", "rate_percent": "abc"}]}, "brackets", "is not a number"),
        (
            {"brackets": [{"threshold": "0", "rate_percent": "1"}, {"threshold": "1e20", "rate_percent": "2"}]},
            "brackets",
            "Row 2: the threshold must be at most ¥99,999,999,999,999.99",
        ),
        (
            {"brackets": [{"threshold": "0", "rate_percent": "1"}, {"threshold": "10.001", "rate_percent": "2"}]},
            "brackets",
            "two decimal places",
        ),
        ({"brackets": [{"threshold": "0"}]}, "brackets", "give the rate"),
        ({"tiers": ["platinum"]}, "tiers", "no tier with code “platinum”"),
        ({"categories": ["软件", "  "]}, "categories", "Category 2 is blank"),
        ({"basis": "collections", "categories": ["软件"]}, "categories", "only on a sales basis"),
        ({"cap": "-1"}, "cap", "0 or more"),
        ({"accelerator": {"metric": "profit", "min_attainment": "1", "multiplier": "1.2"}}, "accelerator", "metric"),
        ({"accelerator": {"metric": "sales", "min_attainment": "0", "multiplier": "1.2"}}, "accelerator", "above 0"),
        ({"accelerator": {"metric": "sales", "min_attainment": "1", "multiplier": "0.9"}}, "accelerator", "at least 1"),
        ({"starts_on": ""}, "starts_on", "Give a date"),
        ({"starts_on": "2026-02-30"}, "starts_on", "not a date"),
        ({"ends_on": "2024-12-31"}, "ends_on", "not be before the start"),
    ],
)
def test_a_bad_program_is_refused_field_by_field_and_nothing_is_written(acme, overrides, field, words):
    before = rows_of(RebateProgram, RebateProgramVersion)
    with pytest.raises(ValidationError) as refused:
        make_program(acme.member("admin").user, **overrides)
    messages = refused.value.message_dict
    assert field in messages, messages
    assert any(words in message for message in messages[field]), messages[field]
    assert rows_of(RebateProgram, RebateProgramVersion) == before


def test_every_problem_is_reported_at_once(acme):
    with pytest.raises(ValidationError) as refused:
        make_program(code="", basis="x", brackets=[], cap="abc")
    assert {"code", "basis", "brackets", "cap"} <= set(refused.value.message_dict)


def test_a_taken_code_is_refused_whatever_its_case(acme):
    make_program(code="Q-REBATE")
    with pytest.raises(ValidationError) as refused:
        make_program(code="q-rebate")
    assert "taken" in refused.value.message_dict["code"][0]
    assert RebateProgram.objects.count() == 1


def test_a_program_is_stored_in_canonical_form_with_who_made_it(acme):
    admin = acme.member("admin").user
    program = make_program(
        admin,
        tiers=["core", "ordinary", "core"],
        categories=[" 软件 ", "硬件", "软件"],
        cap="50000",
        accelerator={"metric": "sales", "min_attainment": "1.0", "multiplier": "1.20"},
        brackets=[{"threshold": 0, "rate_percent": "1.50"}, {"threshold": "100000", "rate_percent": 2}],
    )
    version = program.versions.get()
    assert version.number == 1 and version.created_by == admin and version.changed_by is None
    assert version.brackets == [
        {"threshold": "0.00", "rate_percent": "1.5"},
        {"threshold": "100000.00", "rate_percent": "2"},
    ]
    assert version.tiers == ["core", "ordinary"]
    assert version.categories == ["软件", "硬件"]
    assert version.cap == D("50000.00")
    assert version.accelerator == {"metric": "sales", "min_attainment": "1", "multiplier": "1.2"}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"rates": []}, "rates", "at least one tier"),
        ({"rates": [{"tier": "platinum", "rate_percent": "5"}]}, "rates", "no tier with code"),
        (
            {"rates": [{"tier": "core", "rate_percent": "5"}, {"tier": "core", "rate_percent": "6"}]},
            "rates",
            "Row 2: the tier “core” is given a rate twice",
        ),
        ({"rates": [{"tier": "core", "rate_percent": "100.5"}]}, "rates", "between 0 and 100"),
        ({"loss_share_percent": "-1"}, "loss_share_percent", "between 0 and 100"),
        ({"loss_share_percent": ""}, "loss_share_percent", "Give the loss share"),
        ({"period_kind": "decade"}, "period_kind", "not one of the choices"),
        ({"ends_on": "2024-01-01"}, "ends_on", "not be before the start"),
        ({"code": "PS CORE"}, "code", "letters, digits"),
    ],
)
def test_a_bad_agreement_is_refused_field_by_field_and_nothing_is_written(acme, overrides, field, words):
    before = rows_of(ProfitShareAgreement, ProfitShareVersion)
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(actor=None, **agreement_body(**overrides))
    messages = refused.value.message_dict
    assert field in messages, messages
    assert any(words in message for message in messages[field]), messages[field]
    assert rows_of(ProfitShareAgreement, ProfitShareVersion) == before


def test_an_unknown_field_cannot_be_changed(acme):
    program = make_program()
    with pytest.raises(ValidationError) as refused:
        services.program_update(actor=None, program=program, tenant="globex")
    assert "tenant" in refused.value.message_dict


# --- versions ------------------------------------------------------------------------------------


def test_editing_a_program_that_has_not_paid_out_changes_its_version_in_place(acme):
    admin, manager = acme.member("admin").user, acme.member("channel_manager").user
    program = make_program(admin)

    edited = services.program_update(actor=manager, program=program, method="incremental", cap="1000")

    version = RebateProgramVersion.objects.get(program=program)
    assert version.number == 1 and edited.latest == version
    assert (version.method, version.cap) == ("incremental", D("1000.00"))
    assert (version.created_by, version.changed_by) == (admin, manager)


def test_editing_a_program_after_a_payout_makes_a_new_version_and_keeps_the_old_one(acme):
    admin, manager = acme.member("admin").user, acme.member("channel_manager").user
    program = make_program(admin)
    settle_q1(acme.member("finance").user)
    assert StatementLine.objects.get(source_code="Q-REBATE").source_version == 1
    first = RebateProgramVersion.objects.values().get(program=program)

    edited = services.program_update(actor=manager, program=program, brackets=[{"threshold": 0, "rate_percent": 4}])

    assert list(program.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert RebateProgramVersion.objects.values().get(program=program, number=1) == first  # read-only from now on
    second = program.versions.get(number=2)
    assert edited.latest == second and second.created_by == manager
    assert second.brackets == [{"threshold": "0.00", "rate_percent": "4"}]
    assert (second.method, second.period_kind, second.starts_on) == ("retroactive", "quarter", first["starts_on"])
    # a second edit before the new version pays anything changes version 2 in place
    services.program_update(actor=admin, program=program, cap="10")
    assert program.versions.count() == 2 and program.versions.get(number=2).cap == D("10.00")


def test_a_draft_statement_line_counts_as_a_payout(acme):
    program = make_program()
    settle_q1(None)
    assert StatementLine.objects.get(source_code="Q-REBATE").statement.status == "draft"
    services.program_update(actor=None, program=program, method="incremental")
    assert program.versions.count() == 2


def test_the_same_rules_or_only_a_new_name_make_no_new_version_after_a_payout(acme):
    program = make_program()
    settle_q1(None)

    services.program_update(actor=None, program=program, brackets=SPEC_BRACKETS, name="新名字", basis="sales")

    assert program.versions.count() == 1
    program.refresh_from_db()
    assert program.name == "新名字"


def test_the_code_can_change_before_a_payout_but_not_after(acme):
    program = make_program()
    services.program_update(actor=None, program=program, code="Q-NEW")
    program.refresh_from_db()
    assert program.code == "Q-NEW"

    settle_q1(None)
    with pytest.raises(ValidationError) as refused:
        services.program_update(actor=None, program=program, code="Q-OTHER", name="ignored")
    assert "cannot change" in refused.value.message_dict["code"][0]
    program.refresh_from_db()
    assert (program.code, program.name) == ("Q-NEW", "季度返利")


def test_a_refused_edit_changes_nothing(acme):
    program = make_program()
    before = rows_of(RebateProgram, RebateProgramVersion)
    with pytest.raises(ValidationError):
        services.program_update(actor=None, program=program, name="X", brackets=[{"threshold": 5, "rate_percent": 1}])
    assert rows_of(RebateProgram, RebateProgramVersion) == before


def test_an_agreement_that_paid_out_gets_a_new_version_and_one_that_did_not_changes_in_place(acme):
    admin = acme.member("admin").user
    agreement = make_agreement(admin)
    services.agreement_update(actor=admin, agreement=agreement, loss_share_percent="6")
    assert agreement.versions.get().loss_share_percent == D("6")

    settle_q1(None)
    assert set(StatementLine.objects.filter(source_code="PS-CORE").values_list("kind", "source_version")) == {
        ("profit_share", 1),
        ("loss_share", 1),
    }
    services.agreement_update(actor=admin, agreement=agreement, rates=[{"tier": "ordinary", "rate_percent": "12"}])

    assert list(agreement.versions.order_by("number").values_list("number", "rates")) == [
        (1, [{"tier": "ordinary", "rate_percent": "10"}]),
        (2, [{"tier": "ordinary", "rate_percent": "12"}]),
    ]


def test_an_agreements_payout_under_the_same_code_is_not_the_programs(acme):
    program = make_program(code="SHARED", tiers=["core"])  # pays nobody: both partners are ordinary
    make_agreement(code="SHARED")
    settle_q1(None)
    assert set(StatementLine.objects.values_list("kind", flat=True)) == {"profit_share", "loss_share"}

    services.program_update(actor=None, program=program, method="incremental")

    assert program.versions.count() == 1
