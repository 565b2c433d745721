"""Reads for risk: the receivables overview, the dashboards' figures, alert lists and the trend.

Every figure about money comes from ``facts.calculations.receivables_as_of`` (one statement for
all the partners asked about); the rest is a fixed number of queries, whatever the partner count.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from facts.calculations import BUCKETS, Receivables, receivables_as_of
from partners.models import Partner, PartnerStatus
from tenancy.context import require_tenant

from .calculations import ZERO, Thresholds, credit_severity, utilisation_percent
from .models import SEVERITY_RANK, Alert, AlertRule, AlertStatus, ReceivablesSnapshot, Severity

# --- the receivables overview ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OverviewRow:
    """One partner's receivables as of a day, with its credit limit and how much of it is used."""

    partner_id: int
    code: str
    name: str
    tier_name: str
    tier_rank: int
    region: str
    status: str
    status_label: str
    manager: str
    limit: Decimal | None
    limit_kind: str  # credit | pilot
    receivables: Receivables
    overdue_warning: Decimal  # overdue_amount(D, warning days)
    overdue_critical: Decimal  # overdue_amount(D, critical days)
    credit_severity: str | None
    warning_days: int = 30
    critical_days: int = 90

    @property
    def outstanding(self) -> Decimal:
        return self.receivables.outstanding

    @property
    def utilisation(self) -> Decimal | None:
        return utilisation_percent(self.outstanding, self.limit)

    @property
    def over_limit(self) -> bool:
        return self.credit_severity == Severity.CRITICAL

    @property
    def overdue_severity(self) -> str | None:
        """How the overdue rule would see the partner's money today (critical, warning, or None)."""
        if self.overdue_critical > 0:
            return Severity.CRITICAL
        if self.overdue_warning > 0:
            return Severity.WARNING
        return Severity.INFO if self.receivables.overdue > 0 else None

    def value(self, column: str):
        """The column's value, as sorting compares it."""
        if column in BUCKETS:
            return getattr(self.receivables, column)
        return getattr(self, column)


# Columns people sort by (the query parameter ``sort``, ``-`` first for descending).
SORT_COLUMNS = (
    "code", "name", "tier", "region", "status", "manager", "limit", "outstanding", *BUCKETS,
    "utilisation", "overdue_warning", "overdue_critical",
)  # fmt: skip
DEFAULT_SORT = "-outstanding"


def _sort_key(column: str):
    attribute = {"tier": "tier_rank", "status": "status_label"}.get(column, column)

    def key(row: OverviewRow):
        value = row.value(attribute)
        # Empty values (no limit, no manager) sort last either way round: (is empty, value).
        if value is None or value == "":
            return (1, 0)
        return (0, value.casefold() if isinstance(value, str) else value)

    return key


def sort_rows(rows: list[OverviewRow], sort: str) -> list[OverviewRow]:
    """Rows sorted by ``sort`` (a column of ``SORT_COLUMNS``, ``-`` first for descending), then by code."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in SORT_COLUMNS:
        return sort_rows(rows, DEFAULT_SORT)
    by_code = sorted(rows, key=lambda row: row.code)
    filled = [row for row in by_code if _sort_key(column)(row)[0] == 0]
    empty = [row for row in by_code if _sort_key(column)(row)[0] == 1]
    return sorted(filled, key=_sort_key(column), reverse=descending) + empty


def receivables_day(today: datetime.date) -> datetime.date:
    """The day the receivables pages show unless asked for another: the last night's (its receivables are
    kept, SPEC §4.1 allocated once), or ``today`` before any night has run."""
    latest = ReceivablesSnapshot.objects.order_by("-day").values_list("day", flat=True).first()
    return latest or today


def stored_receivables(*, partners: QuerySet, day: datetime.date, thresholds: Thresholds) -> dict | None:
    """The kept receivables of ``partners`` as of ``day`` (partner id → ``Receivables``), or None when the
    night's run kept none for that day at these thresholds (one query)."""
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    if ReceivablesSnapshot.objects.order_by("-day").values_list("day", flat=True).first() != day:
        return None
    kept = ReceivablesSnapshot.objects.filter(day=day)
    if kept.exclude(warning_days=warning_days, critical_days=critical_days).exists():
        return None
    rows = kept.filter(partner__in=partners.order_by().values("pk")).values_list(
        "partner_id", "invoiced", "paid", "current", "days_1_30", "days_31_60", "days_61_90", "days_over_90",
        "overdue", "overdue_warning", "overdue_critical",
    )  # fmt: skip
    return {
        partner_id: Receivables(
            partner_id=partner_id,
            day=day,
            invoiced=invoiced,
            paid=paid,
            current=current,
            days_1_30=d30,
            days_31_60=d60,
            days_61_90=d90,
            days_over_90=over_90,
            overdue=overdue,
            overdue_n=overdue,
            overdue_by={warning_days: warning, critical_days: critical},
        )
        for partner_id, invoiced, paid, current, d30, d60, d90, over_90, overdue, warning, critical in rows
    }


