"""The risk pages: the receivables overview, the dashboards, alerts and their actions, the partner's badges."""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from risk.calculations import Thresholds
from risk.models import Alert, AlertEvent
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, days_before, evaluate, live, partner, snapshot


def _money_world(acme):
    """Three partners with known receivables as of DAY:

    - RX-A (core, 华东, manager: the channel manager): limit 1,000; owes 1,200, all 100 days overdue.
    - RX-B (ordinary, 华南, pilot, pilot limit 500): owes 400 (80%), 40 days overdue.
    - RX-C (ordinary, 华北, no limit): owes 50, not yet due.
    """
    manager = acme.member("channel_manager").user
    core = Tier.objects.get(code="core")
    a = partner("RX-A", credit_limit="1000.00", region="华东", name="Alpha Trading", manager=manager)
    Partner.objects.filter(pk=a.pk).update(tier=core)
    b = partner("RX-B", status=PartnerStatus.PILOT, credit_limit="99999.00", pilot_credit_limit="500.00",
                pilot_ends_on=DAY + datetime.timedelta(days=60), region="华南", name="Beta Pilot")  # fmt: skip
    c = partner("RX-C", region="华北", name="Gamma Open")
    load(
        "invoices",
        invoice(a, "A-1", "2026-01-01", days_before(DAY, 100), "1200.00"),
        invoice(b, "B-1", "2026-04-01", days_before(DAY, 40), "400.00"),
        invoice(c, "C-1", "2026-06-01", days_before(DAY, -20), "50.00"),
    )
    return a, b, c


def _rows(response) -> list[str]:
    return [row.code for row in response.context["object_list"]]


def _overview(client, query=""):
    return client.get(f"/t/acme/risk/receivables/?date={DAY.isoformat()}&{query}")


def test_the_overview_shows_each_partners_aging_limit_utilisation_and_overdue(acme, page_client):
    _money_world(acme)
    response = _overview(page_client(acme.member("viewer")), "sort=code")
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["object_list"]}
    a, b, c = rows["RX-A"], rows["RX-B"], rows["RX-C"]
    assert (a.outstanding, a.receivables.days_over_90, a.utilisation, a.credit_severity) == (
        1200, 1200, 120, "critical",
    )  # fmt: skip
    assert (a.overdue_warning, a.overdue_critical) == (1200, 1200)
    assert (b.limit, b.limit_kind, b.utilisation, b.credit_severity) == (500, "pilot", 80, "warning")
    assert (b.receivables.days_31_60, b.overdue_warning, b.overdue_critical) == (400, 400, 0)
    assert (c.limit, c.utilisation, c.receivables.current) == (None, None, 50)
    body = response.content.decode()
    assert "¥1,200.00" in body and "120%" in body and "80%" in body


def test_the_overview_sorts_by_any_column_both_ways(acme, page_client):
    _money_world(acme)
    client = page_client(acme.member("risk"))
    assert _rows(_overview(client, "sort=-outstanding"))[:3] == ["RX-A", "RX-B", "RX-C"]
    assert _rows(_overview(client, "sort=outstanding"))[-3:] == ["RX-C", "RX-B", "RX-A"]
    assert _rows(_overview(client, "sort=-utilisation&q=RX"))[:2] == ["RX-A", "RX-B"]
    # partners without a limit come last, whichever way round
    assert _rows(_overview(client, "sort=utilisation&q=RX")) == ["RX-B", "RX-A", "RX-C"]
    assert _rows(_overview(client, "sort=-days_31_60"))[0] == "RX-B"
    assert _rows(_overview(client, "sort=name&q=RX"))[:3] == ["RX-A", "RX-B", "RX-C"]  # Alpha, Beta, Gamma
    assert _rows(_overview(client, "sort=-region&q=RX")) == ["RX-B", "RX-C", "RX-A"]  # 华南, 华北, 华东 (code points)
    # an unknown column is the default order, not an error
    response = _overview(client, "sort=password")
    assert response.status_code == 200 and _rows(response)[0] == "RX-A"


