"""Law: the open-alert trend (one pass over the alerts, a running sum of the days they open and
close) counts what the plain definition counts: on each day, the alerts raised on or before it and
not resolved by it, for every partner or for a portfolio."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from risk.models import Alert, AlertRule, AlertStatus, Severity
from risk.selectors import open_alert_trend

from .helpers import DAY, partner

# The definition, day by day (the query the trend used before it read the alerts once).
PLAIN_SQL = """
SELECT day::date,
       COUNT(a.id) AS open_count,
       COUNT(a.id) FILTER (WHERE a.severity = 'critical') AS critical_count
FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS day
LEFT JOIN risk_alert a
       ON a.tenant_id = %(tenant)s AND a.raised_on <= day::date
      AND (a.resolved_on IS NULL OR a.resolved_on > day::date)
      AND (%(all_partners)s OR a.partner_id = ANY(%(partners)s))
GROUP BY day ORDER BY day
"""


def plain_trend(tenant, *, day, days, partner_ids=None):
    params = {
        "tenant": tenant.pk,
        "start": day - datetime.timedelta(days=days - 1),
        "end": day,
        "all_partners": partner_ids is None,
        "partners": list(partner_ids or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_SQL, params)
        rows = cursor.fetchall()
    return {
        "labels": [when.isoformat() for when, _open, _critical in rows],
        "open": [count for _when, count, _critical in rows],
        "critical": [critical for _when, _count, critical in rows],
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_trend_counts_what_the_day_by_day_definition_counts(acme, seed):
    # given: alerts raised and resolved on random days around a window (some before it, some after,
    # some resolved the day they were raised, some still open), on a dozen partners
    rng = random.Random(seed)
    partners = [partner(f"TL-{seed}-{n}") for n in range(12)]
    rules = AlertRule.values
    alerts = []
    for n in range(12 * len(rules)):
        raised = DAY - datetime.timedelta(days=rng.randint(-5, 40))
        resolved = None if rng.random() < 0.3 else raised + datetime.timedelta(days=rng.randint(0, 30))
        alerts.append(
            Alert(
                tenant=acme.tenant,
                partner=partners[n % 12],
                rule=rules[n // 12],
                severity=rng.choice(Severity.values),
                status=AlertStatus.OPEN if resolved is None else AlertStatus.RESOLVED,
                raised_on=raised,
                evaluated_on=raised,
                raised_at=timezone.now(),
                resolved_on=resolved,
            )
        )
    Alert.objects.bulk_create(alerts)
    portfolio = [p.pk for p in rng.sample(partners, 5)]
    # when / then: the same counts for every window, with and without a portfolio
    for day, days in [(DAY, 30), (DAY + datetime.timedelta(days=3), 7), (DAY - datetime.timedelta(days=10), 90)]:
        expected = plain_trend(acme.tenant, day=day, days=days)
        assert open_alert_trend(day=day, days=days) == expected
        assert sum(expected["open"]) > 0
        assert open_alert_trend(day=day, days=days, partner_ids=portfolio) == plain_trend(
            acme.tenant, day=day, days=days, partner_ids=portfolio
        )
        assert open_alert_trend(day=day, days=days, partner_ids=[]) == plain_trend(
            acme.tenant, day=day, days=days, partner_ids=[]
        )
