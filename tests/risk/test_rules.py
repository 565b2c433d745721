"""The five risk rules at and around their thresholds, worked by hand (SPEC §4.7, with §4.1's allocation)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partners import services as partner_services
from partners.models import PartnerStatus
from risk.calculations import (
    PartnerFigures,
    Thresholds,
    credit_severity,
    performance_drop_severity,
    thresholds_problems,
)
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, alerts_of, days_before, evaluate, live, partner

d = Decimal
DEFAULTS = Thresholds()


# --- credit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outstanding", "expected"),
    [
        ("79999.99", None),
        ("80000.00", "warning"),  # 80% is a warning: "≥ 80%"
        ("99999.99", "warning"),
        ("100000.00", "critical"),  # 100% is critical
        ("250000.00", "critical"),
        ("-500.00", None),  # a credit in the partner's favour
    ],
)
def test_credit_is_a_warning_from_80_percent_and_critical_from_100(outstanding, expected):
    assert credit_severity(d(outstanding), d("100000.00"), DEFAULTS) == expected


def test_credit_without_a_limit_raises_nothing_and_a_limit_of_zero_is_over_at_the_first_cent():
    assert credit_severity(d("9999999.00"), None, DEFAULTS) is None
    assert credit_severity(d("0.01"), d("0.00"), DEFAULTS) == "critical"
    assert credit_severity(d("0.00"), d("0.00"), DEFAULTS) is None


def test_a_pilot_partner_is_measured_against_its_pilot_limit():
    figures = PartnerFigures(
        partner_id=1, status=PartnerStatus.PILOT, credit_limit=d("1000000"), pilot_credit_limit=d("50000")
    )
    assert figures.limit == (d("50000"), "pilot")
    assert PartnerFigures(partner_id=1, status=PartnerStatus.ACTIVE, credit_limit=d("1000000"),
                          pilot_credit_limit=d("50000")).limit == (d("1000000"), "credit")  # fmt: skip
    # a pilot partner without a pilot limit keeps its ordinary limit
    assert PartnerFigures(partner_id=1, status=PartnerStatus.PILOT, credit_limit=d("7")).limit == (d("7"), "credit")


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.decimals(min_value=d("0.01"), max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_owing_more_never_makes_a_credit_alert_milder(first, limit, more):
    order = {None: 0, "warning": 1, "critical": 2}
    assert order[credit_severity(first, limit, DEFAULTS)] <= order[credit_severity(first + more, limit, DEFAULTS)]


def test_the_credit_alert_shows_outstanding_limit_and_utilisation(acme):
    own = partner("CR-1", credit_limit="800000.00")
    load("invoices", invoice(own, "CR-INV", "2026-06-01", "2026-07-31", "2187597.61"))
    evaluate()
    alert = live(own, "credit")
    assert alert.severity == "critical"
    assert {key: alert.evidence[key] for key in ("outstanding", "limit", "limit_kind", "utilisation_percent")} == {
        "outstanding": "2187597.61",
        "limit": "800000.00",
        "limit_kind": "credit",
        "utilisation_percent": "273.45",  # 2,187,597.61 / 800,000 = 273.4497…%
    }


def test_a_pilot_partner_over_its_pilot_limit_gets_a_credit_alert_that_says_so(acme):
    pilot = partner(
        "PI-1", status=PartnerStatus.PILOT, credit_limit="1000000.00", pilot_credit_limit="50000.00",
        pilot_ends_on=datetime.date(2026, 9, 30),
    )  # fmt: skip
    load("invoices", invoice(pilot, "PI-INV", "2026-06-01", "2026-07-31", "45000.00"))
    evaluate()
    alert = live(pilot, "credit")
    assert (alert.severity, alert.evidence["limit"], alert.evidence["limit_kind"]) == ("warning", "50000.00", "pilot")
    assert alert.evidence["utilisation_percent"] == "90.00"


# --- overdue, with the allocation of SPEC §4.1 ------------------------------------------------------


@pytest.mark.parametrize(
    ("days_overdue", "expected"),
    [(29, None), (30, "warning"), (89, "warning"), (90, "critical"), (400, "critical")],
)
def test_an_open_invoice_is_a_warning_from_30_days_overdue_and_critical_from_90(acme, days_overdue, expected):
    own = partner("OV-1")
    load("invoices", invoice(own, "OV-INV", "2025-01-01", days_before(DAY, days_overdue), "1000.00"))
    evaluate()
    assert alerts_of(own).get("overdue") == expected


def test_a_payment_naming_the_newer_invoice_leaves_the_older_one_overdue(acme):
    # given an invoice 95 days overdue (¥300) and one 10 days overdue (¥500)
    own = partner("OV-2")
    load(
        "invoices",
        invoice(own, "OLD", "2026-01-01", days_before(DAY, 95), "300.00"),
        invoice(own, "NEW", "2026-05-01", days_before(DAY, 10), "500.00"),
    )
    # when ¥500 is paid naming the newer one
    load("payments", payment(own, "2026-06-25", "500.00", "NEW"))
    evaluate()
    # then the older one stays open, 95 days overdue: critical
    alert = live(own, "overdue")
    assert alert.severity == "critical"
    assert (alert.evidence["overdue_warning"], alert.evidence["overdue_critical"]) == ("300.00", "300.00")
    assert alert.evidence["invoices"] == [
        {"id": alert.evidence["invoices"][0]["id"], "number": "OLD", "due_date": days_before(DAY, 95),
         "amount": "300.00", "open_amount": "300.00", "days_overdue": 95},
    ]  # fmt: skip


def test_a_payment_naming_no_invoice_settles_the_oldest_first_and_clears_the_overdue(acme):
    own = partner("OV-3")
    load(
        "invoices",
        invoice(own, "OLD", "2026-01-01", days_before(DAY, 95), "300.00"),
        invoice(own, "NEW", "2026-05-01", days_before(DAY, 10), "500.00"),
    )
    # ¥500 naming nothing: ¥300 settle OLD (oldest due first), ¥200 go to NEW, 10 days overdue only
    load("payments", payment(own, "2026-06-25", "500.00"))
    evaluate()
    assert "overdue" not in alerts_of(own)


def test_part_of_an_old_invoice_left_open_is_overdue_by_its_own_days(acme):
    own = partner("OV-4")
    load(
        "invoices",
        invoice(own, "A", "2026-01-01", days_before(DAY, 120), "1000.00"),
        invoice(own, "B", "2026-03-01", days_before(DAY, 45), "1000.00"),
        invoice(own, "C", "2026-06-01", days_before(DAY, -10), "1000.00"),  # not due yet
    )
    # ¥800 to A by name, ¥900 unnamed: A's last ¥200 first, then ¥700 of B
    load("payments", payment(own, "2026-06-01", "800.00", "A"), payment(own, "2026-06-20", "900.00"))
    evaluate()
    alert = live(own, "overdue")
    # B: ¥300 open, 45 days overdue → warning only; A is settled
    assert (alert.severity, alert.evidence["overdue_warning"], alert.evidence["overdue_critical"]) == (
        "warning", "300.00", "0.00",
    )  # fmt: skip
    assert [(row["number"], row["open_amount"], row["days_overdue"]) for row in alert.evidence["invoices"]] == [
        ("B", "300.00", 45)
    ]
    assert alert.evidence["invoice_count"] == 1


def test_the_overdue_days_follow_the_tenants_thresholds(acme):
    acme.tenant.risk_thresholds = {**acme.tenant.risk_thresholds, "overdue_warning_days": 10,
                                   "overdue_critical_days": 40}  # fmt: skip
    acme.tenant.save(update_fields=["risk_thresholds"])
    own = partner("OV-5")
    load("invoices", invoice(own, "T", "2026-01-01", days_before(DAY, 40), "10.00"))
    evaluate()
    assert alerts_of(own)["overdue"] == "critical"


# --- sales drop ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recent", "expected"),
    [("49999.99", "warning"), ("50000.00", None), ("50000.01", None), ("0.00", "warning"), ("-100.00", "warning")],
)
def test_sales_drop_below_half_of_the_monthly_average_is_a_warning(recent, expected):
    # 600,000 over 180 days: a monthly average of 100,000; half of it is 50,000
    assert performance_drop_severity(d(recent), d("600000.00"), DEFAULTS) == expected


def test_no_sales_drop_without_sales_in_the_180_days():
    assert performance_drop_severity(d("0"), d("0"), DEFAULTS) is None
    assert performance_drop_severity(d("-10"), d("-10"), DEFAULTS) is None


def test_the_sales_windows_are_the_30_and_180_days_ending_on_the_day(acme):
    own = partner("PD-1")
    load(
        "sales",
        {"partner": own.code, "date": days_before(DAY, 179), "customer": "A", "amount": "540000.00"},  # in 180
        {"partner": own.code, "date": days_before(DAY, 180), "customer": "A", "amount": "999999.00"},  # outside
        {"partner": own.code, "date": days_before(DAY, 30), "customer": "A", "amount": "40000.00"},  # not recent
        {"partner": own.code, "date": days_before(DAY, 29), "customer": "A", "amount": "19999.99"},  # recent
        {"partner": own.code, "date": DAY.isoformat(), "customer": "A", "amount": "10000.00"},  # recent
    )
    evaluate()
    # 180 days: 540,000 + 40,000 + 19,999.99 + 10,000 = 609,999.99 → average 101,666.67, half 50,833.33;
    # 30 days: 29,999.99 < half → a warning
    alert = live(own, "performance_drop")
    assert alert.severity == "warning"
    assert {key: alert.evidence[key] for key in ("sales_recent", "sales_baseline", "monthly_average",
                                                  "threshold_amount", "ratio_percent")} == {
        "sales_recent": "29999.99", "sales_baseline": "609999.99", "monthly_average": "101666.67",
        "threshold_amount": "50833.33", "ratio_percent": "29.51",
    }  # fmt: skip
    assert (alert.evidence["recent_from"], alert.evidence["baseline_from"]) == (
        days_before(DAY, 29), days_before(DAY, 179),
    )  # fmt: skip


# --- contract expiry -------------------------------------------------------------------------------


def _contract(owner, number, ends_in_days, starts_on="2025-01-01"):
    return partner_services.contract_create(
        partner=owner, number=number, starts_on=datetime.date.fromisoformat(starts_on),
        ends_on=DAY + datetime.timedelta(days=ends_in_days),
    )  # fmt: skip


@pytest.mark.parametrize(("ends_in_days", "expected"), [(0, None), (1, "info"), (30, "info"), (31, None)])
def test_a_last_contract_ending_within_30_days_is_info(acme, ends_in_days, expected):
    own = partner("CE-1")
    _contract(own, f"CE-{ends_in_days}", ends_in_days)
    evaluate()
    assert alerts_of(own).get("contract_expiry") == expected


def test_a_later_contract_of_the_partner_means_no_contract_alert(acme):
    own = partner("CE-2")
    _contract(own, "CE-ENDING", 10)
    _contract(own, "CE-RENEWAL", 400, starts_on=(DAY + datetime.timedelta(days=11)).isoformat())
    evaluate()
    assert "contract_expiry" not in alerts_of(own)


def test_the_contract_alert_names_the_contract(acme):
    own = partner("CE-3")
    contract = _contract(own, "CE-NAMED", 12)
    evaluate()
    evidence = live(own, "contract_expiry").evidence
    assert (evidence["contract_id"], evidence["number"], evidence["days_left"]) == (contract.pk, "CE-NAMED", 12)
    assert evidence["ends_on"] == (DAY + datetime.timedelta(days=12)).isoformat()


# --- pilot expiry --------------------------------------------------------------------------------


@pytest.mark.parametrize(("ended_days_ago", "expected"), [(-5, None), (0, None), (1, "warning"), (60, "warning")])
def test_a_partner_still_in_pilot_after_its_pilot_ended_is_a_warning(acme, ended_days_ago, expected):
    pilot = partner("PE-1", status=PartnerStatus.PILOT, pilot_credit_limit="1000.00",
                    pilot_ends_on=DAY - datetime.timedelta(days=ended_days_ago))  # fmt: skip
    evaluate()
    assert alerts_of(pilot).get("pilot_expiry") == expected


def test_an_active_partner_whose_pilot_once_ended_has_no_pilot_alert(acme):
    active = partner("PE-2", pilot_ends_on=DAY - datetime.timedelta(days=30))
    evaluate()
    assert "pilot_expiry" not in alerts_of(active)


# --- which partners ------------------------------------------------------------------------------


def test_suspended_partners_are_checked_for_money_only_and_prospects_not_at_all(acme):
    suspended = partner("ST-1", status=PartnerStatus.SUSPENDED, credit_limit="100.00")
    terminated = partner("ST-2", status=PartnerStatus.TERMINATED, credit_limit="100.00")
    prospect = partner("ST-3", status=PartnerStatus.PROSPECT, credit_limit="100.00")
    for owner in (suspended, terminated, prospect):
        load(
            "sales",
            {"partner": owner.code, "date": days_before(DAY, 100), "customer": "A", "amount": "600000.00"},
        )
        load("invoices", invoice(owner, f"{owner.code}-I", "2026-01-01", days_before(DAY, 100), "500.00"))
        _contract(owner, f"{owner.code}-C", 5)
    evaluate()
    assert alerts_of(suspended) == {"credit": "critical", "overdue": "critical"}
    assert alerts_of(terminated) == {"overdue": "critical"}  # the limit no longer matters; the money does
    assert alerts_of(prospect) == {}


# --- thresholds ----------------------------------------------------------------------------------


def test_the_default_thresholds_are_the_specs():
    assert Thresholds.of({}) == Thresholds(80, 100, 30, 90, 50, 30)
    assert thresholds_problems(Thresholds().as_dict()) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_warning_percent": -1}, "credit_warning_percent"),
        ({"credit_critical_percent": 1001}, "credit_critical_percent"),
        ({"credit_warning_percent": 100}, "credit_warning_percent"),  # not below critical
        ({"overdue_warning_days": 0}, "overdue_warning_days"),
        ({"overdue_critical_days": 3651}, "overdue_critical_days"),
        ({"overdue_warning_days": 90}, "overdue_warning_days"),  # not before critical
        ({"performance_drop_percent": 0}, "performance_drop_percent"),
        ({"performance_drop_percent": 101}, "performance_drop_percent"),
        ({"contract_expiry_days": "30"}, "contract_expiry_days"),  # text is not a number here
        ({"contract_expiry_days": True}, "contract_expiry_days"),
        ({"contract_expiry_days": 2.5}, "contract_expiry_days"),
    ],
)
def test_thresholds_out_of_range_or_in_the_wrong_order_are_refused_by_field(change, field):
    assert field in thresholds_problems({**Thresholds().as_dict(), **change})


def test_stored_thresholds_that_cannot_be_read_fall_back_to_their_defaults():
    assert Thresholds.of({"credit_warning_percent": "x", "overdue_warning_days": 20}) == Thresholds(
        overdue_warning_days=20
    )
