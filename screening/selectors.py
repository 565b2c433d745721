"""Reads of screening: the tenant's scorecard and thresholds, a partner's screening, the compare view, exit reviews.

The scorecard and the settings are made on first read (the seed's five criteria, thresholds 60 and
40), so a tenant created before screening existed has them too.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from partners.models import Partner
from tenancy.context import require_tenant

from . import calculations
from .defaults import DEFAULT_CRITERIA
from .models import (
    DEFAULT_EXIT_THRESHOLD,
    Criterion,
    Evaluation,
    Evidence,
    ExitReview,
    ExitStatus,
    Rating,
    ScreeningDecision,
    ScreeningSettings,
)


@transaction.atomic
def screening_settings() -> ScreeningSettings:
    """The tenant's thresholds (made with the defaults on first read), and its scorecard with them.

    The settings row is locked while the default criteria are made, so two first readers make them once.
    """
    found = ScreeningSettings.objects.select_for_update().first()
    if found is None:
        ScreeningSettings.objects.bulk_create([ScreeningSettings(tenant=require_tenant())], ignore_conflicts=True)
        found = ScreeningSettings.objects.select_for_update().get()
    if not Criterion.objects.exists():
        _create_default_criteria()
    return found


def exit_threshold() -> Decimal:
    """The tenant's exit threshold, read without making anything (the nightly step: a fixed number of
    queries whether or not the tenant has opened its screening settings yet)."""
    found = ScreeningSettings.objects.values_list("exit_threshold", flat=True).first()
    return DEFAULT_EXIT_THRESHOLD if found is None else found


def _create_default_criteria() -> None:
    for position, default in enumerate(DEFAULT_CRITERIA, start=1):
        criterion = Criterion(
            code=default.code,
            name_zh=default.name_zh,
            name_en=default.name_en,
            weight=default.weight,
            anchors_zh=list(default.anchors_zh),
            anchors_en=list(default.anchors_en),
            position=position * 10,
        )
        criterion.full_clean(exclude=["tenant"])
        criterion.save()


def scorecard() -> list[Criterion]:
    """The criteria in use, in order (the defaults are made on first read)."""
    screening_settings()
    return list(Criterion.objects.filter(is_active=True))


def current_evaluations(partner_ids: Iterable[int]) -> QuerySet[Evaluation]:
    """Each evaluator's latest evaluation of these partners, with ratings, evidence and evaluator."""
    return (
        Evaluation.objects.filter(partner_id__in=list(partner_ids), is_current=True)
        .select_related("evaluator")
        .prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.select_related("criterion")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
        )
        .order_by("partner_id", "created_at", "id")
    )


@dataclasses.dataclass(frozen=True)
class Screening:
    """Where a partner stands in screening: its evaluations, score, the recommendation and the decisions."""

    partner: Partner
    evaluations: tuple[Evaluation, ...]
    score: Decimal | None
    threshold: Decimal
    recommendation: str | None
    decisions: tuple[ScreeningDecision, ...] = ()

    @property
    def evaluator_count(self) -> int:
        return len(self.evaluations)

    @property
    def latest_decision(self) -> ScreeningDecision | None:
        return self.decisions[0] if self.decisions else None

    def mean_ratings(self) -> dict[int, Decimal]:
        pairs = [
            (rating.criterion_id, rating.rating)
            for evaluation in self.evaluations
            for rating in evaluation.ratings.all()
        ]
        return calculations.mean_ratings(pairs)


def screenings_of(partners: list[Partner], *, with_decisions: bool = False) -> dict[int, Screening]:
    """The screening of each of ``partners`` in a fixed number of queries."""
    threshold = screening_settings().threshold
    by_partner: dict[int, list[Evaluation]] = defaultdict(list)
    for evaluation in current_evaluations(partner.pk for partner in partners):
        by_partner[evaluation.partner_id].append(evaluation)
    decisions: dict[int, list[ScreeningDecision]] = defaultdict(list)
    if with_decisions:
        rows = ScreeningDecision.objects.filter(partner__in=[partner.pk for partner in partners]).select_related(
            "decided_by"
        )
        for decision in rows:
            decisions[decision.partner_id].append(decision)
    result = {}
    for partner in partners:
        evaluations = by_partner[partner.pk]
        score = calculations.screening_score([evaluation.score for evaluation in evaluations])
        result[partner.pk] = Screening(
            partner=partner,
            evaluations=tuple(evaluations),
            score=score,
            threshold=threshold,
            recommendation=calculations.recommendation(score, threshold),
            decisions=tuple(decisions[partner.pk]),
        )
    return result


def screening_of(partner: Partner) -> Screening:
    return screenings_of([partner], with_decisions=True)[partner.pk]


def earlier_versions(partner: Partner) -> QuerySet[Evaluation]:
    """The evaluations replaced by a later version, newest first: kept, never shown as current."""
    return (
        Evaluation.objects.filter(partner=partner, is_current=False)
        .select_related("evaluator")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("criterion")))
        .order_by("-created_at", "-id")
    )


def own_current_evaluation(partner: Partner, user) -> Evaluation | None:
    return current_evaluations([partner.pk]).filter(evaluator=user).first()


def open_exit_reviews() -> QuerySet[ExitReview]:
    return ExitReview.objects.filter(status=ExitStatus.OPEN)
