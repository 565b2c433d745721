"""The partner totals the triggers keep equal the facts summed from scratch, whatever writes the facts."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from facts.models import Invoice, PartnerDayTotal, PartnerMonthTotal, Payment, Sale
from facts.rollups import REBUILDS, rollups_rebuild, window_pieces, window_totals
from facts.services import facts_import
from risk import inputs as risk_inputs
from risk.calculations import BASELINE_DAYS, RECENT_DAYS
from scoring.inputs import sales_and_money, sales_and_money_from_scratch
from tenancy.context import require_tenant, tenant_scope

D = datetime.date
START = D(2025, 1, 1)
SPAN = 800  # days of history the random facts fall in


@given(
    first=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    length=st.integers(min_value=-3, max_value=900),
)
def test_a_window_is_its_whole_months_and_the_days_left_over_exactly_once(first, length):
    last = first + datetime.timedelta(days=length)
    months, days = window_pieces(first, last)
    covered = []
    if months:
        assert months[0].day == 1 and months[1].day == 1 and months[0] <= months[1]
        month = months[0]
        while month <= months[1]:
            nxt = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            covered += [month + datetime.timedelta(days=n) for n in range((nxt - month).days)]
            month = nxt
    for day_from, day_to in days:
        covered += [day_from + datetime.timedelta(days=n) for n in range((day_to - day_from).days + 1)]
    expected = [first + datetime.timedelta(days=n) for n in range(length + 1)]
    assert sorted(covered) == expected  # every day once, none outside
    assert len(days) <= 2


def _table(model, period: str) -> dict:
    return {
        (row["partner_id"], row[period]): (row["sales"], row["invoiced"], row["paid"], row["entries"])
        for row in model.objects.values("partner_id", period, "sales", "invoiced", "paid", "entries")
    }


def _from_scratch(table: str, period: str) -> dict:
    """The totals as ``rollups_rebuild`` would write them, read without writing."""
    sql = REBUILDS[table].split("SELECT", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT" + sql, {"tenant": require_tenant().pk})
        return {(row[1], row[2]): (row[3], row[4], row[5], row[6]) for row in cursor.fetchall()}


def assert_totals_equal_the_facts():
    assert _table(PartnerDayTotal, "day") == _from_scratch("facts_partnerdaytotal", "day")
    assert _table(PartnerMonthTotal, "month") == _from_scratch("facts_partnermonthtotal", "month")


def _day(rng) -> str:
    return (START + datetime.timedelta(days=rng.randrange(SPAN))).isoformat()


def _amount(rng) -> str:
    return f"{Decimal(rng.randrange(-50_000, 2_000_000)) / 100:.2f}"


def _random_writes(rng, partners, step: int) -> None:
    """One 'day' of traffic: imports with new and re-sent rows, ORM and raw SQL edits and deletes."""
    codes = [partner.code for partner in partners]
    # the import path: new rows and re-sent ones (changed partner, date, amount) in one batch
    sales = [
        {
            "external_id": f"S-{rng.randrange(40)}",
            "partner": rng.choice(codes),
            "date": _day(rng),
            "customer": "C",
            "amount": _amount(rng),
        }
        for _ in range(rng.randrange(1, 15))
    ]
    unique_sales = list({row["external_id"]: row for row in sales}.values())
    facts_import(kind="sales", rows=enumerate(unique_sales, start=1))
    invoices = {}
    for _ in range(rng.randrange(1, 6)):
        number = f"INV-{rng.randrange(15)}"
        issued = START + datetime.timedelta(days=rng.randrange(SPAN))
        invoices[number] = {
            "external_id": f"I-{number}",
            "partner": rng.choice(codes),
            "number": number,
            "issue_date": issued.isoformat(),
            "due_date": (issued + datetime.timedelta(days=30)).isoformat(),
            "amount": f"{Decimal(rng.randrange(100, 900_000)) / 100:.2f}",
        }
    facts_import(kind="invoices", rows=enumerate(invoices.values(), start=1))
    payments = {
        f"P-{rng.randrange(20)}": {
            "partner": rng.choice(codes),
            "date": _day(rng),
            "amount": f"{rng.randrange(1, 900_000) / 100:.2f}",
        }
        for _ in range(rng.randrange(1, 6))
    }
    facts_import(
        kind="payments",
        rows=enumerate(({"external_id": key, **row} for key, row in payments.items()), start=1),
    )
    # the ORM: a row made one by one, an update of many, a delete
    Sale.objects.create(
        external_id=f"ORM-{step}", partner=rng.choice(partners), date=D.fromisoformat(_day(rng)), customer="C",
        amount=Decimal(_amount(rng)),
    )  # fmt: skip
    Sale.objects.filter(pk__in=list(Sale.objects.values_list("pk", flat=True)[: rng.randrange(4)])).update(
        amount=Decimal("1.50"), date=D.fromisoformat(_day(rng))
    )
    victims = list(Payment.objects.order_by("?").values_list("pk", flat=True)[: rng.randrange(3)])
    Payment.objects.filter(pk__in=victims).delete()
    # raw SQL: move rows to another partner and day, delete some
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE facts_invoice SET partner_id = %s, issue_date = issue_date + %s WHERE id %% 3 = %s",
            [rng.choice(partners).pk, rng.randrange(-40, 40), rng.randrange(3)],
        )
        cursor.execute("DELETE FROM facts_sale WHERE id %% 7 = %s", [rng.randrange(7)])


@pytest.mark.parametrize("seed", range(4))
def test_the_totals_kept_by_the_triggers_equal_the_facts_summed_from_scratch(acme, seed):
    rng = random.Random(seed)
    partners = [acme.own, acme.other]
    for step in range(6):
        _random_writes(rng, partners, step)
        assert_totals_equal_the_facts()
    assert Sale.objects.exists() and Invoice.objects.exists()


@pytest.mark.parametrize("seed", range(3))
def test_the_nightly_inputs_from_the_totals_equal_those_from_the_facts(acme, seed):
    rng = random.Random(100 + seed)
    partners = [acme.own, acme.other]
    for step in range(4):
        _random_writes(rng, partners, step)
    ids = [partner.pk for partner in partners]
    days = [D(2026, 6, 30), D(2026, 3, 1), D(2025, 12, 31), D(2027, 2, 28)]
    days += [START + datetime.timedelta(days=rng.randrange(SPAN + 400)) for _ in range(6)]
    for day in days:
        sales, money = sales_and_money(day)
        sales_ref, money_ref = sales_and_money_from_scratch(day)
        zeros = (Decimal(0), Decimal(0))
        for partner_id in ids:
            assert sales.get(partner_id, zeros) == sales_ref.get(partner_id, zeros), day
            assert money.get(partner_id, zeros) == money_ref.get(partner_id, zeros), day
        params = {"tenant": acme.tenant.pk, "day": day, "recent": RECENT_DAYS, "baseline": BASELINE_DAYS}
        risk_ref = risk_inputs._rows(risk_inputs.SALES_SQL, params)
        risk_fast = risk_inputs.sales_windows(day)
        for partner_id in ids:
            assert risk_fast.get(partner_id, zeros) == risk_ref.get(partner_id, zeros), day


def test_a_rebuild_writes_the_totals_the_triggers_kept(acme):
    rng = random.Random(7)
    for step in range(3):
        _random_writes(rng, [acme.own, acme.other], step)
    kept = (_table(PartnerDayTotal, "day"), _table(PartnerMonthTotal, "month"))
    counts = rollups_rebuild()
    assert counts == {"facts_partnerdaytotal": len(kept[0]), "facts_partnermonthtotal": len(kept[1])}
    assert (_table(PartnerDayTotal, "day"), _table(PartnerMonthTotal, "month")) == kept
    assert kept[0]  # there was something to compare


def test_a_rebuild_repairs_totals_gone_wrong(acme):
    facts_import(
        kind="sales",
        rows=enumerate([{"external_id": "R-1", "partner": acme.own.code, "date": "2026-05-05", "customer": "C",
                         "amount": "10.00"}], start=1),
    )  # fmt: skip
    PartnerDayTotal.objects.update(sales=Decimal("999.00"))
    PartnerMonthTotal.objects.all().delete()
    rollups_rebuild()
    assert window_totals(windows=[(D(2026, 5, 1), D(2026, 5, 31))], measures=("sales",)) == {
        acme.own.pk: (Decimal("10.00"),)
    }


def test_a_sale_adds_to_its_day_and_month_and_leaves_nothing_once_deleted(acme):
    facts_import(
        kind="sales",
        rows=enumerate([
            {"external_id": "A", "partner": acme.own.code, "date": "2026-04-10", "customer": "C", "amount": "100.00"},
            {"external_id": "B", "partner": acme.own.code, "date": "2026-04-10", "customer": "C", "amount": "-30.00"},
            {"external_id": "C", "partner": acme.own.code, "date": "2026-04-20", "customer": "C", "amount": "5.00"},
        ], start=1),
    )  # fmt: skip
    day = PartnerDayTotal.objects.get(partner=acme.own, day=D(2026, 4, 10))
    assert (day.sales, day.entries) == (Decimal("70.00"), 2)
    month = PartnerMonthTotal.objects.get(partner=acme.own, month=D(2026, 4, 1))
    assert (month.sales, month.entries) == (Decimal("75.00"), 3)
    Sale.objects.filter(external_id__in=["A", "B", "C"]).delete()
    assert not PartnerDayTotal.objects.exists()
    assert not PartnerMonthTotal.objects.exists()


def test_another_tenants_totals_are_out_of_sight(world):
    acme, globex = world["acme"], world["globex"]
    with tenant_scope(acme.tenant):
        facts_import(
            kind="sales",
            rows=enumerate([{"external_id": "X", "partner": acme.own.code, "date": "2026-04-10", "customer": "C",
                             "amount": "100.00"}], start=1),
        )  # fmt: skip
        assert PartnerDayTotal.objects.count() == 1
    with tenant_scope(globex.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM facts_partnerdaytotal")
        assert cursor.fetchone()[0] == 0  # row-level security, not only the manager
        assert window_totals(windows=[(D(2026, 1, 1), D(2026, 12, 31))]) == {}


def test_the_rebuild_command_makes_the_totals_of_the_tenant_named(world):
    from io import StringIO

    from django.core.management import call_command

    acme = world["acme"]
    with tenant_scope(acme.tenant):
        facts_import(
            kind="sales",
            rows=enumerate([{"external_id": "K", "partner": acme.own.code, "date": "2026-04-10", "customer": "C",
                             "amount": "42.00"}], start=1),
        )  # fmt: skip
        PartnerDayTotal.objects.all().delete()
    out = StringIO()
    call_command("rebuild_partner_totals", tenant="acme", stdout=out)
    assert "1 day totals and 1 month totals" in out.getvalue()
    with tenant_scope(acme.tenant):
        assert PartnerDayTotal.objects.get().sales == Decimal("42.00")


@pytest.mark.django_db
def test_the_totals_triggers_plan_without_nested_loops():
    """A nested loop over the transition table made a DELETE of 200,000 payments take over a minute (100,000:
    6 s); each trigger function carries its own setting, so the rest of a transaction plans as usual."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname IN "
            "('facts_sale_totals', 'facts_invoice_totals', 'facts_payment_totals') ORDER BY proname"
        )
        functions = cursor.fetchall()
        cursor.execute("SHOW enable_nestloop")
        session = cursor.fetchone()[0]
    assert functions == [
        ("facts_invoice_totals", ["enable_nestloop=off"]),
        ("facts_payment_totals", ["enable_nestloop=off"]),
        ("facts_sale_totals", ["enable_nestloop=off"]),
    ]
    assert session == "on"
