"""Errors of deal registration, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class TransitionRefused(Conflict):
    """The deal's status does not allow this move (a rejected deal is never approved)."""

    code = "transition_refused"


class CustomerProtected(Conflict):
    """Approving would protect a customer another partner's approved deal protects already."""

    code = "customer_protected"
