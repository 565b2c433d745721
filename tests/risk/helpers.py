"""Partners, facts and nightly runs for the risk tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from partners import services as partner_services
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from risk.models import Alert, AlertEvent
from risk.services import alerts_evaluate

DAY = datetime.date(2026, 6, 30)


def days_before(day: datetime.date, days: int) -> str:
    return (day - datetime.timedelta(days=days)).isoformat()


def partner(code: str, *, status: str = PartnerStatus.ACTIVE, credit_limit=None, **fields) -> Partner:
    """A partner made through the service, as the system (no actor) brings one in at any status."""
    for name in ("pilot_credit_limit",):
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    return partner_services.partner_create(
        actor=None,
        code=code,
        name=fields.pop("name", f"Partner {code}"),
        kind=fields.pop("kind", PartnerKind.RESELLER),
        tier=Tier.objects.get(code="ordinary"),
        status=status,
        credit_limit=None if credit_limit is None else Decimal(credit_limit),
        **fields,
    )


def evaluate(day: datetime.date = DAY) -> dict:
    return alerts_evaluate(day=day)


def live(partner_, rule: str) -> Alert | None:
    return Alert.objects.filter(partner=partner_, rule=rule, status__in=["open", "acknowledged"]).first()


def alerts_of(partner_) -> dict[str, str]:
    """rule → severity of the partner's live alerts."""
    return dict(
        Alert.objects.filter(partner=partner_, status__in=["open", "acknowledged"]).values_list("rule", "severity")
    )


def snapshot() -> list[tuple]:
    """Every alert and event as stored (to show that nothing changed)."""
    alerts = list(Alert.objects.order_by("pk").values_list())
    events = list(AlertEvent.objects.order_by("pk").values_list())
    return alerts + events
