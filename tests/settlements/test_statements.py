"""A statement's workflow (SPEC §4.6): every allowed move recorded, every other refused with a 409, nothing changed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction

from common.errors import Conflict, NotFound, PermissionDenied
from settlements.errors import SameMakerAndChecker, TransitionRefused
from settlements.models import Statement, StatementEvent, StatementLine
from settlements.services.statements import (
    statement_adjust,
    statement_approve,
    statement_dispute,
    statement_mark_paid,
    statement_resolve,
)
from tests.facts.helpers import load

from .helpers import compute

D = Decimal


def member(world, role):
    return world.member(role).user


def state_of(statement: Statement) -> tuple:
    """Everything a refused move must leave as it was: the statement's row, its lines and its events."""
    row = Statement.objects.filter(pk=statement.pk).values().get()
    lines = sorted(StatementLine.objects.filter(statement=statement).values_list("id", "kind", "amount", "updated_at"))
    events = StatementEvent.objects.filter(statement=statement).count()
    return row, lines, events


def bring_to(world, statement: Statement, status: str) -> Statement:
    """The statement in ``status``, through the real services."""
    finance = member(world, "finance")
    if status == "disputed":
        return statement_dispute(statement=statement, reason="少算了", actor=member(world, "partner_admin"))
    if status in ("approved", "paid"):
        statement = statement_approve(statement=statement, actor=finance)
    if status == "paid":
        statement = statement_mark_paid(statement=statement, payment_reference="TT-2026-001", actor=finance)
    return statement


# --- the allowed moves ---------------------------------------------------------------------------


def test_finance_approves_a_draft_and_the_approval_is_recorded_with_who_and_when(drafts):
    finance = member(drafts, "finance")

    approved = statement_approve(statement=drafts.statement, actor=finance)

    stored = Statement.objects.get(pk=drafts.statement.pk)
    assert stored.status == approved.status == "approved"
    assert stored.approved_by == finance and stored.approved_at is not None
    event = StatementEvent.objects.filter(statement=stored).latest("id")
    assert (event.action, event.from_status, event.to_status, event.actor) == ("approved", "draft", "approved", finance)


def test_a_partner_admin_disputes_its_draft_with_a_reason_about_one_line(drafts):
    line = StatementLine.objects.get(statement=drafts.statement, kind="rebate")
    partner_admin = member(drafts, "partner_admin")

    disputed = statement_dispute(statement=drafts.statement, reason="  三月的销售没算全  ", line_id=line.pk,
                                 actor=partner_admin)  # fmt: skip

    assert disputed.status == "disputed" and disputed.dispute_reason == "三月的销售没算全"
    event = StatementEvent.objects.filter(statement=disputed).latest("id")
    assert (event.action, event.actor, event.note) == ("disputed", partner_admin, "三月的销售没算全")
    assert event.details == {"line": line.pk, "kind": "rebate", "source_code": "RETRO", "source_version": 1,
                             "amount": "18000.00"}  # fmt: skip


def test_finance_resolves_a_dispute_back_to_draft_with_a_note(drafts):
    bring_to(drafts, drafts.statement, "disputed")

    resolved = statement_resolve(statement=drafts.statement, note="已核对，补一笔调整", actor=member(drafts, "finance"))

    assert resolved.status == "draft"
    event = StatementEvent.objects.filter(statement=resolved).latest("id")
    assert (event.action, event.from_status, event.to_status, event.note) == (
        "resolved", "disputed", "draft", "已核对，补一笔调整")  # fmt: skip


def test_finance_marks_an_approved_statement_paid_with_the_payment_reference(drafts):
    bring_to(drafts, drafts.statement, "approved")
    finance = member(drafts, "finance")

    paid = statement_mark_paid(statement=drafts.statement, payment_reference="TT-2026-001", actor=finance)

    stored = Statement.objects.get(pk=paid.pk)
    assert (stored.status, stored.payment_reference, stored.paid_by) == ("paid", "TT-2026-001", finance)
    assert stored.paid_at is not None and stored.total == D("18000.00") and stored.approved_by == finance


def test_the_whole_way_is_kept_in_the_history_in_order(drafts):
    finance, partner_admin = member(drafts, "finance"), member(drafts, "partner_admin")
    statement = statement_dispute(statement=drafts.statement, reason="不对", actor=partner_admin)
    statement = statement_resolve(statement=statement, note="对的", actor=finance)
    statement = statement_approve(statement=statement, actor=finance)
    statement_mark_paid(statement=statement, payment_reference="TT-1", actor=finance)

    history = list(StatementEvent.objects.filter(statement=statement).order_by("id").values_list("action", "to_status"))
    assert history == [("computed", "draft"), ("disputed", "disputed"), ("resolved", "draft"),
                       ("approved", "approved"), ("paid", "paid")]  # fmt: skip


