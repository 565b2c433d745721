"""Errors of lead distribution, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class LeadMoveRefused(Conflict):
    """The lead's status does not allow this move (a won lead is not declined)."""

    code = "lead_move_refused"


class AnswerTooLate(Conflict):
    """The time to answer the offer has passed: the lead lapses and moves on."""

    code = "lead_answer_too_late"
