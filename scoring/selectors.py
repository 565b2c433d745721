"""Reads for scores: the latest day scored, leaderboards, ranks, a partner's trend."""

from __future__ import annotations

import datetime

from django.db.models import F, Max, Q, Window
from django.db.models.functions import Rank

from .models import PartnerScore


def latest_score_day() -> datetime.date | None:
    return PartnerScore.objects.aggregate(day=Max("day"))["day"]


def scores_on(day: datetime.date, filters: Q | None = None):
    """Every score of a day with its rank (1 = best) among the scores selected."""
    return (
        PartnerScore.objects.filter(Q(day=day) & (filters or Q()))
        .select_related("partner", "partner__tier", "recommended_tier")
        .annotate(rank=Window(expression=Rank(), order_by=F("score").desc()))
        .order_by("-score", "partner__code")
    )


def rank_of(partner_id: int, day: datetime.date) -> tuple[int | None, int]:
    """(the partner's rank on the day, how many partners were scored) — without anyone's name."""
    ranked = {row["partner_id"]: row["rank"] for row in scores_on(day).values("partner_id", "rank")}
    return ranked.get(partner_id), len(ranked)


def score_trend(partner, *, days: int = 365) -> list[PartnerScore]:
    latest = latest_score_day()
    if latest is None:
        return []
    return list(
        PartnerScore.objects.filter(partner=partner, day__gt=latest - datetime.timedelta(days=days)).order_by("day")
    )
