"""The settlement workflow's errors, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict, PermissionDenied


class TransitionRefused(Conflict):
    """The statement's status does not allow this move (an approved statement never changes)."""

    code = "transition_refused"


class SameMakerAndChecker(PermissionDenied):
    """Two approvals (maker-checker): whoever last changed a statement may not approve it too."""

    code = "maker_checker"
