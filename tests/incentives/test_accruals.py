"""Nightly rebate accruals (SPEC §4.4, §5): period to date, "more reaches", idempotent, a fixed statement count."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incentives import services
from incentives.models import RebateAccrual
from incentives.words import accrual_words
from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from scoring import jobs
from scoring.models import JobRun
from tests.facts.helpers import load

from .helpers import make_program

D = Decimal
DAY = datetime.date(2026, 2, 28)


def accruals() -> dict:
    return {
        (accrual.partner.code, accrual.program.code, accrual.period): (
            accrual.basis, accrual.rate_percent, accrual.amount, accrual.next_threshold, accrual.next_rate_percent,
        )
        for accrual in RebateAccrual.objects.select_related("partner", "program")
    }  # fmt: skip


def rows() -> list:
    return sorted(RebateAccrual.objects.values_list())


def q1_sales() -> None:
    """ACME-OWN: 400,000 by the end of February, 200,000 more in March; ACME-OTHER: 30,000 in February."""
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "300000"},
        {"partner": "ACME-OWN", "date": "2026-02-28", "customer": "甲", "amount": "100000"},
        {"partner": "ACME-OWN", "date": "2026-03-20", "customer": "乙", "amount": "200000"},
        {"partner": "ACME-OTHER", "date": "2026-02-03", "customer": "丁", "amount": "30000"},
    )


def test_an_accrual_is_the_period_to_date_rebate_and_what_more_reaches_the_next_bracket(acme):
    q1_sales()
    make_program()  # quarterly, the spec's brackets, retroactive
    make_program(code="M-REBATE", period_kind="month", brackets=[{"threshold": 0, "rate_percent": 1}])

    summary = services.accruals_compute(day=DAY)

    assert accruals() == {
        # 400,000 to date (March not yet): 2%, and 100,000 more reaches 3%
        ("ACME-OWN", "Q-REBATE", "2026-Q1"): (D("400000.00"), D("2"), D("8000.00"), D("500000.00"), D("3")),
        ("ACME-OTHER", "Q-REBATE", "2026-Q1"): (D("30000.00"), D("1"), D("300.00"), D("100000.00"), D("2")),
        # February only, one bracket: nothing more to reach
        ("ACME-OWN", "M-REBATE", "2026-02"): (D("100000.00"), D("1"), D("1000.00"), None, None),
        ("ACME-OTHER", "M-REBATE", "2026-02"): (D("30000.00"), D("1"), D("300.00"), None, None),
    }
    own = RebateAccrual.objects.get(partner=acme.own, program__code="Q-REBATE")
    assert own.as_of == DAY and own.to_next_bracket == D("100000.00") and own.version.number == 1
    assert summary == {"accruals": 4, "programs": 2, "removed": 0}


def test_only_eligible_partners_under_programs_in_force_accrue_and_zero_is_kept(acme):
    q1_sales()
    make_program(tiers=["core"])  # nobody is core
    make_program(code="LATER", starts_on="2026-04-01")  # not in force on the quarter's last day
    make_program(code="COLLECT", basis="collections")  # nothing collected: 0.00, and 100,000 to the next bracket
    partner_services.partner_change_status(
        partner=acme.other,
        status=PartnerStatus.SUSPENDED,
        effective_on=datetime.date(2026, 2, 1),
        reason="逾期",  # suspending a partner always says why
        actor=None,
    )

    services.accruals_compute(day=DAY)

    assert accruals() == {
        ("ACME-OWN", "COLLECT", "2026-Q1"): (D("0.00"), D("0"), D("0.00"), D("100000.00"), D("2")),
    }


def test_the_same_day_twice_leaves_the_same_rows(acme):
    q1_sales()
    make_program()
    services.accruals_compute(day=DAY)
    first = rows()

    services.accruals_compute(day=DAY)

    assert rows() == first  # ids and timestamps included


def test_a_later_day_replaces_the_periods_accruals_and_drops_a_program_no_longer_in_force(acme):
    q1_sales()
    program = make_program()
    dropped = make_program(code="DROPPED")
    services.accruals_compute(day=DAY)
    ids = dict(RebateAccrual.objects.filter(program=program).values_list("partner__code", "pk"))

    services.program_update(actor=None, program=dropped, ends_on="2026-03-01")
    services.accruals_compute(day=datetime.date(2026, 3, 31))

    assert accruals()[("ACME-OWN", "Q-REBATE", "2026-Q1")][:3] == (D("600000.00"), D("3"), D("18000.00"))
    assert not RebateAccrual.objects.filter(program=dropped).exists()
    assert dict(RebateAccrual.objects.filter(program=program).values_list("partner__code", "pk")) == ids


def test_the_accruals_of_an_earlier_period_stay_as_its_last_night_left_them(acme):
    q1_sales()
    make_program()
    services.accruals_compute(day=datetime.date(2026, 3, 31))
    services.accruals_compute(day=datetime.date(2026, 4, 1))
    assert set(RebateAccrual.objects.values_list("period", "as_of")) == {
        ("2026-Q1", datetime.date(2026, 3, 31)),
        ("2026-Q2", datetime.date(2026, 4, 1)),
    }


def test_the_nightly_run_makes_the_accruals(acme):
    q1_sales()
    make_program()
    run = jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.summary["accruals"]["accruals"] == 2
    assert RebateAccrual.objects.count() == 2


def _add_partners(count: int, prefix: str) -> None:
    ordinary = Tier.objects.get(code="ordinary")
    codes = [f"{prefix}-{number:03d}" for number in range(count)]
    for code in codes:
        partner_services.partner_create(
            actor=None, code=code, name=code, kind=PartnerKind.AGENT, tier=ordinary, status=PartnerStatus.ACTIVE
        )
    load("sales", *[{"partner": code, "date": "2026-02-02", "customer": "C", "amount": "1000"} for code in codes])


def test_accruals_take_the_same_number_of_statements_for_20_and_200_partners(acme):
    make_program()
    make_program(code="M-REBATE", period_kind="month", accelerator={"metric": "sales", "min_attainment": 1,
                                                                     "multiplier": 2})  # fmt: skip
    make_program(code="Y-REBATE", period_kind="year", basis="collections")
    counts = []
    for size, prefix in ((20, "S"), (180, "L")):
        _add_partners(size, prefix)
        with CaptureQueriesContext(connection) as queries:
            services.accruals_compute(day=DAY)
        counts.append(len(queries))
    assert RebateAccrual.objects.count() == 3 * (2 + 200)
    assert counts[0] == counts[1], counts


def test_an_accrual_in_words_says_the_period_and_the_basis_it_counts(acme):
    load("payments", {"partner": "ACME-OWN", "date": "2026-02-11", "amount": "150000"})
    make_program(code="COLLECT", name="回款返利", basis="collections")
    services.accruals_compute(day=DAY)
    accrual = RebateAccrual.objects.select_related("program", "version").get(partner=acme.own)

    during = accrual_words(accrual, currency="CNY", today=DAY)
    after = accrual_words(accrual, currency="USD", today=datetime.date(2026, 4, 2))

    assert during == "On course to earn ¥3,000.00 this quarter under 回款返利; ¥350,000.00 more collections reach 3%."
    assert after == "On course to earn $3,000.00 in Q1 2026 under 回款返利; $350,000.00 more collections reach 3%."