# --- every other move is refused ----------------------------------------------------------------

REFUSED = [
    ("disputed", "approve"), ("approved", "approve"), ("paid", "approve"),
    ("disputed", "dispute"), ("approved", "dispute"), ("paid", "dispute"),
    ("draft", "resolve"), ("approved", "resolve"), ("paid", "resolve"),
    ("draft", "mark_paid"), ("disputed", "mark_paid"), ("paid", "mark_paid"),
    ("approved", "adjust"), ("paid", "adjust"),
]  # fmt: skip


def attempt(world, statement, move):
    finance = member(world, "finance")
    if move == "approve":
        return statement_approve(statement=statement, actor=finance)
    if move == "dispute":
        return statement_dispute(statement=statement, reason="再申诉", actor=member(world, "partner_admin"))
    if move == "resolve":
        return statement_resolve(statement=statement, note="答复", actor=finance)
    if move == "mark_paid":
        return statement_mark_paid(statement=statement, payment_reference="TT-9", actor=finance)
    return statement_adjust(statement=statement, amount=D("10.00"), reason="补", actor=finance)


@pytest.mark.parametrize(("status", "move"), REFUSED, ids=[f"{move}-from-{status}" for status, move in REFUSED])
def test_every_move_the_table_does_not_allow_is_a_409_that_changes_nothing(drafts, status, move):
    statement = bring_to(drafts, drafts.statement, status)
    before = state_of(statement)

    with pytest.raises(TransitionRefused) as refused:
        attempt(drafts, statement, move)

    assert refused.value.status_code == 409 and refused.value.message
    assert state_of(statement) == before


def test_the_refusal_says_what_to_do_instead(drafts):
    statement = bring_to(drafts, drafts.statement, "approved")
    with pytest.raises(Conflict) as refused:
        statement_adjust(statement=statement, amount=D("-100.00"), reason="多付", actor=member(drafts, "finance"))
    assert "later statement" in refused.value.message or "后续" in refused.value.message


def test_the_service_refuses_before_the_database_trigger_and_the_trigger_still_refuses_when_bypassed(drafts):
    statement = bring_to(drafts, drafts.statement, "paid")
    before = state_of(statement)

    with pytest.raises(TransitionRefused):  # the service: a 409, never a database error
        statement_adjust(statement=statement, amount=D("1.00"), reason="绕过", actor=member(drafts, "finance"))
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():  # the wall under it
        StatementLine.objects.create(statement=statement, kind="adjustment", amount=D("1.00"), reason="绕过")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(status="draft")

    assert state_of(statement) == before


# --- who may move it ----------------------------------------------------------------------------


def test_with_two_approvals_whoever_changed_the_statement_last_may_not_approve_it(drafts):
    drafts.tenant.two_approvals = True
    drafts.tenant.save(update_fields=["two_approvals"])
    finance, admin = member(drafts, "finance"), member(drafts, "admin")
    assert drafts.statement.last_changed_by == finance  # finance computed it
    before = state_of(drafts.statement)

    with pytest.raises(SameMakerAndChecker) as refused:
        statement_approve(statement=drafts.statement, actor=finance)
    assert refused.value.status_code == 403
    assert state_of(drafts.statement) == before

    approved = statement_approve(statement=drafts.statement, actor=admin)
    assert approved.status == "approved" and approved.approved_by == admin


def test_with_two_approvals_an_adjustment_makes_its_author_the_maker_the_other_way_round(drafts):
    drafts.tenant.two_approvals = True
    drafts.tenant.save(update_fields=["two_approvals"])
    finance, admin = member(drafts, "finance"), member(drafts, "admin")
    statement_adjust(statement=drafts.statement, amount=D("-200.00"), reason="退货冲减", actor=admin)

    with pytest.raises(SameMakerAndChecker):
        statement_approve(statement=drafts.statement, actor=admin)
    assert statement_approve(statement=drafts.statement, actor=finance).approved_by == finance


def test_with_one_approval_the_maker_may_approve(drafts):
    finance = member(drafts, "finance")
    assert not drafts.tenant.two_approvals
    assert statement_approve(statement=drafts.statement, actor=finance).status == "approved"


