"""Errors of the alert workflow, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class TransitionRefused(Conflict):
    """The alert's status does not allow this move (a resolved alert stays resolved)."""

    code = "transition_refused"
