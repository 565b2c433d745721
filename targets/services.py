"""Writes for company goals and partner targets. One transaction each.

Splitting a goal is two steps: ``goal_propose_split`` computes a proposal (nothing written),
a person reviews or edits it, and ``goal_apply_split`` writes the partner targets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.periods import Period
from partners.models import Partner, PartnerStatus, Tier

from .calculations import FOUR_PLACES, partner_actuals
from .models import CompanyGoal, Metric, Target

# Services validate fields with ``full_clean`` and check uniqueness themselves, to name the
# field at fault (“period”); the database constraints stay the last word.
GOAL_FIELDS = frozenset({"name", "metric", "period", "value", "notes"})
TARGET_FIELDS = frozenset({"partner", "metric", "period", "value", "goal"})
CENT = Decimal("0.01")
WHOLE = Decimal("1")


class SplitMethod:
    LAST_YEAR = "last_year"
    TIER_WEIGHTS = "tier_weights"
    ALL = (LAST_YEAR, TIER_WEIGHTS)


# --- goals ----------------------------------------------------------------------------------


def _check_goal_unique(goal: CompanyGoal) -> None:
    clash = CompanyGoal.objects.filter(metric=goal.metric, period=goal.period).exclude(pk=goal.pk)
    if clash.exists():
        raise ValidationError(
            {"period": _("There is already a goal for %(metric)s in %(period)s.")
             % {"metric": goal.get_metric_display(), "period": goal.period}}
        )  # fmt: skip


def _save(obj, *, update_fields: list[str] | None = None) -> None:
    """Save, turning the race a uniqueness check cannot see into the same field error."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ValidationError({"period": _("This period is already taken for this metric.")}) from error


@transaction.atomic
def goal_create(*, name: str, metric: str, period: Period | str, value: Decimal, notes: str = "") -> CompanyGoal:
    """Set what the company means to reach on ``metric`` in ``period`` (one goal per metric and period)."""
    goal = CompanyGoal(name=name, metric=metric, value=value, notes=notes)
    goal.set_period(period)
    goal.full_clean(exclude=["tenant"], validate_constraints=False)
    _check_goal_unique(goal)
    _save(goal)
    return goal


@transaction.atomic
def goal_update(*, goal: CompanyGoal, **changes: Any) -> CompanyGoal:
    """Edit a goal. Its partner targets keep their own metric and period; change those by re-applying."""
    unknown = set(changes) - GOAL_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    goal = CompanyGoal.objects.select_for_update().get(pk=goal.pk)
    before = (goal.metric, goal.period)
    period = changes.pop("period", None)
    for field, value in changes.items():
        setattr(goal, field, value)
    fields = list(changes)
    if period is not None:
        goal.set_period(period)
        fields += ["period", "starts_on", "ends_on"]
    goal.full_clean(exclude=["tenant"], validate_constraints=False)
    _check_goal_unique(goal)
    if (goal.metric, goal.period) != before and goal.targets.exists():
        raise ValidationError(
            {"period": _("This goal already has partner targets: its metric and period cannot change.")}
        )
    _save(goal, update_fields=[*fields, "updated_at"])
    return goal


def goal_allocated(goal: CompanyGoal) -> Decimal:
    """The sum of the values of the goal's partner targets."""
    return goal.targets.aggregate(total=Sum("value"))["total"] or Decimal("0.00")


def goal_coverage(goal: CompanyGoal) -> Decimal:
    """How much of the goal its partner targets cover: the sum of their values / the goal, four places."""
    return coverage(goal_allocated(goal), goal.value)


