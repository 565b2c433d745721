"""The receivables the nightly run keeps (issue 13): the same figures as allocating live, read by the pages."""

from __future__ import annotations

import dataclasses
import datetime
import random

import pytest

from facts.calculations import receivables_as_of
from partners.models import Partner
from risk.calculations import Thresholds
from risk.models import ReceivablesSnapshot
from risk.selectors import receivables_day, stored_receivables
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, days_before, evaluate, partner

FIGURES = ("invoiced", "paid", "current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "overdue")


def _random_money_world(seed: int) -> list[Partner]:
    rng = random.Random(seed)
    partners = [partner(f"RS-{seed}-{n}", credit_limit="5000.00") for n in range(5)]
    invoices, payments = [], []
    for n in range(30):
        owner = rng.choice(partners)
        issued = rng.randrange(10, 200)
        number = f"RS-{seed}-I{n}"
        invoices.append(invoice(owner, number, days_before(DAY, issued), days_before(DAY, issued - 30),
                                f"{rng.randrange(100, 500000) / 100:.2f}"))  # fmt: skip
        if rng.random() < 0.6:
            named = number if rng.random() < 0.5 else None
            paid_on = days_before(DAY, rng.randrange(0, issued))
            payments.append(payment(owner, paid_on, f"{rng.randrange(100, 300000) / 100:.2f}", named))
    load("invoices", *invoices)
    load("payments", *payments)
    return partners


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_receivables_equal_the_live_allocation(acme, seed):
    # given partners with random invoices and payments, named or not
    partners = _random_money_world(seed)
    thresholds = Thresholds.of(acme.tenant.risk_thresholds)
    days = (thresholds.overdue_warning_days, thresholds.overdue_critical_days)

    # when the night's risk step has run
    evaluate(DAY)

    # then what it kept is, partner by partner, what the allocation gives live
    kept = stored_receivables(partners=Partner.objects.all(), day=DAY, thresholds=thresholds)
    live = receivables_as_of(day=DAY, overdue_at=days)
    assert set(kept) == set(live) >= {p.pk for p in partners if live.get(p.pk)}
    for partner_id, owed in live.items():
        assert {name: getattr(kept[partner_id], name) for name in FIGURES} == {
            name: getattr(owed, name) for name in FIGURES
        }
        assert kept[partner_id].overdue_by == {n: owed.overdue_by[n] for n in days}
        assert kept[partner_id].outstanding == owed.outstanding


def test_pages_read_the_last_nights_receivables_not_todays_facts(acme, page_client):
    # given a night that kept a partner's receivables
    owner = partner("RS-PAGE", credit_limit="1000.00")
    load("invoices", invoice(owner, "RS-P1", days_before(DAY, 100), days_before(DAY, 70), "300.00"))
    evaluate(DAY)
    assert ReceivablesSnapshot.objects.get(partner=owner).days_61_90 == 300
    # and an invoice that arrived after the night
    load("invoices", invoice(owner, "RS-P2", days_before(DAY, 1), days_before(DAY, -29), "700.00"))

    # when the receivables page is asked for no day in particular
    response = page_client(acme.member("viewer"), "en").get("/t/acme/risk/receivables/?q=RS-PAGE")

    # then it shows the night's figures, as of the night's day
    assert response.status_code == 200
    assert response.context["day"] == DAY == receivables_day(DAY + datetime.timedelta(days=5))
    (row,) = [row for row in response.context["object_list"] if row.code == "RS-PAGE"]
    assert row.outstanding == 300


def test_thresholds_changed_since_the_night_are_computed_live(acme):
    owner = partner("RS-LIVE", credit_limit="1000.00")
    load("invoices", invoice(owner, "RS-L1", days_before(DAY, 100), days_before(DAY, 50), "300.00"))
    evaluate(DAY)
    thresholds = Thresholds.of(acme.tenant.risk_thresholds)
    changed = dataclasses.replace(thresholds, overdue_warning_days=thresholds.overdue_warning_days + 30)
    assert stored_receivables(partners=Partner.objects.all(), day=DAY, thresholds=thresholds) is not None
    assert stored_receivables(partners=Partner.objects.all(), day=DAY, thresholds=changed) is None
    # another day than the night's: live too
    assert stored_receivables(partners=Partner.objects.all(), day=DAY.replace(day=1), thresholds=thresholds) is None
