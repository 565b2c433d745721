"""Rebate and profit-share arithmetic (SPEC §4.4, §4.5): pure functions on ``Decimal``.

One formula, three callers — the nightly accruals, the what-if and the settlement run — so what a
partner is told it is on course to earn, what a what-if says a program would have paid and what a
statement pays can never disagree. Nothing here reads the database or the request.

For a basis B (the period's sales in the program's categories, or its collections):

- B ≤ 0 pays 0;
- retroactive: B × the rate of the highest bracket whose threshold ≤ B;
- incremental: each slice of B between one threshold and the next at that bracket's rate;
- accelerator: × multiplier when the partner's attainment on the accelerator's metric for the
  same period is at least ``min_attainment`` (a ratio: 1.0 is 100%);
- cap: the lesser of the amount and the cap; then half up to 0.01 (ties away from zero).

Brackets 0 → 1%, 100,000 → 2%, 500,000 → 3% on B = 600,000: retroactive 18,000.00,
incremental 12,000.00.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from common.numbers import half_up

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class Method:
    RETROACTIVE = "retroactive"
    INCREMENTAL = "incremental"


@dataclasses.dataclass(frozen=True)
class Bracket:
    threshold: Decimal
    rate_percent: Decimal


@dataclasses.dataclass(frozen=True)
class Accelerator:
    metric: str
    min_attainment: Decimal  # a ratio: 1.0 is 100%
    multiplier: Decimal


@dataclasses.dataclass(frozen=True)
class RebateRule:
    """What a program version pays, as arithmetic: its method, brackets, cap and accelerator."""

    method: str
    brackets: tuple[Bracket, ...]
    cap: Decimal | None = None
    accelerator: Accelerator | None = None


@dataclasses.dataclass(frozen=True)
class Slice:
    """A part of the basis paid at one rate (a retroactive rebate is one slice: all of B)."""

    lower: Decimal
    upper: Decimal | None  # None: no bracket above
    rate_percent: Decimal
    base: Decimal  # how much of B falls in this slice
    amount: Decimal  # base × rate, exact (not rounded)


@dataclasses.dataclass(frozen=True)
class RebateOutcome:
    """The rebate for one basis, with every step a statement line explains."""

    basis: Decimal
    bracket: Bracket | None  # the highest bracket reached; None when B ≤ 0
    slices: tuple[Slice, ...]
    before_accelerator: Decimal  # exact
    multiplier: Decimal | None  # applied, or None
    before_cap: Decimal  # exact
    capped: bool
    amount: Decimal  # the payout: half up to 0.01
    next_bracket: Bracket | None  # the next bracket up, if any (for "¥88,000 more reaches 3%")

    @property
    def rate_percent(self) -> Decimal:
        return self.bracket.rate_percent if self.bracket else ZERO

    @property
    def to_next_bracket(self) -> Decimal | None:
        """How much more basis reaches the next bracket (None at the top)."""
        if self.next_bracket is None:
            return None
        return self.next_bracket.threshold - max(self.basis, ZERO)


def brackets_problems(brackets: Sequence[Bracket]) -> list[str]:
    """What is wrong with a bracket table, as codes (the caller words them): empty if it is good.

    ``empty``; ``first_not_zero``: the first threshold must be 0; ``not_increasing``: each
    threshold above the one before; ``negative_rate``; ``rate_over_100``.
    """
    problems: list[str] = []
    if not brackets:
        return ["empty"]
    if brackets[0].threshold != ZERO:
        problems.append("first_not_zero")
    if any(later.threshold <= earlier.threshold for earlier, later in itertools.pairwise(brackets)):
        problems.append("not_increasing")
    if any(bracket.rate_percent < ZERO for bracket in brackets):
        problems.append("negative_rate")
    if any(bracket.rate_percent > HUNDRED for bracket in brackets):
        problems.append("rate_over_100")
    return problems


def _reached(brackets: Sequence[Bracket], basis: Decimal) -> tuple[int, Bracket]:
    index = max(i for i, bracket in enumerate(brackets) if bracket.threshold <= basis)
    return index, brackets[index]


def _slices(rule: RebateRule, basis: Decimal) -> tuple[Slice, ...]:
    brackets = rule.brackets
    if rule.method == Method.RETROACTIVE:
        index, bracket = _reached(brackets, basis)
        upper = brackets[index + 1].threshold if index + 1 < len(brackets) else None
        return (Slice(bracket.threshold, upper, bracket.rate_percent, basis, basis * bracket.rate_percent / HUNDRED),)
    slices = []
    for index, bracket in enumerate(brackets):
        if bracket.threshold >= basis and index > 0:
            break
        upper = brackets[index + 1].threshold if index + 1 < len(brackets) else None
        base = (min(basis, upper) if upper is not None else basis) - bracket.threshold
        if base <= ZERO:
            continue
        amount = base * bracket.rate_percent / HUNDRED
        slices.append(Slice(bracket.threshold, upper, bracket.rate_percent, base, amount))
    return tuple(slices)


def rebate(rule: RebateRule, basis: Decimal, *, attainment: Decimal | None = None) -> RebateOutcome:
    """The rebate on ``basis`` under ``rule``; ``attainment`` is the partner's on the accelerator's metric."""
    basis = Decimal(basis)
    brackets = rule.brackets
    if basis <= ZERO:
        return RebateOutcome(
            basis=basis,
            bracket=None,
            slices=(),
            before_accelerator=ZERO,
            multiplier=None,
            before_cap=ZERO,
            capped=False,
            amount=ZERO.quantize(Decimal("0.01")),
            next_bracket=brackets[1] if len(brackets) > 1 else None,
        )
    index, bracket = _reached(brackets, basis)
    slices = _slices(rule, basis)
    exact = sum((piece.amount for piece in slices), ZERO)
    multiplier = None
    accelerator = rule.accelerator
    if accelerator is not None and attainment is not None and attainment >= accelerator.min_attainment:
        multiplier = accelerator.multiplier
    before_cap = exact * multiplier if multiplier is not None else exact
    capped = rule.cap is not None and before_cap > rule.cap
    payout = rule.cap if capped else before_cap
    return RebateOutcome(
        basis=basis,
        bracket=bracket,
        slices=slices,
        before_accelerator=exact,
        multiplier=multiplier,
        before_cap=before_cap,
        capped=capped,
        amount=half_up(payout),
        next_bracket=brackets[index + 1] if index + 1 < len(brackets) else None,
    )


@dataclasses.dataclass(frozen=True)
class ShareOutcome:
    basis: Decimal  # the margin (profit share) or the written-off total (loss share)
    rate_percent: Decimal
    amount: Decimal  # half up to 0.01; a loss share is negative


def profit_share(margins: Iterable[tuple[Decimal, Decimal]], rate_percent: Decimal) -> ShareOutcome:
    """Σ (amount − cost) over sales that carry a cost, × the tier's rate (SPEC §4.5)."""
    margin = sum((Decimal(amount) - Decimal(cost) for amount, cost in margins), ZERO)
    return profit_share_of_margin(margin, rate_percent)


def profit_share_of_margin(margin: Decimal, rate_percent: Decimal) -> ShareOutcome:
    return ShareOutcome(basis=margin, rate_percent=rate_percent, amount=half_up(margin * rate_percent / HUNDRED))


def loss_share(written_off: Decimal, loss_share_percent: Decimal) -> ShareOutcome:
    """− Σ write-offs in the period × the agreement's loss-share percent (SPEC §4.5)."""
    return ShareOutcome(
        basis=written_off,
        rate_percent=loss_share_percent,
        amount=half_up(-Decimal(written_off) * loss_share_percent / HUNDRED),
    )
