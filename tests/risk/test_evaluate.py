"""The nightly evaluation: alerts raised once, escalated and eased in place, resolved when the condition clears."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services as partner_services
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from risk.models import Alert, AlertEvent
from risk.services import alert_acknowledge, alert_resolve, announcements_heard
from scoring import jobs
from scoring.models import JobRun
from tenancy.context import tenant_scope
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, alerts_of, days_before, evaluate, live, partner, snapshot

NEXT_DAY = DAY + datetime.timedelta(days=1)


def _overdue(owner, number="INV-1", days=35, amount="1000.00"):
    load("invoices", invoice(owner, number, "2026-01-01", days_before(DAY, days), amount))


def test_a_run_raises_one_alert_per_partner_and_rule_with_its_evidence_and_an_event(acme):
    owner = partner("EV-1", credit_limit="1000.00")
    _overdue(owner, amount="900.00")
    with announcements_heard() as heard:
        summary = evaluate()
    assert alerts_of(owner) == {"credit": "warning", "overdue": "warning"}
    assert summary["raised"] == 2
    alert = live(owner, "overdue")
    assert (alert.status, alert.raised_on, alert.evaluated_on, alert.resolved_at) == ("open", DAY, DAY, None)
    event = alert.events.get()
    assert (event.action, event.to_severity, event.to_status, event.actor, event.day) == (
        "raised", "warning", "open", None, DAY,
    )  # fmt: skip
    assert event.details == alert.evidence
    assert [(said.change, sorted(change.rule for change in said.alerts)) for said in heard] == [
        ("raised", ["credit", "overdue"])
    ]


def test_running_the_same_night_again_changes_nothing_and_announces_nothing(acme):
    owner = partner("EV-2", credit_limit="1000.00")
    _overdue(owner, amount="1500.00")
    evaluate()
    before = snapshot()
    with announcements_heard() as heard:
        summary = evaluate()
    assert snapshot() == before  # not even an updated_at
    assert heard == []
    assert Alert.objects.filter(partner=owner).count() == 2
    assert {summary[key] for key in ("raised", "escalated", "eased", "refreshed", "resolved")} == {0}


def test_a_worse_night_escalates_the_same_alert_in_place_and_reopens_an_acknowledged_one(acme):
    owner = partner("EV-3")
    _overdue(owner, days=60)
    evaluate()
    alert = live(owner, "overdue")
    alert_acknowledge(alert=alert, actor=acme.member("risk").user, note="Calling them")
    # 31 nights later the invoice is 91 days overdue
    later = DAY + datetime.timedelta(days=31)
    with announcements_heard() as heard:
        evaluate(later)
    escalated = Alert.objects.get(pk=alert.pk)
    assert Alert.objects.filter(partner=owner, rule="overdue").count() == 1
    assert (escalated.severity, escalated.status, escalated.evaluated_on) == ("critical", "open", later)
    assert escalated.escalated_at is not None and escalated.evidence["overdue_critical"] == "1000.00"
    event = escalated.events.order_by("pk").last()
    assert (event.action, event.from_severity, event.to_severity, event.from_status, event.to_status) == (
        "escalated", "warning", "critical", "acknowledged", "open",
    )  # fmt: skip
    assert [(said.change, said.alerts[0].previous_severity) for said in heard] == [("escalated", "warning")]


def test_a_milder_night_eases_the_alert_in_place_with_an_event_and_no_announcement(acme):
    owner = partner("EV-4", credit_limit="1000.00")
    load("invoices", invoice(owner, "E-1", "2026-06-01", "2026-08-01", "1200.00"))
    evaluate()
    alert = live(owner, "credit")
    assert alert.severity == "critical"
    load("payments", payment(owner, NEXT_DAY.isoformat(), "300.00"))  # 900 of 1000 now
    with announcements_heard() as heard:
        evaluate(NEXT_DAY)
    eased = Alert.objects.get(pk=alert.pk)
    assert (eased.severity, eased.status, eased.evidence["utilisation_percent"]) == ("warning", "open", "90.00")
    event = eased.events.order_by("pk").last()
    assert (event.action, event.from_severity, event.to_severity) == ("eased", "critical", "warning")
    assert heard == []


def test_paying_the_overdue_invoice_resolves_the_alert_on_its_own_the_next_night(acme):
    owner = partner("EV-5")
    _overdue(owner, "PAY-ME", days=95, amount="700.00")
    evaluate()
    alert = live(owner, "overdue")
    load("payments", payment(owner, NEXT_DAY.isoformat(), "700.00", "PAY-ME"))
    with announcements_heard() as heard:
        summary = evaluate(NEXT_DAY)
    resolved = Alert.objects.get(pk=alert.pk)
    assert (resolved.status, resolved.resolved_on, resolved.resolved_by, resolved.resolved_automatically) == (
        "resolved", NEXT_DAY, None, True,
    )  # fmt: skip
    event = resolved.events.order_by("pk").last()
    assert (event.action, event.from_status, event.to_status, event.actor, event.day) == (
        "resolved", "open", "resolved", None, NEXT_DAY,
    )  # fmt: skip
    assert (event.details["overdue_warning"], event.details["checked"]) == ("0.00", True)  # why it cleared
    assert summary["resolved"] == 1 and [said.change for said in heard] == ["resolved"]
    assert alerts_of(owner) == {}


def test_the_next_night_refreshes_the_figures_without_an_event(acme):
    owner = partner("EV-6")
    _overdue(owner, days=40)
    evaluate()
    alert = live(owner, "overdue")
    summary = evaluate(NEXT_DAY)
    refreshed = Alert.objects.get(pk=alert.pk)
    assert summary["refreshed"] == 1
    assert (refreshed.evaluated_on, refreshed.raised_on) == (NEXT_DAY, DAY)
    assert refreshed.evidence["invoices"][0]["days_overdue"] == 41
    assert refreshed.events.count() == 1  # raised only


def test_running_an_older_night_again_does_not_overrule_a_later_one(acme):
    owner = partner("EV-7")
    _overdue(owner, days=60)
    later = DAY + datetime.timedelta(days=31)
    evaluate(later)  # critical on the later night
    before = snapshot()
    evaluate(DAY)  # the earlier night again: it would have said warning
    assert snapshot() == before


def test_a_hand_resolved_alert_whose_condition_holds_comes_back_as_a_new_one(acme):
    owner = partner("EV-8")
    _overdue(owner, days=40)
    evaluate()
    first = live(owner, "overdue")
    alert_resolve(alert=first, actor=acme.member("risk").user, note="Promised to pay Friday")
    evaluate(NEXT_DAY)
    second = live(owner, "overdue")
    assert second.pk != first.pk and second.raised_on == NEXT_DAY
    assert Alert.objects.get(pk=first.pk).status == "resolved"


def test_a_partner_no_longer_checked_has_its_alert_resolved_saying_why(acme):
    owner = partner("EV-9")
    load("sales", {"partner": owner.code, "date": days_before(DAY, 100), "customer": "A", "amount": "60000.00"})
    evaluate()
    alert = live(owner, "performance_drop")
    partner_services.partner_change_status(
        partner=owner, status=PartnerStatus.SUSPENDED, effective_on=NEXT_DAY, reason="Paused", actor=None
    )
    evaluate(NEXT_DAY)
    resolved = Alert.objects.get(pk=alert.pk)
    assert resolved.status == "resolved"
    assert resolved.events.order_by("pk").last().details == {
        "day": NEXT_DAY.isoformat(), "status": "suspended", "checked": False,
    }  # fmt: skip


def test_alerts_never_cross_tenants(world):
    with tenant_scope(world["acme"].tenant):
        owner = partner("EV-10", credit_limit="10.00")
        _overdue(owner, amount="100.00")
        evaluate()
        assert Alert.objects.filter(partner=owner).count() == 2
    with tenant_scope(world["globex"].tenant):
        evaluate()
        assert Alert.objects.count() == 0 and AlertEvent.objects.count() == 0


def _add_partners(count: int, tag: str):
    """``count`` partners each tripping the credit and overdue rules, half of them also a sales drop."""
    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [
            Partner(code=f"{tag}-{n}", name=f"{tag} {n}", kind=PartnerKind.AGENT, tier=tier, credit_limit=100)
            for n in range(count)
        ]
    )
    Partner.objects.filter(code__startswith=f"{tag}-").update(status="active")
    load("invoices", *[invoice(p, f"{p.code}-I", "2026-01-01", days_before(DAY, 95), "150") for p in partners])
    load(
        "sales",
        *[{"partner": p.code, "date": days_before(DAY, 90), "customer": "C", "amount": "600"} for p in partners[::2]],
    )
    return partners


def test_the_evaluation_takes_the_same_queries_for_20_and_200_partners(acme):
    counts = []
    for tag, size in (("Q20", 20), ("Q200", 200)):
        _add_partners(size, tag)
        with CaptureQueriesContext(connection) as queries:
            summary = evaluate()
        counts.append(len(queries))
        assert summary["raised"] == size * 2 + size // 2
    assert counts[0] == counts[1]
    # and a night that changes many alerts at once (pay everything: all overdue and credit alerts resolve,
    # which tells nobody, so no more than a night that raises and announces)
    with CaptureQueriesContext(connection) as queries:
        summary = evaluate(NEXT_DAY)
    assert summary["resolved"] > 0 or summary["refreshed"] > 0
    assert len(queries) <= counts[0]


def test_the_nightly_job_runs_the_risk_step(acme):
    owner = partner("EV-11", credit_limit="10.00")
    _overdue(owner, amount="100.00")
    run = jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.summary["risk"]["raised"] == 2
    assert alerts_of(owner) == {"credit": "critical", "overdue": "warning"}
