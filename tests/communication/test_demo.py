"""The demo's communication step: both tenants get announcements, reviews with items, tickets and four quarters."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from communication import selectors
from communication.models import ActionItem, Announcement, AnnouncementReceipt, Pulse, Review, Ticket
from tenancy.context import tenant_scope
from tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("partners", [2, 12])
def test_the_demo_shows_communication_in_both_tenants(partners):
    with translation.override("en"):
        call_command("seed_demo", "--partners", str(partners), stdout=io.StringIO(), stderr=io.StringIO())

    for tenant in Tenant.objects.filter(slug__in=("huaxin", "northwind")):
        with tenant_scope(tenant):
            core = Announcement.objects.get(requires_acknowledgement=True, audience="tiers")
            assert core.audience_values == ["core"]
            assert AnnouncementReceipt.objects.filter(announcement=core).exists()
            assert AnnouncementReceipt.objects.filter(read_at__isnull=False).exists()
            assert AnnouncementReceipt.objects.filter(read_at__isnull=True).exists()  # read in part
            assert Review.objects.count() >= 4
            statuses = set(ActionItem.objects.values_list("status", flat=True))
            assert statuses == {"open", "done"}
            owner = Membership.objects.get(user__email="boss@dingsheng.example")
            assert selectors.unacknowledged_for(owner).exists()  # the banner shows on the owner's portal
            tickets = Ticket.objects.all()
            assert {"closed", "open"} <= set(tickets.values_list("status", flat=True))
            assert selectors.breached(tickets).exists() and tickets.filter(rating__isnull=False).count() >= 3
            report = selectors.satisfaction_report(tenant=tenant)
            assert len([q for q in report.quarters if report.overall[q].answers]) >= 4
            assert Pulse.objects.count() >= 12
