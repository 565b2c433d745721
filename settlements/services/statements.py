"""A statement's workflow (SPEC §4.6): its transitions and the adjustments people add to it.

One transition function, ``statement_transition``, moves a statement along the table ``MOVES``
and nowhere else::

    draft ──approve──▶ approved ──mark_paid──▶ paid
      │  ▲
    dispute resolve
      ▼  │
    disputed

Each move locks the statement's row, checks who may make it, records who, when and why in a
``StatementEvent`` and changes the statement, in one transaction. Every other move is refused
with a 409 that says why, before PostgreSQL's triggers (which refuse any change to an approved or
paid statement but its payment) are ever reached. ``statement_approve`` and its siblings are the
named doors to it.

``statement_adjust`` adds an ``adjustment`` line to a draft or disputed statement: lines entered
by people survive every recompute (a run only touches the rebate, profit-share and loss-share
lines), and the one who adds it becomes the statement's last maker (maker-checker, SPEC §1).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound, PermissionDenied
from common.money import format_money
from tenancy.context import require_tenant
from tenancy.models import Membership
from tenancy.roles import Capability, role_can

from ..errors import SameMakerAndChecker, TransitionRefused
from ..models import LineKind, Statement, StatementEvent, StatementLine, StatementStatus
from . import notices

# Money bounds of a line (16 digits, 2 of them after the point).
LARGEST_AMOUNT = Decimal("99999999999999.99")
CENT = Decimal("0.01")
REASON_MAX_LENGTH = 2000

Action = StatementEvent.Action


@dataclasses.dataclass(frozen=True)
class Move:
    """One allowed move: from which statuses, to which, who may make it, and what it must be told."""

    action: str
    sources: frozenset[str]
    target: str
    capability: str
    requires: str | None = None  # the input a person must give (its field name)


MOVES: dict[str, Move] = {
    "approve": Move(Action.APPROVED, frozenset({StatementStatus.DRAFT}), StatementStatus.APPROVED,
                    Capability.RUN_SETTLEMENTS),
    "dispute": Move(Action.DISPUTED, frozenset({StatementStatus.DRAFT}), StatementStatus.DISPUTED,
                    Capability.DISPUTE_STATEMENTS, requires="reason"),
    "resolve": Move(Action.RESOLVED, frozenset({StatementStatus.DISPUTED}), StatementStatus.DRAFT,
                    Capability.RUN_SETTLEMENTS, requires="note"),
    "mark_paid": Move(Action.PAID, frozenset({StatementStatus.APPROVED}), StatementStatus.PAID,
                      Capability.RUN_SETTLEMENTS, requires="payment_reference"),
}  # fmt: skip


def _refusal(move: str, status: str) -> str:
    """Why ``move`` cannot be made from ``status``, in words a finance member or partner can act on."""
    if move == "approve":
        if status == StatementStatus.DISPUTED:
            return _("This statement is disputed: resolve the dispute before approving it.")
        if status == StatementStatus.APPROVED:
            return _("This statement is approved already.")
        return _("This statement is paid already; a paid statement never changes.")
    if move == "dispute":
        if status == StatementStatus.DISPUTED:
            return _("This statement is disputed already; finance will answer the dispute.")
        return _("An approved statement can no longer be disputed; ask finance for an adjustment on a later statement.")
    if move == "resolve":
        if status == StatementStatus.DRAFT:
            return _("This statement is not disputed: there is no dispute to resolve.")
        return _("An approved statement never changes; add an adjustment to a later statement.")
    if move == "mark_paid":
        if status == StatementStatus.PAID:
            return _("This statement is marked paid already.")
        return _("Only an approved statement can be marked paid: approve it first.")
    return _("This statement cannot be changed now.")


def _membership_of(actor) -> Membership:
    membership = Membership.objects.filter(user=actor, is_active=True).first() if actor is not None else None
    if membership is None:
        raise NotFound(_("Not found."))
    return membership


def _lock(statement: Statement, membership: Membership) -> Statement:
    """The statement's row, locked for the rest of the transaction; another partner's is a 404."""
    locked = Statement.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=statement.pk)
    if membership.is_partner_side:
        locked = locked.filter(partner_id=membership.partner_id)
    found = locked.first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _required_text(field: str, value: str, *, max_length: int = REASON_MAX_LENGTH) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("Write at most %(limit)d characters (this has %(count)d).") % {"limit": max_length,
                                                                                    "count": len(text)}}
        )  # fmt: skip
    return text


def _disputed_line(statement: Statement, line_id: int | None) -> dict:
    """What a dispute is about, when it names a line: a snapshot kept in the event (the line may be recomputed)."""
    if line_id is None:
        return {}
    line = StatementLine.objects.filter(statement=statement, pk=line_id).first()
    if line is None:
        raise ValidationError({"line": _("This statement has no such line.")})
    return {
        "line": line.pk,
        "kind": line.kind,
        "source_code": line.source_code,
        "source_version": line.source_version,
        "amount": str(line.amount),
    }


def statement_transition(
    *,
    statement: Statement,
    move: str,
    actor,
    reason: str = "",
    note: str = "",
    payment_reference: str = "",
    line_id: int | None = None,
) -> Statement:
    """Move ``statement`` by ``move`` (a key of ``MOVES``) for ``actor``; every other move is a 409.

    ``reason`` (dispute, optionally about the line ``line_id``), ``note`` (resolve) and
    ``payment_reference`` (mark paid) are what the move needs told. Returns the statement as it now is.
    """
    allowed = MOVES[move]
    with transaction.atomic():
        membership = _membership_of(actor)
        locked = _lock(statement, membership)
        if not role_can(membership.role, allowed.capability):
            raise PermissionDenied(_("Your role may not do this."))
        if locked.status not in allowed.sources:
            raise TransitionRefused(_refusal(move, locked.status))
        inputs = {"reason": reason, "note": note, "payment_reference": payment_reference}
        said = ""
        if allowed.requires:
            limit = Statement._meta.get_field("payment_reference").max_length if move == "mark_paid" else None
            said = _required_text(allowed.requires, inputs[allowed.requires], max_length=limit or REASON_MAX_LENGTH)
        details = _disputed_line(locked, line_id) if move == "dispute" else {}
        now = timezone.now()
        changed = ["status", "updated_at"]
        if move == "approve":
            maker = locked.last_changed_by_id
            if require_tenant().two_approvals and maker is not None and maker == actor.pk:
                raise SameMakerAndChecker(
                    _("You changed this statement last; with two approvals another finance member must approve it.")
                )
            locked.approved_by, locked.approved_at = actor, now
            changed += ["approved_by", "approved_at"]
        elif move == "dispute":
            locked.dispute_reason = said
            changed.append("dispute_reason")
        elif move == "mark_paid":
            locked.paid_by, locked.paid_at, locked.payment_reference = actor, now, said
            changed += ["paid_by", "paid_at", "payment_reference"]
        from_status = locked.status
        locked.status = allowed.target
        locked.save(update_fields=changed)
        StatementEvent.objects.create(
            statement=locked,
            action=allowed.action,
            from_status=from_status,
            to_status=locked.status,
            actor=actor,
            note=said,
            details=details,
        )
        if move == "approve":
            notices.statement_approved(locked)
        elif move == "dispute":
            notices.statement_disputed(locked, reason=said, actor=actor)
    return locked


def statement_approve(*, statement: Statement, actor) -> Statement:
    """Draft → approved (finance or admin; with two approvals, not whoever changed it last)."""
    return statement_transition(statement=statement, move="approve", actor=actor)


def statement_dispute(*, statement: Statement, reason: str, actor, line_id: int | None = None) -> Statement:
    """Draft → disputed, by the partner's own administrator, with a reason (and the line it is about)."""
    return statement_transition(statement=statement, move="dispute", actor=actor, reason=reason, line_id=line_id)