def receivables_overview(*, partners: QuerySet, day: datetime.date, thresholds: Thresholds) -> list[OverviewRow]:
    """A row for each of ``partners`` (already scoped and filtered): two queries, any number of partners."""
    fields = (
        "pk", "code", "name", "tier__name", "tier__rank", "region", "status", "manager__full_name",
        "manager__email", "credit_limit", "pilot_credit_limit",
    )  # fmt: skip
    listed = list(partners.order_by().values_list(*fields))
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    figures = stored_receivables(partners=partners, day=day, thresholds=thresholds)
    if figures is None:  # another day, or thresholds changed since the night: allocate live
        figures = receivables_as_of(
            day=day, partner_ids=[row[0] for row in listed], overdue_at=(warning_days, critical_days)
        )
    labels = dict(PartnerStatus.choices)
    rows = []
    for pk, code, name, tier_name, tier_rank, region, status, full_name, email, credit_limit, pilot_limit in listed:
        owed = figures.get(pk) or Receivables(pk, day)
        limit, limit_kind = credit_limit, "credit"
        if status == PartnerStatus.PILOT and pilot_limit is not None:  # a pilot is measured against its own limit
            limit, limit_kind = pilot_limit, "pilot"
        rows.append(
            _overview_row(
                (pk, code, name, tier_name, tier_rank, region, status, full_name or email or "", limit, limit_kind),
                owed,
                overdue_warning=owed.overdue_by.get(warning_days, ZERO),
                overdue_critical=owed.overdue_by.get(critical_days, ZERO),
                labels=labels,
                thresholds=thresholds,
            )
        )
    return rows


def partner_overview(partner: Partner, *, day: datetime.date, thresholds: Thresholds) -> OverviewRow:
    """One partner's row of the overview (its credit and overdue badges, its risk tab): two queries."""
    return receivables_overview(partners=Partner.objects.filter(pk=partner.pk), day=day, thresholds=thresholds)[0]


@dataclasses.dataclass(frozen=True)
class OverviewTotals:
    partners: int
    outstanding: Decimal
    buckets: dict[str, Decimal]
    limit: Decimal  # the limits of the partners that have one
    overdue_warning: Decimal
    overdue_critical: Decimal
    overdue_partners: int  # with anything overdue by the warning days or more
    over_limit_partners: int


def overview_totals(rows: Iterable[OverviewRow]) -> OverviewTotals:
    rows = list(rows)
    return OverviewTotals(
        partners=len(rows),
        outstanding=sum((row.outstanding for row in rows), ZERO),
        buckets={name: sum((getattr(row.receivables, name) for row in rows), ZERO) for name in BUCKETS},
        limit=sum((row.limit for row in rows if row.limit is not None), ZERO),
        overdue_warning=sum((row.overdue_warning for row in rows), ZERO),
        overdue_critical=sum((row.overdue_critical for row in rows), ZERO),
        overdue_partners=sum(1 for row in rows if row.overdue_warning > 0),
        over_limit_partners=sum(1 for row in rows if row.over_limit),
    )


# --- the dashboards -------------------------------------------------------------------------------

# Utilisation bands of the risk dashboard: (upper bound in percent, exclusive; None = no bound).
UTILISATION_BANDS: tuple[tuple[int | None, str], ...] = (
    (50, "0–50%"), (80, "50–80%"), (100, "80–100%"), (150, "100–150%"), (None, "≥ 150%"),
)  # fmt: skip


def _used(row: OverviewRow) -> Decimal:
    """Utilisation for ranking: a limit of 0 with money owed ranks above everything."""
    if row.utilisation is not None:
        return row.utilisation
    return Decimal("Infinity") if row.outstanding > 0 else Decimal(0)