def test_the_overview_filters_and_totals_what_it_shows(acme, page_client):
    _money_world(acme)
    client = page_client(acme.member("finance"))
    manager = acme.member("channel_manager").user
    assert _rows(_overview(client, "q=rx-")) == ["RX-A", "RX-B", "RX-C"]  # case-insensitive
    assert _rows(_overview(client, "q=beta")) == ["RX-B"]
    assert _rows(_overview(client, "tier=CORE")) == ["RX-A"]
    assert _rows(_overview(client, "region=华南&q=RX")) == ["RX-B"]
    assert _rows(_overview(client, f"manager={manager.pk}")) == ["RX-A"]
    assert _rows(_overview(client, "status=pilot")) == ["RX-B"]
    totals = _overview(client, "q=RX-").context["totals"]
    assert (totals.partners, totals.outstanding) == (3, 1650)
    assert (totals.overdue_warning, totals.overdue_critical) == (1600, 1200)
    assert (totals.limit, totals.over_limit_partners, totals.overdue_partners) == (1500, 1, 2)
    assert totals.buckets == {"current": 50, "days_1_30": 0, "days_31_60": 400, "days_61_90": 0, "days_over_90": 1200}


def test_the_overview_as_of_an_earlier_day_counts_only_what_was_issued_and_paid_by_then(acme, page_client):
    a, _b, _c = _money_world(acme)
    load("payments", payment(a, DAY.isoformat(), "1200.00", "A-1"))
    client = page_client(acme.member("viewer"))
    paid = {row.code: row for row in _overview(client, "q=RX-A").context["object_list"]}["RX-A"]
    assert paid.outstanding == 0
    before = client.get(f"/t/acme/risk/receivables/?date={days_before(DAY, 1)}&q=RX-A").context["object_list"][0]
    assert before.outstanding == 1200


def test_a_bad_day_or_manager_is_said_on_the_page_never_a_server_error(acme, page_client):
    client = page_client(acme.member("viewer"))
    response = client.get("/t/acme/risk/receivables/?date=2026-02-30&manager=abc")
    assert response.status_code == 200
    assert "not a day of the calendar" in response.content.decode()


