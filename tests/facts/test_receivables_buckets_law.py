"""The bucketed aging statement equals the one it replaced (a law over seeded random facts)."""

import datetime
import random
from decimal import Decimal

import pytest

from facts.calculations import receivables_as_of, receivables_as_of_reference

from .helpers import invoice, load, payment

D = datetime.date
START = D(2026, 1, 1)


def _partners(count):
    from partners.models import Partner, PartnerKind, Tier

    tier = Tier.objects.get(code="ordinary")
    return Partner.objects.bulk_create(
        [Partner(code=f"LAW-{n}", name=f"Law {n}", kind=PartnerKind.AGENT, tier=tier) for n in range(count)]
    )


def _load_random_facts(rng, partners):
    invoices, payments = [], []
    numbers = {partner.pk: [] for partner in partners}
    for partner in partners:
        for _ in range(rng.randrange(0, 9)):
            number = f"L-{partner.pk}-{len(numbers[partner.pk])}"
            issued = START + datetime.timedelta(days=rng.randrange(0, 200))
            due = issued + datetime.timedelta(days=rng.choice([0, 15, 30, 45, 60, 90, 120]))
            invoices.append(invoice(partner, number, str(issued), str(due), f"{rng.randrange(1, 500000) / 100:.2f}"))
            numbers[partner.pk].append(number)
    for partner in partners:
        for _ in range(rng.randrange(0, 9)):
            named = rng.choice(numbers[partner.pk]) if numbers[partner.pk] and rng.random() < 0.5 else None
            paid_on = START + datetime.timedelta(days=rng.randrange(0, 260))
            payments.append(payment(partner, str(paid_on), f"{rng.randrange(1, 400000) / 100:.2f}", named))
    if invoices:
        load("invoices", *invoices)
    if payments:
        load("payments", *payments)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_the_bucketed_aging_equals_the_reference_on_every_figure(acme, seed):
    rng = random.Random(seed)
    partners = _partners(12)
    _load_random_facts(rng, partners)
    checked = 0
    for _ in range(8):
        day = START + datetime.timedelta(days=rng.randrange(-10, 400))
        options = {
            "overdue_days": rng.choice([1, 7, 30, 31, 45, 90, 91, 200]),
            "overdue_at": tuple(rng.sample([1, 10, 30, 31, 60, 61, 90, 91, 120], rng.randrange(0, 4))),
        }
        subset = {"partner_ids": [p.pk for p in rng.sample(partners, 5)]} if rng.random() < 0.3 else {}
        fast = receivables_as_of(day=day, **options, **subset)
        reference = receivables_as_of_reference(day=day, **options, **subset)
        assert fast == reference
        checked += sum(1 for figures in fast.values() if figures.overdue > Decimal("0"))
    assert checked > 0  # the seeds do reach overdue money, so the law is not vacuous