def utilisation_distribution(rows: Sequence[OverviewRow]) -> dict:
    """How many partners use how much of their limit (partners without a limit counted apart)."""
    counts = [0] * len(UTILISATION_BANDS)
    without_limit = 0
    for row in rows:
        if row.limit is None:
            without_limit += 1
            continue
        used = _used(row)
        for index, (upper, _label) in enumerate(UTILISATION_BANDS):
            if upper is None or used < upper:
                counts[index] += 1
                break
    return {"labels": [label for _upper, label in UTILISATION_BANDS], "counts": counts, "without_limit": without_limit}


def highest_utilisations(rows: Sequence[OverviewRow], count: int = 10) -> list[OverviewRow]:
    """The ``count`` partners that use the most of their limit (partners with a limit and money owed)."""
    ranked = [row for row in rows if row.limit is not None and row.outstanding > 0]
    return sorted(ranked, key=lambda row: (_used(row), row.code), reverse=True)[:count]


def severity_order() -> Case:
    """Critical first: an annotation to order alerts by."""
    return Case(
        *(When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def alert_list(alerts: QuerySet) -> QuerySet:
    """Alerts as lists show them: the worst and newest first, with partner and manager (one query)."""
    return (
        alerts.select_related("partner", "partner__manager", "partner__tier")
        .annotate(severity_rank=severity_order())
        .order_by("-severity_rank", "-raised_on", "-id")
    )


@dataclasses.dataclass(frozen=True)
class AlertCounts:
    by_severity: dict[str, int]
    by_rule: list[tuple[str, str, dict[str, int], int]]  # rule, label, severity → count, total

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


def open_alert_counts(alerts: QuerySet) -> AlertCounts:
    """Open and acknowledged alerts by severity and by rule × severity (one query)."""
    rows = (
        alerts.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        .order_by()
        .values_list("rule", "severity")
        .annotate(count=Count("pk"))  # counted in SQL: thousands of open alerts are a few rows here
    )
    counted = {(rule, severity): count for rule, severity, count in rows}
    by_severity = {severity: 0 for severity in reversed(Severity.values)}
    for (_rule, severity), count in counted.items():
        by_severity[severity] += count
    by_rule = []
    for rule, label in AlertRule.choices:
        per = {severity: counted.get((rule, severity), 0) for severity in reversed(Severity.values)}
        by_rule.append((rule, label, per, sum(per.values())))
    return AlertCounts(by_severity=by_severity, by_rule=by_rule)


# Each alert adds one on the first day of the window it is open (its night or the window's first day)
# and takes one away on the day it was resolved (if inside the window); a running sum over the days
# gives the open count of each day. One pass over the alerts instead of one per day.
TREND_SQL = """
WITH spans AS (
    SELECT GREATEST(a.raised_on, %(start)s::date) AS first_day,
           LEAST(a.resolved_on, %(end)s::date + 1) AS end_day,
           (a.severity = 'critical')::int AS critical
    FROM risk_alert a
    WHERE a.tenant_id = %(tenant)s AND a.raised_on <= %(end)s::date
      AND (a.resolved_on IS NULL OR a.resolved_on > %(start)s::date)
      AND (%(all_partners)s OR a.partner_id = ANY(%(partners)s))
), changes AS (
    SELECT first_day AS day, 1 AS delta, critical FROM spans WHERE first_day < end_day
    UNION ALL
    SELECT end_day, -1, -critical FROM spans WHERE first_day < end_day AND end_day <= %(end)s::date
), per_day AS (
    SELECT day AS changed_on, SUM(delta) AS delta, SUM(critical) AS critical FROM changes GROUP BY day
)
SELECT series.day::date,
       COALESCE(SUM(per_day.delta) OVER (ORDER BY series.day), 0)::bigint AS open_count,
       COALESCE(SUM(per_day.critical) OVER (ORDER BY series.day), 0)::bigint AS critical_count
FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS series(day)
LEFT JOIN per_day ON per_day.changed_on = series.day::date
ORDER BY series.day
"""


def open_alert_trend(*, day: datetime.date, days: int = 90, partner_ids: Sequence[int] | None = None) -> dict:
    """How many alerts were open on each of the ``days`` days ending ``day`` (one query).

    An alert counts from the night it was raised until the day it was resolved (today's severity:
    an alert that escalated counts as critical all along).
    """
    start = day - datetime.timedelta(days=days - 1)
    params = {
        "tenant": require_tenant().pk,
        "start": start,
        "end": day,
        "all_partners": partner_ids is None,
        "partners": list(partner_ids or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(TREND_SQL, params)
        rows = cursor.fetchall()
    return {
        "labels": [when.isoformat() for when, _open, _critical in rows],
        "open": [count for _when, count, _critical in rows],
        "critical": [critical for _when, _count, critical in rows],
    }


def dashboard_risk(*, membership, tenant, day: datetime.date) -> dict:
    """The vendor dashboard's risk figures for what the member sees: overdue totals, the ten highest
    utilisations and the open alerts by severity (a fixed number of queries)."""
    from tenancy.access import restrict_to_visible_partners, visible_partners

    thresholds = Thresholds.of(tenant.risk_thresholds)
    summary = overview_summary(partners=visible_partners(membership), day=day, thresholds=thresholds)
    alerts = restrict_to_visible_partners(Alert.objects.all(), membership, "partner")
    counts = open_alert_counts(alerts)
    return {
        "thresholds": thresholds,
        "totals": summary.totals,
        "overdue_any": summary.overdue_any,
        "highest": summary.highest,
        "severity_counts": [
            (value, label, counts.by_severity.get(value, 0)) for value, label in reversed(Severity.choices)
        ],
    }


# --- the same, in SQL over the night's kept receivables (issue 13: pages at 10,000 partners) ---------
#
# When the night kept the receivables of the day shown at today's thresholds, the overview's totals, the
# dashboards' bands and top ten, and the overview's sorted pages are SQL over risk_receivablessnapshot:
# no row per partner is built in Python but the page's fifty (or the top ten). Otherwise (another day, or
# thresholds changed since the night) the rows are built as above and the same figures taken from them.


def kept_receivables_apply(*, day: datetime.date, thresholds: Thresholds) -> bool:
    """Whether the night kept the receivables of ``day`` at these thresholds (two queries)."""
    if ReceivablesSnapshot.objects.order_by("-day").values_list("day", flat=True).first() != day:
        return False
    kept = ReceivablesSnapshot.objects.filter(day=day)
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    return not kept.exclude(warning_days=warning_days, critical_days=critical_days).exists()


_KEPT = ("invoiced", "paid", *BUCKETS, "overdue", "overdue_warning", "overdue_critical")

# One row per partner of ``partners`` (the {partners} subquery) with its kept receivables (zeros without).
_OVERVIEW_ROWS_SQL = """
SELECT p.id, p.code, p.name, {tier}, p.region, p.status, {manager},
       CASE WHEN p.status = %s AND p.pilot_credit_limit IS NOT NULL
            THEN p.pilot_credit_limit ELSE p.credit_limit END AS limit_value,
       CASE WHEN p.status = %s AND p.pilot_credit_limit IS NOT NULL THEN 'pilot' ELSE 'credit' END AS limit_kind,
       {kept},
       COALESCE(s.invoiced, 0) - COALESCE(s.paid, 0) AS outstanding
FROM partners_partner p{joins}
LEFT JOIN risk_receivablessnapshot s ON s.partner_id = p.id AND s.day = %s
WHERE p.id IN ({partners})
"""

# … with utilisation (percent_of: two places half up, none without a positive limit) and, for ranking,
# ``unbounded`` (a limit of 0 or less with money owed: above everything).
_OVERVIEW_SQL = """
WITH o AS ({rows})
SELECT o.*,
       CASE WHEN o.limit_value > 0 THEN ROUND(100 * o.outstanding / o.limit_value, 2) END AS utilisation,
       (o.limit_value IS NOT NULL AND o.limit_value <= 0 AND o.outstanding > 0) AS unbounded
FROM o
"""


# The tier's and the manager's columns, and their joins; the totals' narrow overview goes without them.
_WIDE = (
    "t.name AS tier_name, t.rank AS tier_rank",
    "COALESCE(NULLIF(u.full_name, ''), NULLIF(u.email, ''), '') AS manager",
    "\nJOIN partners_tier t ON t.id = p.tier_id\nLEFT JOIN accounts_user u ON u.id = p.manager_id",
)
_NARROW = ("NULL::text AS tier_name, NULL::integer AS tier_rank", "''::text AS manager", "")


def _overview_sql(partners: QuerySet, day: datetime.date, *, wide: bool = True) -> tuple[str, list]:
    inner, inner_params = partners.order_by().values("pk").query.get_compiler(using=partners.db).as_sql()
    kept = ", ".join(f"COALESCE(s.{name}, 0) AS {name}" for name in _KEPT)
    tier, manager, joins = _WIDE if wide else _NARROW
    rows = _OVERVIEW_ROWS_SQL.format(kept=kept, partners=inner, tier=tier, manager=manager, joins=joins)
    params = [PartnerStatus.PILOT, PartnerStatus.PILOT, day, *inner_params]
    return _OVERVIEW_SQL.format(rows=rows), params


def _fetch(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _over_limit_sql(thresholds: Thresholds) -> tuple[str, list]:
    """``credit_severity(...) == critical`` in SQL (a limit of 0 is a limit: anything owed is over it)."""
    return (
        "(v.limit_value IS NOT NULL AND ((v.limit_value = 0 AND v.outstanding > 0)"
        " OR (v.limit_value <> 0 AND 100 * v.outstanding >= %s * v.limit_value)))",
        [Decimal(thresholds.credit_critical_percent)],
    )


def _band_conditions() -> list[str]:
    """For each utilisation band, whether a partner with a limit falls in it (the first band its use is
    below the upper bound of; unbounded use in the last)."""
    used = "(CASE WHEN v.utilisation IS NOT NULL THEN v.utilisation WHEN v.unbounded THEN NULL ELSE 0 END)"
    conditions, below_earlier = [], []
    for upper, _label in UTILISATION_BANDS:
        below = f"COALESCE({used} < {int(upper)}, false)" if upper is not None else "true"
        conditions.append(" AND ".join(["v.limit_value IS NOT NULL", below, *(f"NOT {b}" for b in below_earlier)]))
        below_earlier.append(below)
    return conditions


@dataclasses.dataclass(frozen=True)
class OverviewSummary:
    """What the dashboards and the overview show about all the partners at once."""

    totals: OverviewTotals
    overdue_any: Decimal  # overdue by a day or more
    distribution: dict
    highest: list[OverviewRow]


def overview_summary(
    *, partners: QuerySet, day: datetime.date, thresholds: Thresholds, highest: int = 10, kept: bool | None = None
) -> OverviewSummary:
    """Totals, utilisation bands and the ``highest`` highest utilisations of ``partners``: SQL over the
    kept receivables (two queries, three with the top ten) when they apply, the rows otherwise."""
    if kept is None:
        kept = kept_receivables_apply(day=day, thresholds=thresholds)
    if not kept:
        rows = receivables_overview(partners=partners, day=day, thresholds=thresholds)
        return OverviewSummary(
            totals=overview_totals(rows),
            overdue_any=sum((row.receivables.overdue for row in rows), ZERO),
            distribution=utilisation_distribution(rows),
            highest=highest_utilisations(rows, highest) if highest else [],
        )
    overview, params = _overview_sql(partners, day, wide=False)
    over_limit, over_limit_params = _over_limit_sql(thresholds)
    bands = _band_conditions()
    sums = ", ".join(f"SUM(v.{name})" for name in ("outstanding", *BUCKETS, "overdue_warning", "overdue_critical"))
    sql = (
        f"WITH v AS ({overview}) SELECT COUNT(*), {sums}, SUM(v.limit_value), SUM(v.overdue),"
        f" COUNT(*) FILTER (WHERE v.overdue_warning > 0), COUNT(*) FILTER (WHERE {over_limit}),"
        f" COUNT(*) FILTER (WHERE v.limit_value IS NULL),"
        + ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in bands)
        + " FROM v"
    )
    figures = list(_fetch(sql, [*params, *over_limit_params])[0])
    count = figures.pop(0)
    money = [ZERO if value is None else value for value in figures[: 5 + len(BUCKETS)]]
    outstanding, *buckets = money[: 1 + len(BUCKETS)]
    overdue_warning, overdue_critical, limit, overdue_any = money[1 + len(BUCKETS) :]
    overdue_partners, over_limit_partners, without_limit, *band_counts = figures[5 + len(BUCKETS) :]
    totals = OverviewTotals(
        partners=count,
        outstanding=outstanding,
        buckets=dict(zip(BUCKETS, buckets, strict=True)),
        limit=limit,
        overdue_warning=overdue_warning,
        overdue_critical=overdue_critical,
        overdue_partners=overdue_partners,
        over_limit_partners=over_limit_partners,
    )
    distribution = {
        "labels": [label for _upper, label in UTILISATION_BANDS],
        "counts": band_counts,
        "without_limit": without_limit,
    }
    top = []
    if highest:
        overview, params = _overview_sql(partners, day)
        top = _rows(
            f"WITH v AS ({overview}) SELECT * FROM v WHERE v.limit_value IS NOT NULL AND v.outstanding > 0"
            ' ORDER BY v.unbounded DESC, v.utilisation DESC, v.code COLLATE "C" DESC LIMIT %s',
            [*params, highest],
            day=day,
            thresholds=thresholds,
        )
    return OverviewSummary(totals=totals, overdue_any=overdue_any, distribution=distribution, highest=top)


def _rows(sql: str, params: Sequence, *, day: datetime.date, thresholds: Thresholds) -> list[OverviewRow]:
    """Overview rows from the SQL's rows (the columns of ``_OVERVIEW_SQL``, in order)."""
    warning_days, critical_days = thresholds.overdue_warning_days, thresholds.overdue_critical_days
    labels = dict(PartnerStatus.choices)
    rows = []
    for record in _fetch(sql, params):
        pk = record[0]
        kept = dict(zip(_KEPT, record[10 : 10 + len(_KEPT)], strict=True))
        owed = Receivables(
            partner_id=pk,
            day=day,
            invoiced=kept["invoiced"],
            paid=kept["paid"],
            **{name: kept[name] for name in BUCKETS},
            overdue=kept["overdue"],
            overdue_n=kept["overdue"],
            overdue_by={warning_days: kept["overdue_warning"], critical_days: kept["overdue_critical"]},
        )
        rows.append(
            _overview_row(
                record[:10],
                owed,
                overdue_warning=kept["overdue_warning"],
                overdue_critical=kept["overdue_critical"],
                labels=labels,
                thresholds=thresholds,
            )
        )
    return rows


def _overview_row(partner: Sequence, owed: Receivables, *, overdue_warning, overdue_critical, labels, thresholds):
    """An overview row from a partner's ten listed fields (id, code, name, tier name and rank, region, status,
    manager, limit and its kind) and its receivables: one construction for the live and the kept figures."""
    pk, code, name, tier_name, tier_rank, region, status, manager, limit, limit_kind = partner
    return OverviewRow(
        partner_id=pk,
        code=code,
        name=name,
        tier_name=tier_name,
        tier_rank=tier_rank,
        region=region,
        status=status,
        status_label=str(labels.get(status, status)),
        manager=manager,
        limit=limit,
        limit_kind=limit_kind,
        receivables=owed,
        overdue_warning=overdue_warning,
        overdue_critical=overdue_critical,
        credit_severity=credit_severity(owed.outstanding, limit, thresholds),
        warning_days=thresholds.overdue_warning_days,
        critical_days=thresholds.overdue_critical_days,
    )


def _order_by(sort: str) -> tuple[str, list]:
    """``sort_rows``'s order in SQL: empty values last either way round, ties by code."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in SORT_COLUMNS:
        return _order_by(DEFAULT_SORT)
    params: list = []
    if column == "status":  # by the label people read, in their language
        labels = dict(PartnerStatus.choices)
        whens = " ".join("WHEN %s THEN %s" for _value in labels)
        for value, label in labels.items():
            params += [value, str(label).casefold()]
        expression = f"NULLIF(CASE v.status {whens} ELSE lower(v.status) END, '') COLLATE \"C\""
    elif column in ("code", "name", "region", "manager"):
        expression = f"NULLIF(lower(v.{column}), '') COLLATE \"C\""
    else:
        expression = {"tier": "v.tier_rank", "limit": "v.limit_value"}.get(column, f"v.{column}")
    direction = "DESC" if descending else "ASC"
    return f'({expression}) IS NULL, {expression} {direction}, v.code COLLATE "C", v.id', params * 2  # twice


class OverviewPages:
    """The overview's rows in ``sort``'s order, a page at a time: what the paginator slices (the count and
    each page one query; iterating fetches them all, for the exports)."""

    def __init__(self, *, partners: QuerySet, day: datetime.date, thresholds: Thresholds, sort: str):
        self.partners, self.day, self.thresholds, self.sort = partners, day, thresholds, sort
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.partners.order_by().count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _query(self, limit: int | None = None, offset: int = 0) -> list[OverviewRow]:
        overview, params = _overview_sql(self.partners, self.day)
        order, order_params = _order_by(self.sort)
        sql = f"WITH v AS ({overview}) SELECT * FROM v ORDER BY {order}"
        params = [*params, *order_params]
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        return _rows(sql, params, day=self.day, thresholds=self.thresholds)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.count())
            if step != 1:
                return self._query()[index]
            return self._query(max(stop - start, 0), start) if stop > start else []
        return self[index : index + 1][0]

    def __iter__(self):
        return iter(self._query())