def statement_resolve(*, statement: Statement, note: str, actor) -> Statement:
    """Disputed → draft, by finance, with a note answering the dispute."""
    return statement_transition(statement=statement, move="resolve", actor=actor, note=note)


def statement_mark_paid(*, statement: Statement, payment_reference: str, actor) -> Statement:
    """Approved → paid, by finance, with the payment's reference (a bank transfer's number)."""
    return statement_transition(statement=statement, move="mark_paid", actor=actor, payment_reference=payment_reference)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Write the amount as a number, such as -1250.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Write the amount as a number, such as -1250.00.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("An amount has at most two decimal places.")})
    if amount == 0:
        raise ValidationError(
            {"amount": _("An adjustment of 0.00 changes nothing; write the amount to add or take off.")}
        )
    if abs(amount) > LARGEST_AMOUNT:
        raise ValidationError(
            {"amount": _("An adjustment is at most %(limit)s either way.") % {"limit": format_money(LARGEST_AMOUNT)}}
        )
    return amount.quantize(CENT)


def statement_adjust(*, statement: Statement, amount: Decimal, reason: str, actor) -> StatementLine:
    """Add an adjustment line (positive pays more, negative less) to a draft or disputed statement.

    The line stays through recomputes; the statement's total is recomputed and ``actor`` becomes
    the one who changed it last. Approved and paid statements never change (409): a correction
    goes on a later statement.
    """
    amount = _amount(amount)
    with transaction.atomic():
        membership = _membership_of(actor)
        locked = _lock(statement, membership)
        if not role_can(membership.role, Capability.RUN_SETTLEMENTS):
            raise PermissionDenied(_("Your role may not do this."))
        if locked.is_frozen:
            raise TransitionRefused(_("An approved statement never changes; add an adjustment to a later statement."))
        said = _required_text("reason", reason)
        line = StatementLine(
            statement=locked, kind=LineKind.ADJUSTMENT, amount=amount, reason=said, explanation=said, created_by=actor
        )
        line.full_clean(exclude=["tenant", "statement"])
        line.save()
        total = StatementLine.objects.filter(statement=locked).aggregate(total=Sum("amount"))["total"]
        locked.total = total or Decimal("0.00")
        locked.last_changed_by = actor
        locked.save(update_fields=["total", "last_changed_by", "updated_at"])
        StatementEvent.objects.create(
            statement=locked,
            action=Action.ADJUSTED,
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
            note=said,
            details={"line": line.pk, "amount": str(amount)},
        )
    return line
