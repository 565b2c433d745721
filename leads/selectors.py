"""Reads of leads: the lists, a lead's trail, and distribution fairness over a period."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from partners.models import Partner, Tier

from .models import Assignment, Lead, LeadEvent, LeadStatus, Outcome


def lead_list(queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    return queryset.select_related("partner").order_by("-created_at", "-id")


def assignments_of(lead: Lead) -> list[Assignment]:
    return list(
        Assignment.objects.filter(lead=lead)
        .select_related("partner", "actor", "outcome_by")
        .order_by("offered_at", "id")
    )


def events_of(lead: Lead) -> list[LeadEvent]:
    return list(LeadEvent.objects.filter(lead=lead).select_related("actor", "partner").order_by("created_at", "id"))


@dataclasses.dataclass
class FairnessRow:
    """What one partner (or tier) got over a period: offers, acceptances, wins, and the share of offers."""

    key: str
    label: str
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    lapsed: int = 0
    won: int = 0
    partner_id: int | None = None
    tier: str = ""

    @property
    def acceptance_percent(self) -> int | None:
        return round(100 * self.accepted / self.offered) if self.offered else None


@dataclasses.dataclass
class Fairness:
    partners: list[FairnessRow]
    tiers: list[FairnessRow]
    total_offered: int
    total_won: int


def fairness(*, starts: datetime.datetime, ends: datetime.datetime, partner_ids=None) -> Fairness:
    """Leads offered, accepted, declined, lapsed (by the offers made in ``[starts, ends)``) and won (by the leads won
    in it) per partner and per tier, in three queries. ``partner_ids``: a channel manager's portfolio, when scoped."""
    offers = Assignment.objects.filter(partner__isnull=False, offered_at__gte=starts, offered_at__lt=ends)
    wins = Lead.objects.filter(status=LeadStatus.WON, closed_at__gte=starts, closed_at__lt=ends)
    if partner_ids is not None:
        offers = offers.filter(partner_id__in=partner_ids)
        wins = wins.filter(partner_id__in=partner_ids)
    figures = offers.values("partner_id").annotate(
        offered=Count("id"),
        accepted=Count("id", filter=Q(outcome=Outcome.ACCEPTED)),
        declined=Count("id", filter=Q(outcome=Outcome.DECLINED)),
        lapsed=Count("id", filter=Q(outcome=Outcome.LAPSED)),
    )
    won = dict(wins.values("partner_id").annotate(count=Count("id")).values_list("partner_id", "count"))
    by_partner: dict[int, dict] = {row["partner_id"]: row for row in figures}
    ids = set(by_partner) | set(won)
    partners = {
        partner.pk: partner
        for partner in Partner.objects.filter(pk__in=ids)
        .select_related("tier")
        .only("id", "code", "name", "tier__code", "tier__name", "tier__rank")
    }
    rows = []
    tiers: dict[str, FairnessRow] = {}
    for partner_id in ids:
        partner = partners[partner_id]
        row_figures = by_partner.get(partner_id, {})
        tier = partner.tier
        row = FairnessRow(
            key=partner.code,
            label=partner.name,
            partner_id=partner_id,
            tier=tier.name if tier else "",
            offered=row_figures.get("offered", 0),
            accepted=row_figures.get("accepted", 0),
            declined=row_figures.get("declined", 0),
            lapsed=row_figures.get("lapsed", 0),
            won=won.get(partner_id, 0),
        )
        rows.append(row)
        tier_key = tier.code if tier else ""
        total = tiers.setdefault(
            tier_key, FairnessRow(key=tier_key, label=tier.name if tier else "—", tier=str(tier.rank if tier else 99))
        )
        for name in ("offered", "accepted", "declined", "lapsed", "won"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    rows.sort(key=lambda row: (-row.offered, -row.won, row.key))
    tier_rows = sorted(tiers.values(), key=lambda row: (int(row.tier), row.key))
    return Fairness(
        partners=rows,
        tiers=tier_rows,
        total_offered=sum(row.offered for row in rows),
        total_won=sum(row.won for row in rows),
    )


def tier_chart(rows: list[FairnessRow]) -> dict:
    """The per-tier figures for the chart (json_script)."""
    return {
        "labels": [row.label for row in rows],
        "offered": [row.offered for row in rows],
        "accepted": [row.accepted for row in rows],
        "won": [row.won for row in rows],
    }


def partner_chart(rows: list[FairnessRow], limit: int = 20) -> dict:
    """The partners with most offers, for the chart."""
    top = rows[:limit]
    return {
        "labels": [row.key for row in top],
        "offered": [row.offered for row in top],
        "accepted": [row.accepted for row in top],
        "won": [row.won for row in top],
    }


def tiers_in_order() -> list[Tier]:
    return list(Tier.objects.order_by("rank"))


def count_by_status(queryset: QuerySet[Lead]) -> dict[str, int]:
    counts = defaultdict(int, queryset.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts[status] for status in LeadStatus.values}
