"""Errors of screening and exit reviews, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class DecisionRefused(Conflict):
    """The partner or review is not in a state that takes this decision (a review decided already)."""

    code = "decision_refused"
