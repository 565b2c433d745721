"""Alerts tell people (SPEC §4.11): the risk members and the partner's manager hear of a raised alert,
administrators too of an escalation; a night of many alerts is one digest each; nothing for partners."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Channel, Delivery, Notification, Webhook
from risk.models import Alert
from risk.notices import DIGEST_AFTER
from risk.services import alert_resolve
from tests.facts.helpers import invoice, load, payment

from .helpers import DAY, days_before, evaluate, live, partner


def _hook(events=("alert_raised", "alert_escalated")) -> Webhook:
    return Webhook.objects.create(
        name="Risk room", url="http://127.0.0.1:9/risk", secret="risk-secret-0123456789", events=list(events)
    )


def _overdue(owner, number, days=35, amount="1000.00"):
    load("invoices", invoice(owner, number, "2026-01-01", days_before(DAY, days), amount))


def _inbox(member):
    return list(Notification.objects.filter(recipient=member).order_by("id").values_list("event", "subject", "url"))


def test_a_raised_alert_reaches_the_risk_members_and_the_partners_manager_not_others(acme):
    risk, manager = acme.member("risk"), acme.member("channel_manager")
    owner = partner("NO-1", manager=manager.user)
    _overdue(owner, "NO-1-I")
    hook = _hook()
    evaluate()
    alert = live(owner, "overdue")
    for member in (risk, manager):
        [(event, subject, url)] = _inbox(member)
        assert event == "alert_raised"
        assert "NO-1" in subject and owner.name in subject
        assert url == f"/t/{acme.tenant.slug}/risk/alerts/{alert.pk}/"
    for role in ("admin", "finance", "viewer", "partner_admin", "partner_user"):
        assert _inbox(acme.member(role)) == [], role
    [delivery] = Delivery.objects.filter(channel=Channel.WEBHOOK, webhook=hook)
    assert delivery.payload["partner"] == "NO-1" and delivery.payload["rule"] == "overdue"
    # e-mail by default for the risk role and the channel manager (their choice otherwise)
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("email", flat=True)) == {
        risk.user.email,
        manager.user.email,
    }


def test_an_escalation_reaches_the_administrators_too_and_a_resolution_tells_nobody(acme):
    owner = partner("NO-2")
    _overdue(owner, "NO-2-I", days=60)
    evaluate()
    Notification.objects.all().delete()
    evaluate(DAY + datetime.timedelta(days=31))  # 91 days overdue: critical
    for role in ("risk", "admin"):
        assert [event for event, _subject, _url in _inbox(acme.member(role))] == ["alert_escalated"], role
    Notification.objects.all().delete()
    alert_resolve(alert=live(owner, "overdue"), actor=acme.member("risk").user, note="Paid by wire, not booked yet")
    load("payments", payment(owner, days_before(DAY, -32), "1000.00", "NO-2-I"))
    evaluate(DAY + datetime.timedelta(days=33))
    assert not Notification.objects.exists()


def test_a_night_of_many_alerts_is_one_digest_each_and_one_for_the_webhook(acme):
    risk, manager = acme.member("risk"), acme.member("channel_manager")
    count = DIGEST_AFTER + 5
    partners = [partner(f"ND-{n:02d}") for n in range(count)]
    mine = [partner("ND-MINE-1", manager=manager.user), partner("ND-MINE-2", manager=manager.user)]
    for owner in partners + mine:
        _overdue(owner, f"{owner.code}-I")
    hook = _hook()
    evaluate()
    [(event, subject, url)] = _inbox(risk)
    assert event == "alert_raised" and str(count + 2) in subject
    assert url == f"/t/{acme.tenant.slug}/risk/alerts/?status=live"
    body = Notification.objects.get(recipient=risk).body
    assert len(body.splitlines()) == 10 + 1  # the ten worst named, then how many more
    # the manager hears of its own two partners, one message each
    assert sorted(subject.split("ND-MINE-")[1][0] for _e, subject, _u in _inbox(manager)) == ["1", "2"]
    [digest] = Delivery.objects.filter(channel=Channel.WEBHOOK, webhook=hook)
    assert digest.payload["count"] == count + 2 and len(digest.payload["alerts"]) == 10


def test_announcing_takes_the_same_queries_for_few_and_many_alerts(acme):
    counts = []
    for tag, size in (("NQ", DIGEST_AFTER + 1), ("NR", 4 * DIGEST_AFTER)):
        for n in range(size):
            _overdue(partner(f"{tag}-{n:02d}"), f"{tag}-{n:02d}-I")
        with CaptureQueriesContext(connection) as queries:
            evaluate(DAY if tag == "NQ" else DAY + datetime.timedelta(days=1))  # NQ's alerts only refreshed
        counts.append(len(queries))
        assert Alert.objects.filter(partner__code__startswith=tag, status="open").count() == size
    assert counts[0] == counts[1]
