"""What the distribution rules need, gathered in a fixed number of queries whatever the number of partners and leads.

Five queries: the active partners, their latest scores, the open leads each holds, when each was last
offered a lead, and the partners that declined or let lapse the leads about to be distributed.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max

from partners.models import Partner, PartnerStatus
from scoring.models import PartnerScore

from . import distribution
from .models import OPEN_STATUSES, Assignment, Lead, LeadSettings, Outcome


@dataclasses.dataclass(frozen=True)
class Inputs:
    partners: list[distribution.Partner]
    open_leads: dict[int, int]
    last_offered: dict[int, datetime.datetime]
    refused: dict[int, dict[int, str]]  # lead id → partner id → declined / lapsed


def settings_of_tenant() -> LeadSettings:
    """The tenant's lead settings, made with the defaults on first read (the tenant in scope)."""
    found, _created = LeadSettings.objects.get_or_create()
    return found


def gather(lead_ids: Iterable[int] = ()) -> Inputs:
    """The inputs of ``distribution.distribute`` for the tenant in scope and the leads ``lead_ids``."""
    rows = (
        Partner.objects.filter(status=PartnerStatus.ACTIVE)
        .exclude(region="")
        .values_list("id", "code", "region", "industries")
    )
    scores = dict(
        PartnerScore.objects.filter(partner__status=PartnerStatus.ACTIVE)
        .order_by("partner_id", "-day")
        .distinct("partner_id")
        .values_list("partner_id", "score")
    )
    partners = [
        distribution.Partner(
            id=pk, code=code, region=region, industries=frozenset(industries or ()), score=scores.get(pk)
        )
        for pk, code, region, industries in rows
    ]
    open_leads = dict(
        Lead.objects.filter(status__in=OPEN_STATUSES, partner__isnull=False)
        .values("partner_id")
        .annotate(count=Count("id"))
        .values_list("partner_id", "count")
    )
    last_offered = dict(
        Assignment.objects.filter(partner__isnull=False)
        .values("partner_id")
        .annotate(last=Max("offered_at"))
        .values_list("partner_id", "last")
    )
    refused: dict[int, dict[int, str]] = defaultdict(dict)
    lead_ids = list(lead_ids)
    if lead_ids:
        for lead_id, partner_id, outcome in Assignment.objects.filter(
            lead_id__in=lead_ids, outcome__in=[Outcome.DECLINED, Outcome.LAPSED], partner__isnull=False
        ).values_list("lead_id", "partner_id", "outcome"):
            refused[lead_id][partner_id] = outcome
    return Inputs(partners=partners, open_leads=open_leads, last_offered=last_offered, refused=dict(refused))


def open_leads_of(partner_ids: Iterable[int]) -> dict[int, int]:
    """Open (offered or accepted) leads each partner holds now."""
    return dict(
        Lead.objects.filter(partner_id__in=list(partner_ids), status__in=OPEN_STATUSES)
        .values("partner_id")
        .annotate(count=Count("id"))
        .values_list("partner_id", "count")
    )
