"""Who hears of a risk alert, and in what words (SPEC §4.11, issue 9): raised and escalated.

The tenant's risk members hear of every alert, the partner's channel manager of the alerts about
its partners, and the administrators of escalations too. A night that raises many alerts (the first
night of a tenant, a bad month) would bury them in one message per alert, so past ``DIGEST_AFTER``
alerts each person hears of them once, in one message that lists the worst and links to the list;
the tenant's webhooks get one message per alert, or one digest. Resolutions are not announced: the
alert's page and its history say who resolved it and why.

A fixed number of queries, however many alerts the night moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import events
from notifications.selectors import members_with_roles
from notifications.services import Message, notify_each
from tenancy.context import require_tenant
from tenancy.models import Membership
from tenancy.roles import Role

from . import words
from .models import SEVERITY_RANK, Alert

# More alerts than this for one person in one night: one message listing them instead.
DIGEST_AFTER = 10
# The alerts a digest names before "and N more".
DIGEST_NAMES = 10
EVENTS = {"raised": events.ALERT_RAISED, "escalated": events.ALERT_ESCALATED}
WATCHERS = {"raised": (Role.RISK,), "escalated": (Role.RISK, Role.ADMIN)}


def alerts_announced(alert_ids: Sequence[int], change: str) -> None:
    """Tell the people who should hear that the alerts ``alert_ids`` were raised or escalated."""
    event = EVENTS.get(change)
    if event is None or not alert_ids:
        return
    tenant = require_tenant()
    alerts = list(Alert.objects.filter(pk__in=list(alert_ids)).select_related("partner").order_by("id"))
    alerts.sort(key=lambda alert: (-SEVERITY_RANK.get(alert.severity, 0), alert.partner.code, alert.rule))
    watchers = list(members_with_roles(WATCHERS[change]))
    manager_users = {alert.partner.manager_id for alert in alerts} - {None}
    managers = {
        member.user_id: member
        for member in Membership.objects.filter(user_id__in=manager_users, is_active=True, partner__isnull=True)
    }
    everyone_of: dict[int, list[Alert]] = {}  # a manager who is no watcher: the alerts about its partners
    for alert in alerts:
        manager = managers.get(alert.partner.manager_id)
        if manager is not None and manager not in watchers:
            everyone_of.setdefault(manager.pk, []).append(alert)
    by_pk = {member.pk: member for member in managers.values()}
    with translation.override(tenant.language):
        messages: list[Message] = []
        if len(alerts) <= DIGEST_AFTER:
            for alert in alerts:
                manager = managers.get(alert.partner.manager_id)
                recipients = watchers + ([manager] if manager is not None else [])
                messages.append(_one(tenant, alert, change, recipients))
        else:
            messages.append(_digest(tenant, alerts, change, watchers, to_webhooks=True))
            for member_pk, theirs in everyone_of.items():
                recipients = [by_pk[member_pk]]
                if len(theirs) <= DIGEST_AFTER:
                    messages += [_one(tenant, alert, change, recipients, to_webhooks=False) for alert in theirs]
                else:
                    messages.append(_digest(tenant, theirs, change, recipients, to_webhooks=False))
    notify_each(event=event.code, messages=messages)


def _one(tenant, alert: Alert, change: str, recipients, *, to_webhooks: bool = True) -> Message:
    partner = alert.partner
    values = {
        "code": partner.code,
        "name": partner.name,
        "rule": alert.get_rule_display(),
        "severity": alert.get_severity_display(),
    }
    if change == "escalated":
        subject = _("Risk alert escalated to %(severity)s: %(code)s %(name)s, %(rule)s") % values
    else:
        subject = _("Risk alert (%(severity)s): %(code)s %(name)s, %(rule)s") % values
    return Message(
        recipients=recipients,
        subject=subject,
        body=words.alert_summary(alert, tenant.currency),
        url=reverse("risk:alert", kwargs={"tenant_slug": tenant.slug, "pk": alert.pk}),
        payload=_payload(alert),
        to_webhooks=to_webhooks,
    )


def _digest(tenant, alerts: list[Alert], change: str, recipients, *, to_webhooks: bool) -> Message:
    count = len(alerts)
    if change == "escalated":
        subject = ngettext("%(count)d risk alert escalated", "%(count)d risk alerts escalated", count) % {
            "count": count
        }
    else:
        subject = ngettext("%(count)d risk alert raised", "%(count)d risk alerts raised", count) % {"count": count}
    lines = [
        _("%(severity)s · %(code)s %(name)s · %(rule)s: %(summary)s")
        % {
            "severity": alert.get_severity_display(),
            "code": alert.partner.code,
            "name": alert.partner.name,
            "rule": alert.get_rule_display(),
            "summary": words.alert_summary(alert, tenant.currency),
        }
        for alert in alerts[:DIGEST_NAMES]
    ]
    if count > DIGEST_NAMES:
        lines.append(
            ngettext("… and %(count)d more.", "… and %(count)d more.", count - DIGEST_NAMES)
            % {"count": count - DIGEST_NAMES}
        )
    url = reverse("risk:alerts", kwargs={"tenant_slug": tenant.slug}) + "?" + urlencode({"status": "live"})
    return Message(
        recipients=recipients,
        subject=subject,
        body="\n".join(lines),
        url=url,
        payload={"alerts": [_payload(alert) for alert in alerts[:DIGEST_NAMES]], "count": count},
        to_webhooks=to_webhooks,
    )


def _payload(alert: Alert) -> dict:
    return {
        "alert": alert.pk,
        "partner": alert.partner.code,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "raised_on": alert.raised_on.isoformat(),
    }
