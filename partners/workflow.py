"""A partner's status workflow: which moves exist, and which of them due diligence gates.

::

    prospect ──▶ onboarding ──▶ pilot ──▶ active
        │            │  └──────(skip)──────▲ │        (skip: when the tenant lets partners skip the pilot)
        │            │           │  ▲        ▼
        │            │           │  └─── suspended ──▶ returns to the status it was suspended from
        ▼            ▼           ▼           │
                         terminated ◀────────┘

The moves along the pipeline (prospect → onboarding → pilot → active) are gated: the partner
enters a step only when every required checklist item of that step, and of the steps before it,
is met (``diligence.selectors.missing_for``). Suspending and terminating always need a reason;
entering the pilot needs its credit limit and end date. ``partners.services.partner_change_status``
is the one function that applies this table; an administrator loading back-dated history may go
around the table and the gate (``loading_history``), never around the reason or the pilot's terms.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import PartnerStatus

Status = PartnerStatus

PIPELINE: tuple[str, ...] = (Status.PROSPECT, Status.ONBOARDING, Status.PILOT, Status.ACTIVE)
NEEDS_REASON = frozenset({Status.SUSPENDED, Status.TERMINATED})

# Where each status may go. Suspended goes back to where it came from (``returns_to``), or ends.
MOVES: dict[str, frozenset[str]] = {
    Status.PROSPECT: frozenset({Status.ONBOARDING, Status.TERMINATED}),
    Status.ONBOARDING: frozenset({Status.PILOT, Status.ACTIVE, Status.TERMINATED}),
    Status.PILOT: frozenset({Status.ACTIVE, Status.SUSPENDED, Status.TERMINATED}),
    Status.ACTIVE: frozenset({Status.SUSPENDED, Status.TERMINATED}),
    Status.SUSPENDED: frozenset({Status.TERMINATED}),
    Status.TERMINATED: frozenset(),
}


def moves_from(status: str, *, tenant, returns_to: str | None = None) -> list[str]:
    """The statuses a partner in ``status`` may move to, in the order of ``PartnerStatus``.

    ``returns_to``: for a suspended partner, the status it was suspended from.
    """
    allowed = set(MOVES.get(status, ()))
    if status == Status.ONBOARDING and not tenant.partners_may_skip_pilot:
        allowed.discard(Status.ACTIVE)
    if status == Status.SUSPENDED and returns_to:
        allowed.add(returns_to)
    return [value for value in Status.values if value in allowed]


def is_gated(before: str, after: str) -> bool:
    """Whether due diligence stands between ``before`` and ``after``: a step forward along the pipeline."""
    return before in PIPELINE and after in PIPELINE and PIPELINE.index(after) > PIPELINE.index(before)


def gates_up_to(status: str) -> tuple[str, ...]:
    """The pipeline steps a partner has passed once it is in ``status`` (their checklist items apply)."""
    if status not in PIPELINE:
        return ()
    return PIPELINE[1 : PIPELINE.index(status) + 1]


def refusal(before: str, after: str, *, tenant, returns_to: str | None = None) -> str:
    """Why a partner in ``before`` cannot move to ``after``, in words a channel manager can act on."""
    labels = dict(Status.choices)
    if before == Status.ONBOARDING and after == Status.ACTIVE:
        return _(
            "This tenant does not let partners skip the pilot: move the partner to the pilot first "
            "(an administrator can change this in the due diligence settings)."
        )
    if before == Status.TERMINATED:
        return _("A terminated partner stays terminated.")
    if before == Status.SUSPENDED and returns_to:
        return _("A suspended partner goes back to %(status)s, the status it was suspended from, or is terminated.") % {
            "status": labels[returns_to]
        }
    allowed = moves_from(before, tenant=tenant, returns_to=returns_to)
    return _("A partner in %(before)s cannot move to %(after)s; it can move to: %(allowed)s.") % {
        "before": labels[before],
        "after": labels[after],
        "allowed": listed(labels[value] for value in allowed) or _("nowhere"),
    }


def listed(items) -> str:
    """Several names in one phrase, joined as the reader's language joins a list (“、” in Chinese)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
