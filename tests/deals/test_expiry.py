"""The nightly step expires protection (SPEC §4.8, §5): set-based, idempotent, its query count flat in partners."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.dates import tenant_today
from deals.models import Deal, DealStatus
from deals.normalise import normalise_customer
from deals.services import deals_expire
from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from scoring.jobs import nightly_run, summary_in_words

from .helpers import approved, other_partner_admin, register


def _age(deal: Deal, *, protected_until: datetime.date) -> None:
    Deal.objects.filter(pk=deal.pk).update(protected_until=protected_until)


def test_a_deal_whose_protection_ended_expires_and_the_step_is_idempotent(acme):
    today = tenant_today(acme.tenant)
    ended = approved(acme, "Ended Customer")
    last_day = approved(acme, "Last Day Customer")
    _age(ended, protected_until=today - datetime.timedelta(days=2))
    _age(last_day, protected_until=today - datetime.timedelta(days=1))
    day = today - datetime.timedelta(days=1)
    assert deals_expire(day=day) == {"expired": 1}
    ended.refresh_from_db()
    last_day.refresh_from_db()
    assert (ended.status, ended.closed_on) == (DealStatus.EXPIRED, day)
    assert last_day.status == DealStatus.APPROVED  # protected through ``day`` itself
    step = ended.transitions.get(action="expired")
    assert (step.actor, step.day, step.from_status, step.to_status) == (None, day, "approved", "expired")
    # the same night again changes nothing
    assert deals_expire(day=day) == {"expired": 0}
    assert ended.transitions.filter(action="expired").count() == 1


def test_an_unprotected_deal_no_longer_conflicts_even_before_the_night_expires_it(acme):
    today = tenant_today(acme.tenant)
    old = approved(acme, "Lapsing Customer")
    _age(old, protected_until=today - datetime.timedelta(days=1))
    assert register(other_partner_admin(acme), "Lapsing Customer Ltd").conflicts == []


def test_the_nightly_run_expires_deals_and_says_so_in_words(acme):
    today = tenant_today(acme.tenant)
    deal = approved(acme, "Nightly Customer")
    _age(deal, protected_until=today - datetime.timedelta(days=5))
    run = nightly_run(tenant=acme.tenant, day=today - datetime.timedelta(days=1), triggered_by="manual")
    assert run.summary["deals"] == {"expired": 1}
    assert any(line.startswith("Deal protection: 1 deals expired") for line in summary_in_words(run.summary))


def _partners_with_expiring_deals(count: int, start: int) -> None:
    ordinary = Tier.objects.get(code="ordinary")
    day = datetime.date(2026, 1, 1)
    for index in range(start, start + count):
        partner = partner_services.partner_create(
            actor=None, code=f"EXP-{index:04d}", name=f"Expiring {index}", kind=PartnerKind.RESELLER, tier=ordinary,
            status=PartnerStatus.ACTIVE,
        )  # fmt: skip
        customer = f"Customer {index}"
        Deal.objects.create(
            partner=partner, customer=customer, customer_key=normalise_customer(customer), value=1,
            expected_close=day, status=DealStatus.APPROVED, approved_on=day, protected_until=day,
        )  # fmt: skip


def _queries_to_expire(day: datetime.date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        expired = deals_expire(day=day)["expired"]
    return len(queries), expired


def test_expiry_takes_as_many_queries_for_200_partners_as_for_20(acme):
    day = datetime.date(2026, 2, 1)
    _partners_with_expiring_deals(20, 0)
    small, expired_small = _queries_to_expire(day)
    _partners_with_expiring_deals(200, 100)
    large, expired_large = _queries_to_expire(day)
    assert (expired_small, expired_large) == (20, 200)
    assert small == large
