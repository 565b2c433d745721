"""The demo's leads: a few hundred in both tenants, distributed by the real rules, with every kind of answer."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from leads.models import Assignment, Lead, LeadStatus, Outcome
from leads.words import assignment_sentence
from tenancy.context import tenant_scope
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_the_demo_distributes_leads_in_both_tenants_with_declines_a_lapse_and_closed_leads():
    with translation.override("en"):
        call_command("seed_demo", "--partners", "30", stdout=io.StringIO(), stderr=io.StringIO())
    for tenant in Tenant.objects.filter(slug__in=("huaxin", "northwind")):
        with tenant_scope(tenant):
            assert Lead.objects.count() >= 200
            statuses = set(Lead.objects.values_list("status", flat=True))
            assert {LeadStatus.ACCEPTED, LeadStatus.WON, LeadStatus.LOST} <= statuses
            # the last days' leads wait for an answer, or for a person (how many depends on the hour it runs)
            assert statuses & {LeadStatus.OFFERED, LeadStatus.UNASSIGNED}
            outcomes = set(Assignment.objects.values_list("outcome", flat=True))
            assert {Outcome.DECLINED, Outcome.LAPSED, Outcome.ACCEPTED} <= outcomes
            moved_on = [
                later
                for declined in Assignment.objects.filter(outcome=Outcome.DECLINED)
                for later in Assignment.objects.filter(lead=declined.lead_id, id__gt=declined.pk, partner__isnull=False)
            ]
            assert moved_on, "a declined lead moved on to another partner"
            with translation.override("en"):
                assert "declined this lead before" in assignment_sentence(moved_on[0])
            assert Lead.objects.filter(status=LeadStatus.UNASSIGNED).exists()
