"""Target attainment (SPEC §4.2), pace and the SMART check, set-based.

A target's ``actual`` is what its partner did on its metric in its period:
- ``sales``: the sum of sale amounts dated in the period (returns are negative and count);
- ``collections``: the sum of payments dated in the period;
- ``new_customers``: the customers whose first sale with this partner, over all time, falls
  in the period (a customer is the ``customer`` text of the sale rows, as imported).

``attainment = actual / value``, four places, half up. Any number of targets is measured in
at most one SQL statement per metric: the targets go to PostgreSQL as arrays (``unnest``)
and are joined to the facts there, never one query per target.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from common.periods import Period
from facts.models import Payment, Sale
from tenancy.context import require_tenant

from .models import Metric, Target

FOUR_PLACES = Decimal("0.0001")
ZERO = Decimal("0")
SMART_HIGH = Decimal("3")
SMART_LOW = Decimal("0.5")

_MEASURED = """
WITH measure(key, partner_id, starts_on, ends_on) AS (
    SELECT * FROM unnest(%(keys)s::bigint[], %(partners)s::bigint[], %(starts)s::date[], %(ends)s::date[])
)
"""

# The money metrics: full-period sum and the sum up to %(day)s, per measure.
AMOUNT_SQL = (
    _MEASURED
    + """
SELECT measure.key,
       COALESCE(SUM(fact.amount), 0),
       COALESCE(SUM(fact.amount) FILTER (WHERE fact.date <= %(day)s), 0)
FROM measure
LEFT JOIN {table} fact
       ON fact.tenant_id = %(tenant)s AND fact.partner_id = measure.partner_id
      AND fact.date BETWEEN measure.starts_on AND measure.ends_on
GROUP BY measure.key
"""
)

# New customers: each (partner, customer)'s first sale over all time, counted where it falls.
NEW_CUSTOMERS_SQL = (
    _MEASURED
    + """,
first_sale AS (
    SELECT sale.partner_id, sale.customer, MIN(sale.date) AS first_date
    FROM facts_sale sale
    WHERE sale.tenant_id = %(tenant)s AND sale.partner_id = ANY(%(partners)s::bigint[])
    GROUP BY sale.partner_id, sale.customer
)
SELECT measure.key,
       COUNT(first_sale.customer),
       COUNT(first_sale.customer) FILTER (WHERE first_sale.first_date <= %(day)s)
FROM measure
LEFT JOIN first_sale
       ON first_sale.partner_id = measure.partner_id
      AND first_sale.first_date BETWEEN measure.starts_on AND measure.ends_on
GROUP BY measure.key
"""
)

SQL_BY_METRIC = {
    Metric.SALES: AMOUNT_SQL.format(table=Sale._meta.db_table),
    Metric.COLLECTIONS: AMOUNT_SQL.format(table=Payment._meta.db_table),
    Metric.NEW_CUSTOMERS: NEW_CUSTOMERS_SQL,
}


@dataclasses.dataclass(frozen=True)
class Measure:
    """One thing to measure: a partner's metric between two days; ``key`` names the answer."""

    key: int
    partner_id: int
    metric: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclasses.dataclass(frozen=True)
class Measured:
    actual: Decimal  # the whole range
    to_date: Decimal  # the range up to the day asked for (the whole range when none was)


def measure(measures: Sequence[Measure], *, day: datetime.date | None = None) -> dict[int, Measured]:
    """Measure everything asked for, one SQL statement per metric present."""
    tenant = require_tenant()
    by_metric: dict[str, list[Measure]] = defaultdict(list)
    for item in measures:
        by_metric[item.metric].append(item)
    result: dict[int, Measured] = {}
    for metric, items in by_metric.items():
        params = {
            "tenant": tenant.pk,
            "day": day or datetime.date.max,
            "keys": [item.key for item in items],
            "partners": [item.partner_id for item in items],
            "starts": [item.starts_on for item in items],
            "ends": [item.ends_on for item in items],
        }
        with connection.cursor() as cursor:
            cursor.execute(SQL_BY_METRIC[metric], params)
            for key, actual, to_date in cursor.fetchall():
                result[key] = Measured(Decimal(actual), Decimal(to_date))
    return result


def _measures_of(targets: Iterable[Target]) -> list[Measure]:
    return [Measure(t.pk, t.partner_id, t.metric, t.starts_on, t.ends_on) for t in targets]


