"""``alerts/`` and ``risk-settings/``: vendor-only reads, risk and admin moves, bad input as a 400."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, PartnerKind, Tier
from risk.calculations import Thresholds
from risk.models import Alert
from risk.services import announcements_heard
from tests.conftest import tenant_api
from tests.facts.helpers import invoice, load

from .helpers import DAY, days_before, evaluate, live, partner, snapshot


def _overdue_partner(code="AP-1", days=100):
    owner = partner(code, credit_limit="100.00")
    load("invoices", invoice(owner, f"{code}-INV", "2026-01-01", days_before(DAY, days), "150.00"))
    evaluate()
    return owner


def test_vendor_members_list_alerts_with_their_summary_and_filters(acme, api):
    owner = _overdue_partner()
    client = api(acme.member("viewer"))
    response = client.get(tenant_api("acme", "alerts/"), {"partner": "ap-1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.data["count"] == 2
    first = response.data["results"][0]
    assert (first["partner"], first["severity"], first["status"], first["status_label"]) == (
        "AP-1", "critical", "open", "Open",
    )  # fmt: skip
    assert "¥" in first["summary"]
    assert client.get(tenant_api("acme", "alerts/"), {"rule": "credit"}).data["count"] == 1
    assert client.get(tenant_api("acme", "alerts/"), {"status": "resolved"}).data["count"] == 0
    assert client.get(tenant_api("acme", "alerts/"), {"status": "live", "partner": owner.name}).data["count"] == 2


def test_an_alert_answers_with_its_evidence_and_history(acme, api):
    owner = _overdue_partner()
    alert = live(owner, "overdue")
    data = api(acme.member("finance")).get(tenant_api("acme", f"alerts/{alert.pk}/")).data
    assert data["evidence"]["invoices"][0]["number"] == "AP-1-INV"
    assert [(event["action"], event["actor"]) for event in data["events"]] == [("raised", None)]


def test_bad_filters_are_a_400_saying_which(acme, api):
    query = {"severity": "apocalyptic", "manager": "x"}
    response = api(acme.member("viewer")).get(tenant_api("acme", "alerts/"), query)
    assert response.status_code == 400
    assert {"severity", "manager"} <= set(response.json()["errors"])


def test_the_risk_member_acknowledges_and_resolves_through_the_api(acme, api):
    owner = _overdue_partner()
    alert = live(owner, "credit")
    client = api(acme.member("risk"))
    response = client.post(tenant_api("acme", f"alerts/{alert.pk}/acknowledge/"), {}, format="json")
    assert response.status_code == 200 and response.data["status"] == "acknowledged"
    assert response.data["acknowledged_by"] == "risk@acme.test"
    with announcements_heard() as heard:
        response = client.post(tenant_api("acme", f"alerts/{alert.pk}/resolve/"), {"note": "Paid"}, format="json")
    assert response.status_code == 200
    assert (response.data["status"], response.data["resolution_note"], response.data["resolved_by"]) == (
        "resolved", "Paid", "risk@acme.test",
    )  # fmt: skip
    assert [event["action"] for event in response.data["events"]] == ["raised", "acknowledged", "resolved"]
    assert [(said.change, said.alerts[0].actor_id) for said in heard] == [("resolved", acme.member("risk").user.pk)]


def test_a_move_the_status_does_not_allow_is_a_409_and_a_missing_note_a_400(acme, api):
    owner = _overdue_partner()
    alert = live(owner, "credit")
    client = api(acme.member("admin"))
    before = snapshot()
    response = client.post(tenant_api("acme", f"alerts/{alert.pk}/resolve/"), {"note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    assert snapshot() == before
    client.post(tenant_api("acme", f"alerts/{alert.pk}/resolve/"), {"note": "Done"}, format="json")
    before = snapshot()
    response = client.post(tenant_api("acme", f"alerts/{alert.pk}/acknowledge/"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_refused"
    assert snapshot() == before


def test_roles_that_read_may_not_move_an_alert(acme, api):
    owner = _overdue_partner()
    alert = live(owner, "credit")
    before = snapshot()
    for role in ("finance", "channel_manager", "viewer"):
        response = api(acme.member(role)).post(tenant_api("acme", f"alerts/{alert.pk}/acknowledge/"), {}, format="json")
        assert response.status_code == 403
    assert snapshot() == before


def test_partner_users_never_see_alerts_not_even_their_own(acme, api):
    _overdue_partner()
    own = Alert.objects.create(
        partner=acme.own, rule="overdue", severity="warning", raised_on=DAY, evaluated_on=DAY,
        raised_at="2026-06-30T01:00:00Z", evidence={},
    )  # fmt: skip
    before = snapshot()
    for role in ("partner_admin", "partner_user"):
        client = api(acme.member(role))
        assert client.get(tenant_api("acme", "alerts/")).status_code == 403
        assert client.get(tenant_api("acme", f"alerts/{own.pk}/")).status_code == 404
        response = client.post(tenant_api("acme", f"alerts/{own.pk}/resolve/"), {"note": "x"}, format="json")
        assert response.status_code == 404
        assert client.get(tenant_api("acme", "risk-settings/")).status_code == 403
    assert snapshot() == before


def test_another_tenants_alert_is_a_404(world, api):
    from tenancy.context import tenant_scope

    with tenant_scope(world["globex"].tenant):
        away = Alert.objects.create(
            partner=world["globex"].own, rule="credit", severity="critical", raised_on=DAY, evaluated_on=DAY,
            raised_at="2026-06-30T01:00:00Z", evidence={},
        )  # fmt: skip
    with tenant_scope(world["acme"].tenant):
        assert api(world["acme"].member("admin")).get(tenant_api("acme", f"alerts/{away.pk}/")).status_code == 404


def test_the_alert_list_takes_the_same_queries_for_5_and_50_alerts(acme, api):
    client = api(acme.member("viewer"))
    tier = Tier.objects.get(code="ordinary")
    counts = []
    for tag, size in (("AQ", 5), ("AR", 45)):
        made = Partner.objects.bulk_create(
            [Partner(code=f"{tag}-{n}", name=f"{tag} {n}", kind=PartnerKind.AGENT, tier=tier) for n in range(size)]
        )
        Partner.objects.filter(code__startswith=f"{tag}-").update(status="active", credit_limit=10)
        load("invoices", *[invoice(p, f"{p.code}-I", "2026-01-01", days_before(DAY, 40), "20") for p in made])
        evaluate()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tenant_api("acme", "alerts/")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- thresholds -----------------------------------------------------------------------------------


def test_every_vendor_member_reads_the_thresholds_with_the_rules_in_words(acme, api):
    data = api(acme.member("viewer")).get(tenant_api("acme", "risk-settings/"), HTTP_ACCEPT_LANGUAGE="en").data
    assert {name: data[name] for name in Thresholds.names()} == Thresholds().as_dict()
    assert data["rules"][0]["rule"] == "Credit limit" and "80%" in data["rules"][0]["text"]


def test_the_risk_member_puts_new_thresholds_and_the_change_is_kept(acme, api):
    values = {**Thresholds().as_dict(), "overdue_warning_days": 14, "credit_warning_percent": 75}
    response = api(acme.member("risk")).put(tenant_api("acme", "risk-settings/"), values, format="json")
    assert response.status_code == 200 and response.data["overdue_warning_days"] == 14
    acme.tenant.refresh_from_db()
    assert acme.tenant.risk_thresholds == values
    from risk.models import ThresholdChange

    change = ThresholdChange.objects.get()
    assert (change.actor, change.new_values["credit_warning_percent"]) == (acme.member("risk").user, 75)


def test_thresholds_out_of_range_or_out_of_order_are_a_400_by_field_and_change_nothing(acme, api):
    client = api(acme.member("admin"))
    before = dict(acme.tenant.risk_thresholds)
    for change, field in (
        ({"credit_warning_percent": 1001}, "credit_warning_percent"),
        ({"overdue_warning_days": 95}, "overdue_warning_days"),
        ({"performance_drop_percent": "half"}, "performance_drop_percent"),
        ({"contract_expiry_days": None}, "contract_expiry_days"),
    ):
        response = client.put(tenant_api("acme", "risk-settings/"), {**Thresholds().as_dict(), **change}, format="json")
        assert response.status_code == 400, change
        assert field in response.json()["errors"], response.json()
    response = client.put(tenant_api("acme", "risk-settings/"), {"credit_warning_percent": 70}, format="json")
    assert response.status_code == 400 and "overdue_warning_days" in response.json()["errors"]  # PUT: all of them
    acme.tenant.refresh_from_db()
    assert acme.tenant.risk_thresholds == before


def test_roles_that_read_may_not_put_thresholds(acme, api):
    before = dict(acme.tenant.risk_thresholds)
    for role in ("finance", "channel_manager", "viewer"):
        client = api(acme.member(role))
        response = client.put(tenant_api("acme", "risk-settings/"), Thresholds().as_dict(), format="json")
        assert response.status_code == 403
    acme.tenant.refresh_from_db()
    assert acme.tenant.risk_thresholds == before
