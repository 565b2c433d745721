"""Reads for scores: the latest day scored, leaderboards, ranks, a partner's trend."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Max, Q, Sum, Window
from django.db.models.functions import Rank

from .models import PartnerScore


def latest_score_day() -> datetime.date | None:
    return PartnerScore.objects.aggregate(day=Max("day"))["day"]


def scores_on(day: datetime.date, filters: Q | None = None):
    """Every score of a day among the scores selected, best first (``rank_page`` ranks a page of them)."""
    return (
        PartnerScore.objects.filter(Q(day=day) & (filters or Q()))
        .select_related("partner", "partner__tier", "recommended_tier")
        .order_by("-score", "partner__code")
    )


def rank_page(scores, page: list[PartnerScore]) -> list[PartnerScore]:
    """Sets ``rank`` on a page of ``scores`` (in ``scores_on``'s order): 1 + how many of ``scores`` scored
    better, ties sharing a rank, as a window over them all would give (one query, whatever their number).

    The page runs best first, so a score on it is beaten by the scores above the page's best, by those
    equal to the page's best (when it is lower), and by the page's own scores between the two."""
    if not page:
        return page
    best = page[0].score
    figures = scores.order_by().aggregate(
        above=Count("pk", filter=Q(score__gt=best)), at_least=Count("pk", filter=Q(score__gte=best))
    )
    for index, row in enumerate(page):
        if row.score == best:
            row.rank = figures["above"] + 1
        else:
            between = sum(1 for other in page[:index] if row.score < other.score < best)
            row.rank = figures["at_least"] + between + 1
    return page


def ranked_window(scores):
    """``scores`` with the rank a window over them all gives (what ``rank_page`` must equal; for tests)."""
    return scores.annotate(rank=Window(expression=Rank(), order_by=F("score").desc()))


def rank_of(partner_id: int, day: datetime.date) -> tuple[int | None, int]:
    """(the partner's rank on the day, how many partners were scored) — without anyone's name.

    The rank of ``scores_on`` (1 + how many scored better; ties share a rank), counted in SQL rather than
    by ranking every partner of the day in Python."""
    scores = PartnerScore.objects.filter(day=day)
    figures = scores.aggregate(
        scored=Count("pk"),
        mine=Max("score", filter=Q(partner_id=partner_id)),
    )
    if figures["mine"] is None:
        return None, figures["scored"]
    return scores.filter(score__gt=figures["mine"]).count() + 1, figures["scored"]


def score_trend(partner, *, days: int = 365) -> list[PartnerScore]:
    latest = latest_score_day()
    if latest is None:
        return []
    return list(
        PartnerScore.objects.filter(partner=partner, day__gt=latest - datetime.timedelta(days=days)).order_by("day")
    )


def channel_map(partners, *, day: datetime.date | None) -> dict[str, dict[str, dict]]:
    """渠道地图: region → kind → {count, tiers: [{code, rank, count}], sales of the 365 days ending ``day``}.

    ``day`` is a scored day: the sales are the scores' own figures (``sales_365``, kept by the nightly run),
    not a sum over the sales history per request. Two grouped queries whatever the number of partners and
    sales; terminated partners are left out.
    """
    from partners.models import PartnerKind, PartnerStatus

    partners = partners.exclude(status=PartnerStatus.TERMINATED)
    cells = partners.values("region", "kind", "tier__code", "tier__rank").annotate(count=Count("pk"))
    sales = (
        PartnerScore.objects.filter(day=day, partner__in=partners.values("pk"))
        .values("partner__region", "partner__kind")
        .annotate(total=Sum("sales_365"))
        .order_by()
    )
    totals = {(row["partner__region"], row["partner__kind"]): row["total"] for row in sales}
    kinds = [kind for kind, _label in PartnerKind.choices]
    regions: dict[str, dict] = {}
    for row in cells:
        by_kind = regions.setdefault(row["region"], {kind: {"count": 0, "tiers": [], "sales": None} for kind in kinds})
        cell = by_kind[row["kind"]]
        cell["count"] += row["count"]
        cell["tiers"].append({"code": row["tier__code"], "rank": row["tier__rank"], "count": row["count"]})
    for region, by_kind in regions.items():
        for kind, cell in by_kind.items():
            cell["tiers"].sort(key=lambda tier: tier["rank"])
            cell["sales"] = totals.get((region, kind))
    return {region or "—": by_kind for region, by_kind in sorted(regions.items())}