def attainment(actual: Decimal, value: Decimal) -> Decimal:
    """``actual / value``, four places, half up (1.0000 is 100%)."""
    return (Decimal(actual) / Decimal(value)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def actuals(targets: Iterable[Target]) -> dict[int, Decimal]:
    """Each target's actual in its period, by target id."""
    return {key: measured.actual for key, measured in measure(_measures_of(targets)).items()}


def attainments(targets: Iterable[Target]) -> dict[int, Decimal]:
    """Each target's attainment (four places), by target id."""
    targets = list(targets)
    found = actuals(targets)
    return {target.pk: attainment(found[target.pk], target.value) for target in targets}


@dataclasses.dataclass(frozen=True)
class Pace:
    """Where a target is heading: the actual so far, and the attainment at the period's end at this rate.

    “On course for 87%”: ``projected_attainment`` = (actual to date / days elapsed × days in the
    period) / value, four places; after the period it is the final attainment (``is_final``).
    """

    actual_to_date: Decimal
    elapsed_days: int
    period_days: int
    projected_attainment: Decimal
    is_final: bool


def _pace(target: Target, measured: Measured, day: datetime.date) -> Pace | None:
    if day < target.starts_on:
        return None
    period_days = (target.ends_on - target.starts_on).days + 1
    if day >= target.ends_on:
        return Pace(measured.actual, period_days, period_days, attainment(measured.actual, target.value), True)
    elapsed = (day - target.starts_on).days + 1
    projected = (measured.to_date * period_days / (elapsed * Decimal(target.value))).quantize(
        FOUR_PLACES, rounding=ROUND_HALF_UP
    )
    return Pace(measured.to_date, elapsed, period_days, projected, False)


def paces(targets: Iterable[Target], day: datetime.date) -> dict[int, Pace | None]:
    """Each target's pace on ``day`` (counting facts up to and including it); None before the period."""
    targets = list(targets)
    found = measure(_measures_of(targets), day=day)
    return {target.pk: _pace(target, found[target.pk], day) for target in targets}


def pace(target: Target, day: datetime.date) -> Pace | None:
    return paces([target], day)[target.pk]


@dataclasses.dataclass(frozen=True)
class Figures:
    """What the pages and the API show of a target: actual, attainment and pace."""

    actual: Decimal
    attainment: Decimal
    pace: Pace | None


def figures(targets: Iterable[Target], day: datetime.date) -> dict[int, Figures]:
    """Actual, attainment and pace on ``day`` of every target, in one SQL statement per metric."""
    targets = list(targets)
    found = measure(_measures_of(targets), day=day)
    return {
        target.pk: Figures(
            actual=found[target.pk].actual,
            attainment=attainment(found[target.pk].actual, target.value),
            pace=_pace(target, found[target.pk], day),
        )
        for target in targets
    }


def mean_attainment_on(
    day: datetime.date, *, partner_ids: Iterable[int] | None = None
) -> dict[int, tuple[Decimal, int]]:
    """Per partner, the mean of the four-place attainments of its targets whose period contains ``day``.

    For the score's ``attainment`` component (SPEC §4.3). The mean is exact (Decimal, 28
    significant digits), not rounded: the caller rounds the component it makes of it. Partners
    with no such target are absent (the component is then 50). ``(mean, number of targets)``.
    """
    targets = Target.objects.filter(starts_on__lte=day, ends_on__gte=day)
    if partner_ids is not None:
        targets = targets.filter(partner_id__in=list(partner_ids))
    targets = list(targets.only("id", "partner_id", "metric", "starts_on", "ends_on", "value"))
    found = attainments(targets)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    counts: dict[int, int] = defaultdict(int)
    for target in targets:
        sums[target.partner_id] += found[target.pk]
        counts[target.partner_id] += 1
    return {partner_id: (sums[partner_id] / counts[partner_id], counts[partner_id]) for partner_id in sums}


def partner_actuals(*, partner_ids: Iterable[int], metric: str, period: Period) -> dict[int, Decimal]:
    """Each partner's actual on ``metric`` in ``period`` (for splits and the SMART check), one query."""
    items = [Measure(pk, pk, metric, period.start, period.end) for pk in partner_ids]
    return {key: measured.actual for key, measured in measure(items).items()}


@dataclasses.dataclass(frozen=True)
class SmartCheck:
    """How a proposed target compares with the same metric in the same-length period before.

    ``warnings`` ask the person to think again (over 3× or under 0.5× of it); ``notes`` only
    inform (nothing to compare with).
    """

    previous_period: Period
    previous_actual: Decimal
    warnings: list[str]
    notes: list[str]


def show_amount(metric: str, amount: Decimal) -> str:
    """A metric's amount as people read it: money with two places, customers as a whole number."""
    places = 0 if metric == Metric.NEW_CUSTOMERS else 2
    return number_format(amount, places, use_l10n=True, force_grouping=True)


def smart_check(*, partner_id: int, metric: str, period: Period, value: Decimal) -> SmartCheck:
    """The SMART check of SPEC §4.2, in one query."""
    previous = period.previous()
    actual = partner_actuals(partner_ids=[partner_id], metric=metric, period=previous)[partner_id]
    names = {
        "value": show_amount(metric, value),
        "previous": previous.label,
        "actual": show_amount(metric, actual),
    }
    warnings: list[str] = []
    notes: list[str] = []
    if actual <= 0:
        notes.append(_("No history to compare with: the actual in %(previous)s was %(actual)s.") % names)
    elif value > SMART_HIGH * actual:
        warnings.append(
            _("%(value)s is more than 3 times the actual of %(previous)s (%(actual)s): is it achievable?") % names
        )
    elif value < SMART_LOW * actual:
        warnings.append(
            _("%(value)s is under half the actual of %(previous)s (%(actual)s): is it challenging enough?") % names
        )
    return SmartCheck(previous, actual, warnings, notes)


def smart_warnings(partner, metric: str, period: Period | str, value: Decimal) -> list[str]:
    """The warnings only (see ``smart_check`` for the informational notes)."""
    period = period if isinstance(period, Period) else Period.parse(period)
    return smart_check(partner_id=partner.pk, metric=metric, period=period, value=Decimal(value)).warnings
