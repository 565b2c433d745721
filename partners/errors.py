"""The partner workflow's errors, with stable codes (``common.errors`` turns them into answers)."""

from __future__ import annotations

from common.errors import Conflict


class StatusChangeRefused(Conflict):
    """The partner's status does not allow this move (a prospect cannot become active at once)."""

    code = "status_change_refused"


class DiligenceIncomplete(Conflict):
    """Required checklist items of the step are not met yet; ``missing`` lists them."""

    code = "diligence_incomplete"
