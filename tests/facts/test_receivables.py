"""Receivables by worked example (SPEC §4.1)."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facts.calculations import invoice_settlements, receivables_as_of, receivables_for

from .helpers import invoice, load, payment

D = datetime.date


def open_amounts(partner, day):
    return {s.number: s.open_amount for s in invoice_settlements(day=day, partner_ids=[partner.pk])}


def test_a_payment_naming_an_invoice_settles_that_invoice_first(acme):
    # given two invoices, the older one due first
    load(
        "invoices",
        invoice(acme.own, "INV-1", "2026-01-01", "2026-01-31", "100.00"),
        invoice(acme.own, "INV-2", "2026-02-01", "2026-02-28", "200.00"),
    )
    # when a payment names the newer one
    load("payments", payment(acme.own, "2026-02-10", "150.00", "INV-2"))
    # then it goes to INV-2, not to the oldest
    assert open_amounts(acme.own, D(2026, 3, 1)) == {"INV-1": Decimal("100.00"), "INV-2": Decimal("50.00")}


def test_payments_naming_no_invoice_settle_oldest_due_date_first_then_number(acme):
    load(
        "invoices",
        invoice(acme.own, "B-2", "2026-01-05", "2026-02-10", "100.00"),
        invoice(acme.own, "A-9", "2026-01-20", "2026-02-10", "100.00"),
        invoice(acme.own, "C-1", "2026-01-01", "2026-01-31", "100.00"),
    )
    load("payments", payment(acme.own, "2026-02-15", "150.00"))
    assert open_amounts(acme.own, D(2026, 3, 1)) == {
        "C-1": Decimal("0.00"),
        "A-9": Decimal("50.00"),  # same due date as B-2: the number decides
        "B-2": Decimal("100.00"),
    }


def test_a_partial_payment_leaves_the_rest_open_and_overdue(acme):
    load("invoices", invoice(acme.own, "P-1", "2026-01-01", "2026-01-31", "1000.00"))
    load("payments", payment(acme.own, "2026-01-20", "400.00", "P-1"))
    receivables = receivables_for(partner_id=acme.own.pk, day=D(2026, 3, 15))
    assert receivables.outstanding == Decimal("600.00")
    assert receivables.overdue == Decimal("600.00")
    assert receivables.days_31_60 == Decimal("600.00")  # 43 days overdue
    assert receivables.current == Decimal("0.00")


def test_over_payment_of_a_named_invoice_flows_to_the_oldest_other_invoices(acme):
    load(
        "invoices",
        invoice(acme.own, "O-1", "2026-01-01", "2026-01-31", "100.00"),
        invoice(acme.own, "O-2", "2026-02-01", "2026-02-28", "100.00"),
    )
    load("payments", payment(acme.own, "2026-02-05", "250.00", "O-2"))
    assert open_amounts(acme.own, D(2026, 3, 1)) == {"O-1": Decimal("0.00"), "O-2": Decimal("0.00")}
    receivables = receivables_for(partner_id=acme.own.pk, day=D(2026, 3, 1))
    assert receivables.outstanding == Decimal("-50.00")  # a credit in the partner's favour
    assert receivables.overdue == Decimal("0.00")


def test_as_of_counts_only_invoices_issued_and_payments_dated_by_that_day(acme):
    load(
        "invoices",
        invoice(acme.own, "S-1", "2026-01-01", "2026-01-31", "100.00"),
        invoice(acme.own, "S-2", "2026-03-01", "2026-03-31", "300.00"),
    )
    load("payments", payment(acme.own, "2026-02-20", "60.00"), payment(acme.own, "2026-03-10", "100.00"))
    on_feb_25 = receivables_for(partner_id=acme.own.pk, day=D(2026, 2, 25))
    assert (on_feb_25.invoiced, on_feb_25.paid, on_feb_25.outstanding) == (
        Decimal("100.00"),
        Decimal("60.00"),
        Decimal("40.00"),
    )
    assert on_feb_25.days_1_30 == Decimal("40.00")  # 25 days overdue
    on_apr_15 = receivables_for(partner_id=acme.own.pk, day=D(2026, 4, 15))
    assert on_apr_15.outstanding == Decimal("240.00")
    # S-1 is settled first (oldest due), S-2 keeps 240 open, 15 days overdue
    assert on_apr_15.days_1_30 == Decimal("240.00")
    assert on_apr_15.overdue == Decimal("240.00")


def test_an_invoice_is_not_overdue_on_its_due_date(acme):
    load("invoices", invoice(acme.own, "DUE-1", "2026-01-01", "2026-01-31", "80.00"))
    on_due = receivables_for(partner_id=acme.own.pk, day=D(2026, 1, 31))
    assert (on_due.current, on_due.overdue) == (Decimal("80.00"), Decimal("0.00"))
    next_day = receivables_for(partner_id=acme.own.pk, day=D(2026, 2, 1))
    assert (next_day.current, next_day.days_1_30) == (Decimal("0.00"), Decimal("80.00"))


def test_aging_buckets_split_at_30_60_and_90_days(acme):
    day = D(2026, 6, 30)
    load(
        "invoices",
        *[
            invoice(acme.own, f"AG-{days}", "2025-01-01", str(day - datetime.timedelta(days=days)), "10.00")
            for days in (0, 1, 30, 31, 60, 61, 90, 91)
        ],
    )
    receivables = receivables_for(partner_id=acme.own.pk, day=day)
    assert receivables.buckets == {
        "current": Decimal("10.00"),
        "days_1_30": Decimal("20.00"),
        "days_31_60": Decimal("20.00"),
        "days_61_90": Decimal("20.00"),
        "days_over_90": Decimal("10.00"),
    }
    assert receivables_as_of(day=day, overdue_days=90)[acme.own.pk].overdue_n == Decimal("20.00")


def test_receivables_are_computed_per_partner_and_never_cross_tenants(acme, world):
    load("invoices", invoice(acme.own, "X-1", "2026-01-01", "2026-01-10", "10.00"))
    load("invoices", invoice(acme.other, "X-2", "2026-01-01", "2026-01-10", "20.00"))
    result = receivables_as_of(day=D(2026, 2, 1))
    assert {pid: r.outstanding for pid, r in result.items()} == {
        acme.own.pk: Decimal("10.00"),
        acme.other.pk: Decimal("20.00"),
    }


def _partners_with_facts(acme, count):
    from partners.models import Partner, PartnerKind, Tier

    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [Partner(code=f"QC-{count}-{n}", name=f"QC {n}", kind=PartnerKind.AGENT, tier=tier) for n in range(count)]
    )
    load(
        "invoices",
        *[
            invoice(partner, f"QC-{count}-{n}", "2026-01-01", "2026-01-31", "100.00")
            for n, partner in enumerate(partners)
        ],
    )
    load("payments", *[payment(partner, "2026-02-01", "30.00") for partner in partners])
    return partners


def test_receivables_take_the_same_number_of_queries_for_10_and_100_partners(acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (10, 100):
        partners = _partners_with_facts(acme, size)
        with CaptureQueriesContext(connection) as queries:
            figures = receivables_as_of(day=D(2026, 3, 1))
        assert all(figures[p.pk].outstanding == Decimal("70.00") for p in partners)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4  # the statement, and its SET LOCAL inside a savepoint


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    invoices=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 90), st.integers(1, 5000)), min_size=1, max_size=8),
    payments=st.lists(
        st.tuples(st.integers(0, 150), st.integers(1, 6000), st.one_of(st.none(), st.integers(0, 7))), max_size=8
    ),
    as_of=st.integers(0, 200),
    late_days=st.integers(1, 100),
)
def test_the_aging_equals_the_invoice_by_invoice_allocation(acme, invoices, payments, as_of, late_days):
    """The grouped shortcut and the running-sum allocation agree on every bucket, and on the invoices
    overdue by n days or more that the aging lists (a law, not an example)."""
    from django.db import transaction

    start = D(2026, 1, 1)
    day = start + datetime.timedelta(days=as_of)
    with transaction.atomic():
        numbers = [f"H-{n}" for n in range(len(invoices))]
        load(
            "invoices",
            *[
                invoice(
                    acme.own,
                    number,
                    str(start + datetime.timedelta(days=issued)),
                    str(start + datetime.timedelta(days=issued + terms)),
                    f"{amount}.00",
                )
                for number, (issued, terms, amount) in zip(numbers, invoices, strict=True)
            ],
        )
        if payments:
            load(
                "payments",
                *[
                    payment(
                        acme.own,
                        str(start + datetime.timedelta(days=paid_on)),
                        f"{amount}.00",
                        numbers[named] if named is not None and named < len(numbers) else None,
                    )
                    for paid_on, amount, named in payments
                ],
            )
        figures = receivables_for(partner_id=acme.own.pk, day=day)
        expected = dict.fromkeys(("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90"), Decimal("0"))
        for settled in invoice_settlements(day=day, partner_ids=[acme.own.pk]):
            days = (day - settled.due_date).days
            bucket = (
                "current"
                if days <= 0
                else "days_1_30"
                if days <= 30
                else "days_31_60"
                if days <= 60
                else "days_61_90"
                if days <= 90
                else "days_over_90"
            )
            expected[bucket] += settled.open_amount
        assert figures.buckets == expected
        listed = receivables_as_of(
            day=day, partner_ids=[acme.own.pk], late_invoices_at=late_days, late_invoices_listed=100
        ).get(acme.own.pk)
        late = [
            (settled.number, settled.open_amount, settled.days_overdue)
            for settled in invoice_settlements(day=day, partner_ids=[acme.own.pk])
            if settled.open_amount > 0 and (day - settled.due_date).days >= late_days
        ]
        found = [(row.number, row.open_amount, row.days_overdue) for row in listed.late_invoices] if listed else []
        assert found == late
        assert (listed.late_invoice_count if listed else 0) == len(late)
        assert figures.overdue == sum(value for name, value in expected.items() if name != "current")
        transaction.set_rollback(True)