def test_the_overview_exports_what_it_shows_as_csv_and_xlsx(acme, page_client):
    _money_world(acme)
    Partner.objects.filter(code="RX-C").update(name="=HYPERLINK(evil)")
    client = page_client(acme.member("finance"))
    response = _overview(client, "q=RX-&sort=code&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Name", "Tier"] and len(rows) == 4
    assert rows[1][0] == "RX-A" and rows[1][8] == "1200.00" and rows[1][14] == "120.00"
    assert rows[3][1] == "'=HYPERLINK(evil)"  # a formula is neutralised
    response = _overview(client, "q=RX-&sort=code&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[2][0] == "RX-B" and values[2][6] == "Pilot credit limit" and float(values[2][7]) == 500


def _many_partners(count: int, tag: str):
    tier = Tier.objects.get(code="ordinary")
    made = Partner.objects.bulk_create(
        [
            Partner(code=f"{tag}-{n}", name=f"{tag} {n}", kind=PartnerKind.AGENT, tier=tier, credit_limit=100)
            for n in range(count)
        ]
    )
    Partner.objects.filter(code__startswith=f"{tag}-").update(status="active")
    load("invoices", *[invoice(p, f"{p.code}-I", "2026-01-01", days_before(DAY, 95), "150") for p in made])
    return made


def test_the_overview_and_alert_list_take_the_same_queries_for_5_and_50_partners(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    counts = []
    for tag, size in (("QA", 5), ("QB", 45)):
        _many_partners(size, tag)
        evaluate()
        found = []
        for url in (
            f"/t/acme/risk/receivables/?date={DAY.isoformat()}",
            "/t/acme/risk/alerts/",
            "/t/acme/risk/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        counts.append(found)
    assert counts[0] == counts[1]


# --- alerts ---------------------------------------------------------------------------------------


def _alerts(acme):
    a, b, c = _money_world(acme)
    evaluate()
    return a, b, c


def test_the_alert_list_shows_open_and_acknowledged_alerts_worst_first_and_filters(acme, page_client):
    _a, b, _c = _alerts(acme)
    client = page_client(acme.member("viewer"))
    listed = client.get("/t/acme/risk/alerts/?partner=rx-").context["object_list"]
    assert [(alert.partner.code, alert.severity) for alert in listed] == [
        ("RX-A", "critical"), ("RX-A", "critical"), ("RX-B", "warning"), ("RX-B", "warning"),
    ]  # fmt: skip
    assert {alert.rule for alert in client.get("/t/acme/risk/alerts/?rule=credit").context["object_list"]} == {"credit"}
    assert {a.partner.code for a in client.get("/t/acme/risk/alerts/?severity=warning").context["object_list"]} == {
        "RX-B"
    }
    manager = acme.member("channel_manager").user
    mine = client.get(f"/t/acme/risk/alerts/?manager={manager.pk}").context["object_list"]
    assert {alert.partner.code for alert in mine} == {"RX-A"}
    Alert.objects.filter(partner=b, rule="credit").update(status="resolved")
    assert len(client.get("/t/acme/risk/alerts/?partner=RX-B").context["object_list"]) == 1
    assert len(client.get("/t/acme/risk/alerts/?partner=RX-B&status=resolved").context["object_list"]) == 1
    assert len(client.get("/t/acme/risk/alerts/?partner=RX-B&status=").context["object_list"]) == 2


def test_an_alert_shows_its_evidence_its_history_and_links(acme, page_client):
    a, _b, _c = _alerts(acme)
    alert = live(a, "overdue")
    response = page_client(acme.member("viewer")).get(f"/t/acme/risk/alerts/{alert.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "A-1" in body and "¥1,200.00" in body and "100" in body  # the invoice, its open amount and days
    assert f"/t/acme/partners/{a.pk}/account/" in body and f"/t/acme/partners/{a.pk}/" in body
    assert "Nightly run" in body and "Raised as Critical." in body
    assert "Acknowledge" not in body  # a viewer reads, and does nothing


def test_the_risk_member_acknowledges_then_resolves_an_alert_from_its_page(acme, page_client):
    a, _b, _c = _alerts(acme)
    alert = live(a, "credit")
    client = page_client(acme.member("risk"))
    assert "Acknowledge" in client.get(f"/t/acme/risk/alerts/{alert.pk}/").content.decode()
    response = client.post(f"/t/acme/risk/alerts/{alert.pk}/acknowledge/", {"note": "Calling the CFO"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", acme.member("risk").user)
    response = client.post(f"/t/acme/risk/alerts/{alert.pk}/resolve/", {"note": "Limit raised to 2,000"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_note, alert.resolved_automatically) == (
        "resolved", "Limit raised to 2,000", False,
    )  # fmt: skip
    assert list(alert.events.order_by("pk").values_list("action", "actor__email", "note")) == [
        ("raised", None, ""),
        ("acknowledged", "risk@acme.test", "Calling the CFO"),
        ("resolved", "risk@acme.test", "Limit raised to 2,000"),
    ]


def test_resolving_without_a_note_is_refused_on_the_form_and_changes_nothing(acme, page_client):
    a, _b, _c = _alerts(acme)
    alert = live(a, "credit")
    before = snapshot()
    response = page_client(acme.member("admin")).post(f"/t/acme/risk/alerts/{alert.pk}/resolve/", {"note": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert snapshot() == before


def test_a_role_that_reads_cannot_act_on_an_alert(acme, page_client):
    a, _b, _c = _alerts(acme)
    alert = live(a, "credit")
    before = snapshot()
    for role in ("finance", "channel_manager", "viewer"):
        response = page_client(acme.member(role)).post(f"/t/acme/risk/alerts/{alert.pk}/resolve/", {"note": "x"})
        assert response.status_code == 403
    assert snapshot() == before


def test_partner_side_members_get_403_for_risk_pages_and_404_for_any_alert(acme, page_client):
    _alerts(acme)
    own_alert = Alert.objects.create(
        partner=acme.own, rule="overdue", severity="critical", raised_on=DAY, evaluated_on=DAY,
        raised_at=datetime.datetime(2026, 6, 30, tzinfo=datetime.UTC), evidence={"invoice_count": 3},
    )  # fmt: skip
    other_alert = Alert.objects.exclude(partner=acme.own).first()
    for role in ("partner_admin", "partner_user"):
        client = page_client(acme.member(role))
        for url in ("/t/acme/risk/", "/t/acme/risk/alerts/", "/t/acme/risk/receivables/", "/t/acme/risk/settings/",
                    f"/t/acme/partners/{acme.own.pk}/risk/"):  # fmt: skip
            assert client.get(url).status_code == 403, url
        for alert in (own_alert, other_alert):
            assert client.get(f"/t/acme/risk/alerts/{alert.pk}/").status_code == 404
            assert client.post(f"/t/acme/risk/alerts/{alert.pk}/resolve/", {"note": "x"}).status_code == 404
        body = client.get(f"/t/acme/partners/{acme.own.pk}/").content.decode()
        assert "credit-badge" not in body and "overdue-badge" not in body
        assert "/risk/" not in client.get("/t/acme/").content.decode()  # no link in the portal's navigation


# --- dashboards and the partner page -------------------------------------------------------------


def test_the_risk_dashboard_counts_alerts_and_hands_its_charts_their_data(acme, page_client):
    _alerts(acme)
    response = page_client(acme.member("viewer")).get("/t/acme/risk/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts.by_severity["critical"] >= 2 and counts.by_severity["warning"] >= 2
    body = response.content.decode()
    assert 'id="risk-trend-data"' in body and 'id="risk-utilisation-data"' in body and "<script>" not in body
    trend = response.context["trend"]
    assert len(trend["labels"]) == 90 and trend["open"][-1] == counts.total
    data = re.search(r'<script id="risk-utilisation-data" type="application/json">(.*?)</script>', body).group(1)
    assert json.loads(data)["labels"][0] == "0–50%"


def test_the_trend_counts_an_alert_from_its_night_until_it_resolved(acme):
    from risk.selectors import open_alert_trend

    owner = partner("TR-1")
    load("invoices", invoice(owner, "TR-I", "2026-01-01", days_before(DAY, 40), "10.00"))
    evaluate()
    load("payments", payment(owner, "2026-07-02", "10.00"))
    evaluate(DAY + datetime.timedelta(days=2))
    trend = open_alert_trend(day=DAY + datetime.timedelta(days=3), days=5)
    assert trend["labels"][0] == days_before(DAY, 1)
    assert trend["open"] == [0, 1, 1, 0, 0]  # raised on the night of DAY, resolved on DAY + 2


def test_the_vendor_dashboard_shows_overdue_totals_highest_utilisations_and_open_alerts(acme, page_client):
    _alerts(acme)
    response = page_client(acme.member("channel_manager")).get("/t/acme/")
    risk = response.context["risk"]
    assert [row.code for row in risk["highest"]][:2] == ["RX-A", "RX-B"]
    assert risk["totals"].over_limit_partners >= 1
    assert dict((value, count) for value, _label, count in risk["severity_counts"])["critical"] >= 2
    assert "Highest utilisation" in response.content.decode()


def test_the_partner_page_shows_the_credit_and_overdue_badges_to_the_vendor(acme, page_client):
    a, _b, c = _money_world(acme)
    client = page_client(acme.member("viewer"))
    body = client.get(f"/t/acme/partners/{a.pk}/").content.decode()
    # as of the real today, A-1 is overdue by far more than 90 days
    assert 'id="credit-badge"' in body and "risk-critical" in body and "over the limit" in body
    assert 'id="overdue-badge"' in body and "Overdue ¥1,200.00" in body
    body = client.get(f"/t/acme/partners/{c.pk}/").content.decode()
    assert 'id="credit-badge"' not in body  # no limit, no credit badge


# --- settings -------------------------------------------------------------------------------------


def test_the_risk_member_changes_the_thresholds_and_the_change_is_kept(acme, page_client):
    client = page_client(acme.member("risk"))
    assert client.get("/t/acme/risk/settings/edit/").status_code == 200
    values = {"credit_warning_percent": 70, "credit_critical_percent": 90, "overdue_warning_days": 15,
              "overdue_critical_days": 60, "performance_drop_percent": 40, "contract_expiry_days": 45}  # fmt: skip
    assert client.post("/t/acme/risk/settings/edit/", values).status_code == 302
    acme.tenant.refresh_from_db()
    assert acme.tenant.risk_thresholds == values
    body = client.get("/t/acme/risk/settings/").content.decode()
    assert "risk@acme.test" in body and "70%" in body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_warning_percent": 120}, "credit_warning_percent"),
        ({"overdue_critical_days": 0}, "overdue_critical_days"),
    ],
)
def test_thresholds_that_do_not_hold_together_are_refused_on_the_form(acme, page_client, change, field):
    values = {**Thresholds().as_dict(), **change}
    before = dict(acme.tenant.risk_thresholds)
    response = page_client(acme.member("admin")).post("/t/acme/risk/settings/edit/", values)
    assert response.status_code == 200 and response.context["form"].errors[field]
    acme.tenant.refresh_from_db()
    assert acme.tenant.risk_thresholds == before
    assert not AlertEvent.objects.exists()
