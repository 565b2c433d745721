"""The receivables overview and the dashboards' figures in SQL over the night's kept receivables (issue 13):
the same totals, bands, top ten and sorted pages as the rows built in Python."""

from __future__ import annotations

import datetime
import random

import pytest

from partners.models import Partner, PartnerStatus
from risk.calculations import Thresholds
from risk.selectors import (
    SORT_COLUMNS,
    OverviewPages,
    kept_receivables_apply,
    overview_summary,
    receivables_overview,
    sort_rows,
)
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, days_before, evaluate, partner

LIMITS = (None, None, "0.00", "0.01", "100.00", "2000.00", "5000.00", "100000.00")
STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ACTIVE, PartnerStatus.PILOT, PartnerStatus.SUSPENDED)
REGIONS = ("", "North", "south", "East", "Ēast")


def _random_world(seed: int) -> list[Partner]:
    rng = random.Random(seed)
    partners = []
    for n in range(14):
        status = rng.choice(STATUSES)
        pilot = {}
        if status == PartnerStatus.PILOT:  # a pilot is measured against its own limit
            pilot = {"pilot_credit_limit": rng.choice(LIMITS[2:]), "pilot_ends_on": datetime.date(2026, 9, 30)}
        code = f"SQ{seed}-{rng.choice('abAB')}{n:02d}"
        partners.append(
            partner(
                code,
                status=status,
                credit_limit=rng.choice(LIMITS),
                **pilot,
                region=rng.choice(REGIONS),
                name=rng.choice(["Zeta", "alpha", "Alpha", "beta"]),
            )
        )
    invoices, payments = [], []
    for n in range(30):
        owner = rng.choice(partners[:11])  # the last three owe nothing: no kept row
        issued = rng.randrange(5, 200)
        number = f"SQ{seed}-I{n}"
        amount = rng.choice(["100.00", "50.00", f"{rng.randrange(100, 500000) / 100:.2f}"])
        invoices.append(invoice(owner, number, days_before(DAY, issued), days_before(DAY, issued - 30), amount))
        if rng.random() < 0.5:
            paid = rng.choice([amount, f"{rng.randrange(100, 300000) / 100:.2f}"])
            payments.append(payment(owner, days_before(DAY, rng.randrange(0, issued)), paid, number))
    load("invoices", *invoices)
    if payments:
        load("payments", *payments)
    return partners


def _key(row):
    return (row.partner_id, row.limit, row.limit_kind, row.outstanding, row.utilisation, row.credit_severity,
            row.overdue_warning, row.overdue_critical, row.receivables.buckets, row.manager,
            row.status_label)  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("thresholds_data", [{}, {"credit_warning_percent": 50, "credit_critical_percent": 0}])
def test_the_sql_figures_equal_the_rows_built_in_python(acme, seed, thresholds_data):
    # given partners with random limits, statuses and receivables, and the night's run
    _random_world(seed)
    acme.tenant.risk_thresholds = {**(acme.tenant.risk_thresholds or {}), **thresholds_data}
    acme.tenant.save()
    evaluate(DAY)
    thresholds = Thresholds.of(acme.tenant.risk_thresholds)
    partners = Partner.objects.filter(code__startswith=f"SQ{seed}-")
    assert kept_receivables_apply(day=DAY, thresholds=thresholds)

    # when the figures are taken in SQL and from the rows
    in_sql = overview_summary(partners=partners, day=DAY, thresholds=thresholds, highest=10, kept=True)
    in_python = overview_summary(partners=partners, day=DAY, thresholds=thresholds, highest=10, kept=False)

    # then totals, bands and the top ten are the same
    assert in_sql.totals == in_python.totals
    assert in_sql.totals.partners == 14
    assert in_sql.overdue_any == in_python.overdue_any
    assert in_sql.distribution == in_python.distribution
    assert [_key(row) for row in in_sql.highest] == [_key(row) for row in in_python.highest]

    # and every sort gives the same rows in the same order, whole and a page at a time
    rows = receivables_overview(partners=partners, day=DAY, thresholds=thresholds)
    for column in SORT_COLUMNS:
        for sort in (column, f"-{column}"):
            pages = OverviewPages(partners=partners, day=DAY, thresholds=thresholds, sort=sort)
            expected = [_key(row) for row in sort_rows(rows, sort)]
            assert [_key(row) for row in pages] == expected, sort
            assert len(pages) == 14
            assert [_key(row) for row in pages[5:10]] == expected[5:10], sort


def test_the_summary_falls_back_to_the_rows_when_the_thresholds_changed(acme):
    # given a night's kept receivables, then the overdue days changed
    _random_world(9)
    evaluate(DAY)
    acme.tenant.risk_thresholds = {**(acme.tenant.risk_thresholds or {}), "overdue_warning_days": 7}
    acme.tenant.save()
    thresholds = Thresholds.of(acme.tenant.risk_thresholds)

    # then the kept receivables do not apply, and the summary is the live one
    assert not kept_receivables_apply(day=DAY, thresholds=thresholds)
    partners = Partner.objects.filter(code__startswith="SQ9-")
    summary = overview_summary(partners=partners, day=DAY, thresholds=thresholds)
    rows = receivables_overview(partners=partners, day=DAY, thresholds=thresholds)
    assert summary.totals.overdue_warning == sum(row.overdue_warning for row in rows)
