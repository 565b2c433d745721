"""The rules of lead distribution (SPEC §4.8), as a pure function over the candidates.

No database, no request: ``distribute`` takes the leads and the partners as plain values (gathered
by ``inputs.gather`` in a fixed number of queries) and answers, for each lead in turn, which partner
it goes to and why, every candidate with its reason. A batch is distributed in order and each offer
counts at once: the partner's open leads grow (its cap comes nearer) and its last offer becomes the
newest (it goes to the back of the rotation), so the next lead of the batch sees both.

1. candidates: the active partners of the lead's region whose industries contain the lead's industry
   (rule ``region_industry``); none: the active partners of the region (rule ``region``); none: the
   lead stays unassigned (``no_partner_in_region``);
2. left out: partners holding ``cap`` open leads (``cap``), and partners that declined
   (``declined``) or let lapse (``lapsed``) this very lead before; if that leaves nobody, the lead
   stays unassigned (``all_left_out``);
3. the highest latest score wins (never scored: 0); among equal scores the partner whose last lead
   was offered longest ago (never: first), then the lowest code.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

REGION_INDUSTRY, REGION, NONE = "region_industry", "region", "none"

# Why a candidate was chosen or left out. Stored as codes; worded by ``words`` when shown.
CHOSEN = "chosen"
CAP = "cap"
DECLINED = "declined"
LAPSED = "lapsed"
LOWER_SCORE = "lower_score"
OFFERED_MORE_RECENTLY = "offered_more_recently"
HIGHER_CODE = "higher_code"
REASONS = {
    CHOSEN: _("chosen"),
    CAP: _("cap reached"),
    DECLINED: _("declined this lead before"),
    LAPSED: _("let this lead lapse before"),
    LOWER_SCORE: _("lower score"),
    OFFERED_MORE_RECENTLY: _("same score, offered a lead more recently"),
    HIGHER_CODE: _("same score and turn, higher code"),
}
LEFT_OUT = (CAP, DECLINED, LAPSED)

NO_PARTNER_IN_REGION = "no_partner_in_region"
ALL_LEFT_OUT = "all_left_out"
UNASSIGNED_REASONS = {
    NO_PARTNER_IN_REGION: _("no active partner in the lead's region"),
    ALL_LEFT_OUT: _("every candidate is left out"),
}

ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True)
class Partner:
    """A partner as the rules see it: active, with its region, industries and latest score (or None)."""

    id: int
    code: str
    region: str
    industries: frozenset[str]
    score: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class LeadIn:
    """A lead to distribute; ``refused`` maps a partner id to ``declined`` or ``lapsed`` for this lead."""

    key: Hashable
    region: str
    industry: str
    refused: Mapping[int, str] = dataclasses.field(default_factory=dict)


class Considered(NamedTuple):
    """One candidate of one lead: its score (never scored: 0), its open leads then, and why it was (not) chosen.

    A named tuple (not a frozen dataclass): a 10,000-lead upload over 10,000 partners makes 630,000 of them.
    """

    partner_id: int
    code: str
    score: Decimal
    open_leads: int
    reason: str

    def as_dict(self) -> dict:
        return {
            "partner_id": self.partner_id,
            "partner": self.code,
            "score": _score_text(self.score),
            "open_leads": self.open_leads,
            "reason": self.reason,
        }


@functools.lru_cache(maxsize=100_000)
def _score_text(score: Decimal) -> str:
    return f"{score:.2f}"


@dataclasses.dataclass(frozen=True)
class Decision:
    """Where one lead goes: a partner (``partner_id``) by ``rule``, or nobody and why; every candidate."""

    key: Hashable
    rule: str
    partner_id: int | None
    candidates: tuple[Considered, ...]
    unassigned_reason: str = ""

    @property
    def is_assigned(self) -> bool:
        return self.partner_id is not None


# A partner's place in the rotation: never offered first, then the oldest last offer; offers made in
# this batch come after every earlier one, in the order they were made.
Turn = tuple[int, datetime.datetime | None, int]
NEVER: Turn = (0, None, 0)


def _turn_key(turn: Turn) -> tuple:
    kind, at, sequence = turn
    return (kind, at or datetime.datetime.min.replace(tzinfo=datetime.UTC), sequence)


def normal(text: str) -> str:
    """Regions and industries compare as people mean them: case and outer spaces aside."""
    return (text or "").strip().casefold()


class _Pools:
    """The active partners by region, and by region and industry."""

    def __init__(self, partners: Iterable[Partner]):
        self.by_region: dict[str, list[Partner]] = defaultdict(list)
        self.by_region_industry: dict[tuple[str, str], list[Partner]] = defaultdict(list)
        for partner in partners:
            region = normal(partner.region)
            if not region:
                continue
            self.by_region[region].append(partner)
            for industry in {normal(name) for name in partner.industries}:
                if industry:
                    self.by_region_industry[(region, industry)].append(partner)

    def candidates(self, lead: LeadIn) -> tuple[str, list[Partner]]:
        region = normal(lead.region)
        pool = self.by_region_industry.get((region, normal(lead.industry)))
        if pool:
            return REGION_INDUSTRY, pool
        pool = self.by_region.get(region)
        if pool:
            return REGION, pool
        return NONE, []


def distribute(
    leads: Iterable[LeadIn],
    partners: Iterable[Partner],
    *,
    cap: int,
    open_leads: Mapping[int, int],
    last_offered: Mapping[int, datetime.datetime],
) -> list[Decision]:
    """Decide, lead by lead in the order given, who is offered each lead and why (see the module's rules).

    ``open_leads``: offered or accepted leads each partner holds now; ``last_offered``: when each
    partner was last offered a lead. Neither is changed; the batch keeps its own count.
    """
    partners = list(partners)
    pools = _Pools(partners)
    scores = {partner.id: partner.score if partner.score is not None else ZERO for partner in partners}
    holding = defaultdict(int, open_leads)
    turns: dict[int, Turn] = {partner_id: (1, at, 0) for partner_id, at in last_offered.items()}
    turn_keys: dict[int, tuple] = {}  # partner id → ``_turn_key`` of its turn, kept as turns change
    sequence = 0
    decisions = []
    for lead in leads:
        rule, pool = pools.candidates(lead)
        if not pool:
            decisions.append(Decision(lead.key, NONE, None, (), NO_PARTNER_IN_REGION))
            continue
        left_out, eligible = [], []
        refusals = lead.refused
        for partner in pool:
            partner_id = partner.id
            score = scores[partner_id]
            held = holding[partner_id]
            refused = refusals.get(partner_id) if refusals else None
            if refused in (DECLINED, LAPSED):
                left_out.append(Considered(partner_id, partner.code, score, held, refused))
            elif held >= cap:
                left_out.append(Considered(partner_id, partner.code, score, held, CAP))
            else:
                turn = turn_keys.get(partner_id)
                if turn is None:
                    turn = turn_keys[partner_id] = _turn_key(turns.get(partner_id, NEVER))
                eligible.append((partner, score, held, turn))
        if not eligible:
            ranked_out = sorted(left_out, key=lambda item: (-item.score, item.code))
            decisions.append(Decision(lead.key, rule, None, tuple(ranked_out), ALL_LEFT_OUT))
            continue
        eligible.sort(key=lambda item: (-item[1], item[3], item[0].code))
        winner, best_score, _held, best_turn = eligible[0]
        considered = [Considered(winner.id, winner.code, best_score, holding[winner.id], CHOSEN)]
        for partner, score, held, turn in eligible[1:]:
            if score < best_score:
                reason = LOWER_SCORE
            elif turn != best_turn:
                reason = OFFERED_MORE_RECENTLY
            else:
                reason = HIGHER_CODE
            considered.append(Considered(partner.id, partner.code, score, held, reason))
        considered += sorted(left_out, key=lambda item: (-item.score, item.code))
        decisions.append(Decision(lead.key, rule, winner.id, tuple(considered)))
        holding[winner.id] += 1
        sequence += 1
        turns[winner.id] = (2, None, sequence)  # after every earlier offer, in the order of this batch
        turn_keys[winner.id] = _turn_key(turns[winner.id])
    return decisions
