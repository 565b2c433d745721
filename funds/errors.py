"""Errors of the funds workflow, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class DecisionRefused(Conflict):
    """The request or claim is decided already (a decision is never taken back)."""

    code = "decision_refused"


class OverBudget(Conflict):
    """Approving this much would spend more than the fund has left."""

    code = "over_budget"
