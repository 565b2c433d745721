"""The demo's deals: in both tenants, every status, and one customer two partners registered under two spellings."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from common.dates import tenant_today
from deals import selectors
from deals.models import Deal, DealStatus
from tenancy.context import tenant_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_has_deals_in_every_status_and_a_conflict_waiting_for_the_vendor():
    with translation.override("en"):
        call_command("seed_demo", "--partners", "12", stdout=io.StringIO(), stderr=io.StringIO())
    for tenant in Tenant.objects.filter(slug__in=("huaxin", "northwind")):
        with tenant_scope(tenant):
            deals = list(Deal.objects.select_related("partner"))
            assert len(deals) >= 30
            assert {deal.status for deal in deals} == set(DealStatus.values)
            today = tenant_today(tenant)
            waiting = [deal for deal in deals if deal.status == DealStatus.SUBMITTED]
            conflicts = selectors.conflicts_for(waiting, day=today)
            # the featured partner's registration conflicts with another partner's, spelt otherwise, both waiting
            featured = Membership.objects.filter(role=Role.PARTNER_ADMIN).select_related("partner").first().partner
            pairs = [
                (deal, conflict.deal)
                for deal in waiting
                if deal.partner_id == featured.pk
                for conflict in conflicts.get(deal.pk, [])
                if conflict.deal.status == DealStatus.SUBMITTED
            ]
            assert pairs and all(mine.customer != theirs.customer for mine, theirs in pairs)
            # and one waits behind an approved, protected deal
            assert any(selectors.protected_conflicts(found, today) for found in conflicts.values()), (
                "a registration waiting behind a protected deal"
            )
            assert all(deal.transitions.exists() for deal in deals)