def test_another_partners_admin_cannot_see_the_statement_to_dispute_it(drafts):
    before = state_of(drafts.other_statement)
    with pytest.raises(NotFound):
        statement_dispute(statement=drafts.other_statement, reason="不是我的", actor=member(drafts, "partner_admin"))
    assert state_of(drafts.other_statement) == before


@pytest.mark.parametrize("role", ["partner_user", "viewer", "finance", "channel_manager"])
def test_only_a_partner_admin_may_dispute(drafts, role):
    before = state_of(drafts.statement)
    with pytest.raises(PermissionDenied):
        statement_dispute(statement=drafts.statement, reason="申诉", actor=member(drafts, role))
    assert state_of(drafts.statement) == before


@pytest.mark.parametrize("role", ["viewer", "risk", "channel_manager", "partner_admin"])
def test_only_finance_and_admins_approve_and_adjust(drafts, role):
    before = state_of(drafts.statement)
    with pytest.raises(PermissionDenied):
        statement_approve(statement=drafts.statement, actor=member(drafts, role))
    with pytest.raises(PermissionDenied):
        statement_adjust(statement=drafts.statement, amount=D("5.00"), reason="x", actor=member(drafts, role))
    assert state_of(drafts.statement) == before


def test_a_dispute_needs_a_reason_and_a_line_of_its_own_statement(drafts):
    partner_admin = member(drafts, "partner_admin")
    others = StatementLine.objects.get(statement=drafts.other_statement)
    before = state_of(drafts.statement)
    with pytest.raises(ValidationError) as missing:
        statement_dispute(statement=drafts.statement, reason="   ", actor=partner_admin)
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as foreign:
        statement_dispute(statement=drafts.statement, reason="这行", line_id=others.pk, actor=partner_admin)
    assert "line" in foreign.value.message_dict
    assert state_of(drafts.statement) == before


def test_marking_paid_needs_the_payment_reference(drafts):
    statement = bring_to(drafts, drafts.statement, "approved")
    before = state_of(statement)
    with pytest.raises(ValidationError) as missing:
        statement_mark_paid(statement=statement, payment_reference="", actor=member(drafts, "finance"))
    assert "payment_reference" in missing.value.message_dict
    assert state_of(statement) == before


# --- adjustments --------------------------------------------------------------------------------


def test_an_adjustment_is_a_line_that_changes_the_total_and_names_its_maker(drafts):
    admin = member(drafts, "admin")

    line = statement_adjust(statement=drafts.statement, amount=D("-1250.50"), reason="二月退货", actor=admin)

    stored = Statement.objects.get(pk=drafts.statement.pk)
    assert (line.kind, line.amount, line.reason, line.created_by) == ("adjustment", D("-1250.50"), "二月退货", admin)
    assert stored.total == D("16749.50") and stored.last_changed_by == admin
    event = StatementEvent.objects.filter(statement=stored).latest("id")
    assert (event.action, event.note, event.actor) == ("adjusted", "二月退货", admin)


def test_a_disputed_statement_can_be_adjusted_too(drafts):
    bring_to(drafts, drafts.statement, "disputed")
    statement_adjust(statement=drafts.statement, amount=D("300.00"), reason="补算", actor=member(drafts, "finance"))
    assert Statement.objects.get(pk=drafts.statement.pk).total == D("18300.00")


def test_adjustments_survive_a_recompute_and_count_in_the_new_total(drafts):
    finance = member(drafts, "finance")
    statement_adjust(statement=drafts.statement, amount=D("-100.00"), reason="多付", actor=finance)
    load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "戊", "amount": "-500000"})  # a return

    compute(actor=finance)

    lines = {line.kind: line.amount for line in StatementLine.objects.filter(statement=drafts.statement)}
    assert lines == {"rebate": D("2000.00"), "adjustment": D("-100.00")}  # 100,000 at 2%
    assert Statement.objects.get(pk=drafts.statement.pk).total == D("1900.00")


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        (D("0"), "零", "amount"),
        (D("0.001"), "三位小数", "amount"),
        (D("100000000000000.00"), "太大", "amount"),
        ("abc", "不是数", "amount"),
        (D("10.00"), "  ", "reason"),
    ],
)
def test_a_bad_adjustment_is_refused_by_field_and_nothing_is_written(drafts, amount, reason, field):
    before = state_of(drafts.statement)
    with pytest.raises(ValidationError) as refused:
        statement_adjust(statement=drafts.statement, amount=amount, reason=reason, actor=member(drafts, "finance"))
    assert field in refused.value.message_dict
    assert state_of(drafts.statement) == before