def coverage(allocated: Decimal, goal_value: Decimal) -> Decimal:
    return (Decimal(allocated) / Decimal(goal_value)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


# --- targets --------------------------------------------------------------------------------


def _check_target(target: Target) -> None:
    clash = Target.objects.filter(partner_id=target.partner_id, metric=target.metric, period=target.period)
    if clash.exclude(pk=target.pk).exists():
        raise ValidationError(
            {"period": _("The partner already has a %(metric)s target for %(period)s.")
             % {"metric": target.get_metric_display(), "period": target.period}}
        )  # fmt: skip
    goal = target.goal
    if goal is not None and (goal.metric != target.metric or goal.period != target.period):
        raise ValidationError(
            {"goal": _("The goal is for %(metric)s in %(period)s; the target must be too.")
             % {"metric": goal.get_metric_display(), "period": goal.period}}
        )  # fmt: skip


@transaction.atomic
def target_create(
    *, partner: Partner, metric: str, period: Period | str, value: Decimal, goal: CompanyGoal | None = None
) -> Target:
    """Give a partner a target. The SMART check (``calculations.smart_check``) is advice, not a rule."""
    target = Target(partner=partner, metric=metric, value=value, goal=goal)
    target.set_period(period)
    target.full_clean(exclude=["tenant", "partner", "goal"], validate_constraints=False)
    _check_target(target)
    _save(target)
    return target


@transaction.atomic
def target_update(*, target: Target, **changes: Any) -> Target:
    """Edit a target's partner, metric, period, value or goal."""
    unknown = set(changes) - TARGET_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    target = Target.objects.select_for_update().get(pk=target.pk)
    period = changes.pop("period", None)
    for field, value in changes.items():
        setattr(target, field, value)
    fields = list(changes)
    if period is not None:
        target.set_period(period)
        fields += ["period", "starts_on", "ends_on"]
    target.full_clean(exclude=["tenant", "partner", "goal"], validate_constraints=False)
    _check_target(target)
    _save(target, update_fields=[*fields, "updated_at"])
    return target


# --- splitting a goal -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Proposal:
    """A proposed partner target: ``value``, and the ``basis`` it was derived from.

    The basis is the partner's actual a year earlier (``last_year``) or its tier's weight
    (``tier_weights``).
    """

    partner: Partner
    value: Decimal
    basis: Decimal


def default_tier_weights() -> dict[str, Decimal]:
    """The best tier weighs most: with core / strategic / ordinary, 3 / 2 / 1."""
    worst = Tier.objects.aggregate(worst=Max("rank"))["worst"] or 0
    return {tier.code: Decimal(worst - tier.rank + 1) for tier in Tier.objects.all()}


def _weights(tier_weights: Mapping[str, Any]) -> dict[str, Decimal]:
    weights = {}
    for code, weight in tier_weights.items():
        try:
            weights[code] = Decimal(str(weight))
        except InvalidOperation:
            weights[code] = Decimal("NaN")
        if not weights[code].is_finite() or weights[code] < 0:
            raise ValidationError({"tier_weights": _("The weight of %(tier)s must be 0 or more.") % {"tier": code}})
    return weights


def _allocate(goal: CompanyGoal, bases: list[tuple[Partner, Decimal]]) -> list[Proposal]:
    """Split the goal in proportion to each basis, rounded; the remainder goes on the largest share.

    Money rounds to 0.01, customers to whole customers, half up; the proposals sum exactly to the goal.
    """
    unit = WHOLE if goal.metric == Metric.NEW_CUSTOMERS else CENT
    total = sum((basis for _partner, basis in bases), Decimal("0"))
    ordered = sorted(bases, key=lambda item: (-item[1], item[0].code))
    values = [(goal.value * basis / total).quantize(unit, rounding=ROUND_HALF_UP) for _partner, basis in ordered]
    values[0] += goal.value - sum(values)
    return [Proposal(partner, value, basis) for (partner, basis), value in zip(ordered, values, strict=True)]


def goal_propose_split(goal: CompanyGoal, method: str, tier_weights: Mapping[str, Any] | None = None) -> list[Proposal]:
    """Propose partner targets for the goal among the active partners; nothing is written.

    ``last_year``: each partner's share of the same metric in the same period a year earlier
    (a negative year counts as nothing); ``tier_weights``: goal × the weight of the partner's
    tier / the sum of all the partners' weights (default: the best tier weighs most).
    """
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier").order_by("code"))
    if not partners:
        raise ValidationError({"method": _("There are no active partners to split the goal among.")})
    if method == SplitMethod.LAST_YEAR:
        earlier = goal.period_value.year_earlier()
        found = partner_actuals(partner_ids=[p.pk for p in partners], metric=goal.metric, period=earlier)
        bases = [(partner, max(found[partner.pk], Decimal("0"))) for partner in partners]
        if sum(basis for _partner, basis in bases) <= 0:
            raise ValidationError(
                {"method": _("No active partner has any %(metric)s in %(period)s to base a split on.")
                 % {"metric": goal.get_metric_display(), "period": earlier.label}}
            )  # fmt: skip
    elif method == SplitMethod.TIER_WEIGHTS:
        weights = _weights(tier_weights) if tier_weights is not None else default_tier_weights()
        bases = [(partner, weights.get(partner.tier.code, Decimal("0"))) for partner in partners]
        if sum(basis for _partner, basis in bases) <= 0:
            raise ValidationError({"tier_weights": _("Give at least one active partner's tier a weight above 0.")})
    else:
        raise ValidationError({"method": _("Choose last_year or tier_weights.")})
    return _allocate(goal, bases)


@transaction.atomic
def goal_apply_split(goal: CompanyGoal, allocations: Mapping[Partner, Decimal]) -> list[Target]:
    """Write the goal's partner targets: create or update each partner's target on the goal's metric and period.

    A partner's existing target for that metric and period (made by hand) is taken over by the
    goal; a value of 0 removes the partner's target of this goal. Applying twice changes nothing.
    """
    goal = CompanyGoal.objects.select_for_update().get(pk=goal.pk)
    errors = [
        _("%(partner)s: the value must be 0 or more.") % {"partner": partner.code}
        for partner, value in allocations.items()
        if value is None or Decimal(value) < 0
    ]
    if goal.metric == Metric.NEW_CUSTOMERS:
        errors += [
            _("%(partner)s: new customers are counted in whole customers.") % {"partner": partner.code}
            for partner, value in allocations.items()
            if value is not None and Decimal(value) != int(Decimal(value))
        ]
    if errors:
        raise ValidationError({"allocations": errors})
    partner_ids = [partner.pk for partner in allocations]
    existing = {
        target.partner_id: target
        for target in Target.objects.select_for_update().filter(
            partner_id__in=partner_ids, metric=goal.metric, period=goal.period
        )
    }
    now = timezone.now()
    to_create, to_update, to_delete = [], [], []
    for partner, value in allocations.items():
        value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        target = existing.get(partner.pk)
        if value == 0:
            if target is not None and target.goal_id == goal.pk:
                to_delete.append(target.pk)
            continue
        if target is None:
            target = Target(partner=partner, metric=goal.metric, period=goal.period, value=value, goal=goal)
            target.starts_on, target.ends_on = goal.starts_on, goal.ends_on
            to_create.append(target)
        elif target.value != value or target.goal_id != goal.pk:
            target.value, target.goal, target.updated_at = value, goal, now
            to_update.append(target)
    Target.objects.filter(pk__in=to_delete).delete()
    Target.objects.bulk_create(to_create)
    Target.objects.bulk_update(to_update, ["value", "goal", "updated_at"])
    return list(Target.objects.filter(goal=goal).select_related("partner").order_by("partner__code"))
