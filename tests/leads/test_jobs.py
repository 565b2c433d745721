"""The lapse of offers past their time: the periodic task (Celery beat) and the nightly run's safety net."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from leads.models import Lead, LeadStatus
from leads.tasks import leads_lapse_dispatch
from scoring import jobs
from tenancy.context import tenant_scope

from .helpers import new_lead, partner, score

pytestmark = pytest.mark.django_db


def test_beat_runs_the_lapse_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["leads-lapse"]
    assert entry["task"] == "leads.tasks.leads_lapse_dispatch"


def _overdue_lead(tenant):
    with tenant_scope(tenant):
        first, second = partner("SW-0001"), partner("SW-0002")
        score(first, "90")
        lead = new_lead()
        Lead.objects.filter(pk=lead.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=5))
        return lead, second


def test_the_periodic_task_lapses_the_offers_past_their_time_in_every_tenant(world):
    lead, second = _overdue_lead(world["acme"].tenant)
    assert leads_lapse_dispatch() == [world["acme"].tenant.pk]
    with tenant_scope(world["acme"].tenant):
        lead.refresh_from_db()
        assert lead.partner == second and lead.status == LeadStatus.OFFERED
    assert leads_lapse_dispatch() == []


def test_the_nightly_run_lapses_them_too_and_says_so(world):
    tenant = world["acme"].tenant
    lead, second = _overdue_lead(tenant)
    run = jobs.nightly_run(tenant=tenant, day=datetime.date(2026, 6, 30))
    assert run.summary["leads"] == {"lapsed": 1, "offered": 1, "unassigned": 0}
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=lead.pk).partner == second
    assert "Lead offers past their time: 1 lapsed, 1 offered to the next partner, 0 left for a person" in (
        jobs.summary_in_words(run.summary)
    )
