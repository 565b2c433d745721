"""Writes of screening: the scorecard, evaluations, screening decisions, and exit reviews. One transaction each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import tenant_today
from partners import services as partner_services
from partners.errors import DiligenceIncomplete
from partners.models import Partner, PartnerStatus
from partners.validators import validate_contract_file
from scoring.models import PartnerScore
from tenancy.context import require_tenant

from . import calculations, notices, selectors
from .errors import DecisionRefused
from .models import (
    DECISION_STATUS,
    NOTE_MAX_LENGTH,
    RATINGS,
    REASON_MAX_LENGTH,
    Criterion,
    Decision,
    Evaluation,
    Evidence,
    ExitDecision,
    ExitReview,
    ExitStatus,
    Rating,
    ScreeningDecision,
    ScreeningSettings,
)

# The way out (SPEC §4.12): weak on every nightly run of the last 90 days, and at least 60 runs.
EXIT_WINDOW_DAYS = 90
EXIT_MIN_RUNS = 60
MAX_EVIDENCE_FILES = 10
MAX_REVIEW_AHEAD_DAYS = 366
CRITERION_FIELDS = ("code", "name_zh", "name_en", "weight", "anchors_zh", "anchors_en")
SCREENABLE = (
    PartnerStatus.PROSPECT,
    PartnerStatus.ONBOARDING,
    PartnerStatus.PILOT,
    PartnerStatus.ACTIVE,
    PartnerStatus.SUSPENDED,
)
REVIEWABLE = (PartnerStatus.PILOT, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)
FLAGGED_STATUSES = (PartnerStatus.PILOT, PartnerStatus.ACTIVE)


def _text(value: Any, *, field: str, limit: int, required_message: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: _("Enter text.")})
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a character that cannot be stored (NUL).")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    if required_message and not text:
        raise ValidationError({field: required_message})
    return text


def _threshold(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number from 0 to 100.")}) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({field: _("Enter a number from 0 to 100.")})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: _("At most two decimal places.")})
    return number


# --- the scorecard ------------------------------------------------------------------------------


@transaction.atomic
def scorecard_update(
    *, criteria: Sequence[dict], threshold: Any = None, exit_threshold: Any = None, actor=None
) -> list[Criterion]:
    """Replace the scorecard: ``criteria`` in order, each ``{code, name_zh, name_en, weight, anchors_zh, anchors_en}``.

    Weights are whole numbers above 0 that sum to 100. A criterion left out is retired, never
    deleted (past evaluations rated it); naming its code again brings it back. The thresholds
    change when given. Evaluations made before keep the weights they were scored with.
    """
    settings = selectors.screening_settings()
    errors: dict[str, list] = {}
    if not criteria:
        raise ValidationError({"criteria": _("The scorecard needs at least one criterion.")})
    codes = [str(row.get("code") or "").strip() for row in criteria]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValidationError(
            {"criteria": _("Each criterion's code appears once: %(codes)s.") % {"codes": ", ".join(duplicates)}}
        )
    existing = {criterion.code: criterion for criterion in Criterion.objects.select_for_update()}
    rows = []
    for position, row in enumerate(criteria, start=1):
        unknown = set(row) - set(CRITERION_FIELDS)
        if unknown:
            errors.setdefault("criteria", []).append(
                _("Criterion %(number)d: unknown fields %(fields)s.")
                % {"number": position, "fields": ", ".join(sorted(unknown))}
            )
            continue
        criterion = existing.get(codes[position - 1]) or Criterion(code=codes[position - 1])
        for field in CRITERION_FIELDS[1:]:
            if field in row:
                setattr(criterion, field, row[field])
        criterion.position, criterion.is_active = position * 10, True
        try:
            criterion.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    errors.setdefault("criteria", []).append(
                        _("Criterion %(number)d (%(field)s): %(message)s")
                        % {"number": position, "field": field, "message": message}
                    )
            continue
        rows.append(criterion)
    if errors:
        raise ValidationError(errors)
    total = sum(criterion.weight for criterion in rows)
    if total != 100:
        raise ValidationError({"criteria": _("The weights sum to %(total)d; they must sum to 100.") % {"total": total}})
    kept = set()
    for criterion in rows:
        criterion.save()
        kept.add(criterion.pk)
    Criterion.objects.exclude(pk__in=kept).filter(is_active=True).update(is_active=False, updated_at=timezone.now())
    changed = []
    if threshold is not None:
        settings.threshold = _threshold(threshold, "threshold")
        changed.append("threshold")
    if exit_threshold is not None:
        settings.exit_threshold = _threshold(exit_threshold, "exit_threshold")
        changed.append("exit_threshold")
    if changed:
        settings.save(update_fields=[*changed, "updated_at"])
    return list(Criterion.objects.filter(is_active=True))


@transaction.atomic
def screening_settings_update(*, threshold: Any, exit_threshold: Any, actor=None) -> ScreeningSettings:
    """The tenant's screening threshold and exit threshold (0–100, two places)."""
    settings = selectors.screening_settings()
    settings.threshold = _threshold(threshold, "threshold")
    settings.exit_threshold = _threshold(exit_threshold, "exit_threshold")
    settings.save(update_fields=["threshold", "exit_threshold", "updated_at"])
    return settings


# --- evaluations --------------------------------------------------------------------------------


def _lock_partner(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


def _check_files(files: Iterable) -> list:
    files = [upload for upload in files if upload]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"evidence": _("At most %(count)d files at a time.") % {"count": MAX_EVIDENCE_FILES}})
    for upload in files:
        try:
            validate_contract_file(upload)
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from None
    return files


def _parse_ratings(ratings: Sequence[dict], criteria: list[Criterion]) -> list[tuple[Criterion, int, str]]:
    """Every criterion in use rated once, 1 to 5; a note each (optional)."""
    by_code = {criterion.code: criterion for criterion in criteria}
    by_pk = {criterion.pk: criterion for criterion in criteria}
    seen: dict[int, tuple[Criterion, int, str]] = {}
    errors = []
    for number, row in enumerate(ratings, start=1):
        if not isinstance(row, dict):
            errors.append(_("Rating %(number)d: give a criterion and a rating.") % {"number": number})
            continue
        key = row.get("criterion")
        criterion = key if isinstance(key, Criterion) else by_code.get(str(key or "").strip())
        if isinstance(key, Criterion):
            criterion = by_pk.get(key.pk)
        if criterion is None:
            errors.append(
                _("Rating %(number)d: “%(code)s” is no criterion of the scorecard in use.")
                % {"number": number, "code": str(key)[:50]}
            )
            continue
        if criterion.pk in seen:
            errors.append(_("%(criterion)s is rated twice.") % {"criterion": criterion.name})
            continue
        value = row.get("rating")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | str)
            or str(value).strip() not in {str(r) for r in RATINGS}
        ):
            errors.append(_("%(criterion)s: rate it 1, 2, 3, 4 or 5.") % {"criterion": criterion.name})
            continue
        try:
            note = _text(row.get("note", ""), field="note", limit=NOTE_MAX_LENGTH)
        except ValidationError as error:
            errors.append(f"{criterion.name}: {' '.join(error.messages)}")
            continue
        seen[criterion.pk] = (criterion, int(str(value).strip()), note)
    missing = [criterion.name for criterion in criteria if criterion.pk not in seen]
    if missing:
        errors.append(_("Rate every criterion; not rated: %(names)s.") % {"names": ", ".join(missing)})
    if errors:
        raise ValidationError({"ratings": errors})
    return [seen[criterion.pk] for criterion in criteria]


@transaction.atomic
def evaluation_submit(
    *, partner: Partner, actor, ratings: Sequence[dict], summary: str = "", evidence: Iterable = ()
) -> Evaluation:
    """The acting member's evaluation of ``partner``: every criterion rated 1–5 with a note, and files as evidence.

    A member who evaluated the partner before makes a new version: the earlier one is kept (not
    current any more) and its files carry over to the new one.
    """
    partner = _lock_partner(partner)
    if partner.status not in SCREENABLE:
        raise DecisionRefused(_("A terminated partner is not evaluated any more."))
    criteria = selectors.scorecard()
    parsed = _parse_ratings(ratings, criteria)
    summary = _text(summary, field="summary", limit=NOTE_MAX_LENGTH)
    files = _check_files(evidence)
    previous = Evaluation.objects.filter(partner=partner, evaluator=actor, is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    evaluation = Evaluation(
        partner=partner,
        evaluator=actor,
        version=(previous.version + 1) if previous else 1,
        score=calculations.evaluation_score((criterion.weight, rating) for criterion, rating, _note in parsed),
        summary=summary,
    )
    evaluation.save()
    Rating.objects.bulk_create(
        [
            Rating(
                tenant_id=evaluation.tenant_id,
                evaluation=evaluation,
                criterion=criterion,
                weight=criterion.weight,
                rating=rating,
                note=note,
            )
            for criterion, rating, note in parsed
        ]
    )
    if previous is not None:
        Evidence.objects.bulk_create(
            [
                Evidence(
                    tenant_id=evaluation.tenant_id,
                    evaluation=evaluation,
                    partner=partner,
                    file=old.file.name,
                    original_filename=old.original_filename,
                )
                for old in previous.evidence.all()
            ]
        )
    for upload in files:
        _store_evidence(evaluation, upload)
    return evaluation


def _store_evidence(evaluation: Evaluation, upload) -> Evidence:
    evidence = Evidence(evaluation=evaluation, partner_id=evaluation.partner_id)
    evidence.tenant_id = evaluation.tenant_id
    evidence.original_filename = (getattr(upload, "name", "") or "")[:255]
    evidence.file = upload
    evidence.save()
    return evidence


@transaction.atomic
def evidence_add(*, evaluation: Evaluation, actor, files: Iterable) -> list[Evidence]:
    """Attach files to the acting member's own current evaluation."""
    if evaluation.evaluator_id != getattr(actor, "pk", None):
        raise DecisionRefused(_("Only the evaluator adds evidence to an evaluation."))
    if not evaluation.is_current:
        raise DecisionRefused(_("This evaluation has a later version: add the evidence to that one."))
    files = _check_files(files)
    if not files:
        raise ValidationError({"file": _("Choose a file.")})
    return [_store_evidence(evaluation, upload) for upload in files]


# --- the screening decision ---------------------------------------------------------------------


@transaction.atomic
def screening_decide(*, partner: Partner, actor, decision: str, reason: str = "") -> ScreeningDecision:
    """A person decides on a screened prospect: proceed to due diligence, or decline with a reason.

    Proceeding takes the prospect into onboarding (due diligence started), recorded in its status
    history, when the checklist's onboarding items are met; otherwise it stays a prospect on the
    due diligence pipeline and ``moved_to`` is empty (the decision is recorded all the same).
    Declining terminates the prospect, with the reason in its status history.
    """
    partner = _lock_partner(partner)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose proceed or decline.")})
    if partner.status != PartnerStatus.PROSPECT:
        raise DecisionRefused(
            _("Only a prospect is decided on at screening; this partner is %(status)s.")
            % {"status": partner.get_status_display()}
        )
    required = _("Say why the prospect is declined: it is kept in its history.") if decision == Decision.DECLINE else ""
    reason = _text(reason, field="reason", limit=REASON_MAX_LENGTH, required_message=required)
    screening = selectors.screening_of(partner)
    if screening.score is None:
        raise DecisionRefused(_("Nobody has evaluated this prospect yet: its screening score comes from evaluations."))
    record = ScreeningDecision(
        partner=partner,
        decision=decision,
        reason=reason,
        screening_score=screening.score,
        threshold=screening.threshold,
        recommendation=screening.recommendation,
        evaluator_count=screening.evaluator_count,
        decided_by=actor,
    )
    today = tenant_today(require_tenant())
    words = {"score": screening.score, "reason": reason}
    if decision == Decision.DECLINE:
        history_reason = _("Declined at screening (screening score %(score)s): %(reason)s") % words
        partner_services.partner_change_status(
            partner=partner, status=PartnerStatus.TERMINATED, effective_on=today, reason=history_reason, actor=actor
        )
        record.moved_to = PartnerStatus.TERMINATED
    else:
        history_reason = (
            _("Screening passed (screening score %(score)s); due diligence started: %(reason)s") % words
            if reason
            else _("Screening passed (screening score %(score)s); due diligence started") % words
        )
        try:
            with transaction.atomic():
                partner_services.partner_change_status(
                    partner=partner,
                    status=PartnerStatus.ONBOARDING,
                    effective_on=today,
                    reason=history_reason,
                    actor=actor,
                )
            record.moved_to = PartnerStatus.ONBOARDING
        except DiligenceIncomplete as error:
            record.missing = error.extra.get("missing", [])
    record.full_clean(exclude=["tenant"])
    record.save()
    return record


# --- exit reviews -------------------------------------------------------------------------------


def _window(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=EXIT_WINDOW_DAYS - 1)


def weak_partners(*, day: datetime.date, exit_threshold: Decimal):
    """Partners whose score was below ``exit_threshold`` on every nightly run of the 90 days ending ``day``.

    At least 60 runs in the window, and a score on or before its first day (weak for the whole
    90 days, not for the 60 since it was first scored). One query, however many partners.
    """
    start = _window(day)
    latest = PartnerScore.objects.filter(partner_id=OuterRef("partner_id"), day__lte=day).order_by("-day")
    older = PartnerScore.objects.filter(partner_id=OuterRef("partner_id"), day__lte=start)
    return (
        PartnerScore.objects.filter(day__gte=start, day__lte=day, partner__status__in=FLAGGED_STATUSES)
        .values("partner_id")
        .annotate(runs=Count("id"), highest=Max("score"), first_day=Min("day"))
        .filter(runs__gte=EXIT_MIN_RUNS, highest__lt=exit_threshold)
        .annotate(covered=Exists(older), latest=Subquery(latest.values("score")[:1]))
        .filter(covered=True)
        .order_by("partner_id")
    )


@transaction.atomic
def exit_reviews_flag(*, day: datetime.date) -> dict:
    """The nightly step: open an exit review for each partner weak for 90 days that has none open.

    A partner kept with an improvement plan is left alone until its review date, then flagged again
    if it is still weak. Idempotent: the same night run twice opens nothing the second time. Its
    channel manager hears of it. A fixed number of queries, however many partners.
    """
    threshold = selectors.exit_threshold()
    open_review = ExitReview.objects.filter(partner_id=OuterRef("partner_id"), status=ExitStatus.OPEN)
    kept_until_later = ExitReview.objects.filter(
        partner_id=OuterRef("partner_id"), status=ExitStatus.KEPT, review_on__gt=day
    )
    weak = list(
        weak_partners(day=day, exit_threshold=threshold).annotate(
            reviewing=Exists(open_review), kept=Exists(kept_until_later)
        )
    )
    rows = [row for row in weak if not (row["reviewing"] or row["kept"])]
    tenant = require_tenant()
    reviews = ExitReview.objects.bulk_create(
        [
            ExitReview(
                tenant=tenant,
                partner_id=row["partner_id"],
                flagged_on=day,
                window_starts_on=_window(day),
                runs=row["runs"],
                highest_score=row["highest"],
                latest_score=row["latest"],
                exit_threshold=threshold,
            )
            for row in rows
        ]
    )
    if reviews:
        notices.exit_reviews_opened([review.pk for review in reviews])
    return {"weak": len(weak), "flagged": len(reviews)}


@transaction.atomic
def exit_review_open(*, partner: Partner, actor, reason: str) -> ExitReview:
    """Put a partner up for exit review by hand, saying why (its last 90 days of scores are noted)."""
    partner = _lock_partner(partner)
    if partner.status not in REVIEWABLE:
        raise DecisionRefused(
            _("Only a partner in its pilot, active or suspended is reviewed for exit; this one is %(status)s.")
            % {"status": partner.get_status_display()}
        )
    reason = _text(
        reason,
        field="reason",
        limit=REASON_MAX_LENGTH,
        required_message=_("Say why the partner is put up for exit review."),
    )
    if ExitReview.objects.filter(partner=partner, status=ExitStatus.OPEN).exists():
        raise DecisionRefused(_("This partner has an exit review awaiting a decision already."))
    settings = selectors.screening_settings()
    today = tenant_today(require_tenant())
    scores = PartnerScore.objects.filter(partner=partner, day__gte=_window(today), day__lte=today)
    figures = scores.aggregate(runs=Count("id"), highest=Max("score"))
    latest = scores.order_by("-day").values_list("score", flat=True).first()
    review = ExitReview(
        partner=partner,
        flagged_on=today,
        window_starts_on=_window(today),
        runs=figures["runs"] or 0,
        highest_score=figures["highest"],
        latest_score=latest,
        exit_threshold=settings.exit_threshold,
        opened_by=actor,
        opening_reason=reason,
    )
    review.full_clean(exclude=["tenant"])
    review.save()
    notices.exit_reviews_opened([review.pk], opened_by=actor)
    return review


@transaction.atomic
def exit_review_decide(
    *,
    review: ExitReview,
    actor,
    decision: str,
    reason: str,
    plan: str = "",
    review_on: datetime.date | None = None,
) -> ExitReview:
    """Decide an open exit review: keep (an improvement plan and a review date), suspend or terminate.

    A reason always; suspending or terminating goes through the partners' status service, so it is
    in the partner's status history with the reason. A kept partner still weak on its review date
    is flagged again.
    """
    review = ExitReview.objects.select_for_update().select_related("partner").get(pk=review.pk)
    if not review.is_open:
        raise DecisionRefused(
            _("This exit review has been decided already: %(status)s.") % {"status": review.get_status_display()}
        )
    if decision not in ExitDecision.values:
        raise ValidationError({"decision": _("Choose keep, suspend or terminate.")})
    reason = _text(
        reason,
        field="reason",
        limit=REASON_MAX_LENGTH,
        required_message=_("Say why: the decision is kept in the partner's history."),
    )
    plan = _text(plan, field="plan", limit=NOTE_MAX_LENGTH)
    today = tenant_today(require_tenant())
    if decision == ExitDecision.KEEP:
        errors = {}
        if not plan:
            errors["plan"] = _("Keeping a weak partner needs an improvement plan.")
        if review_on is None:
            errors["review_on"] = _("Keeping a weak partner needs the day its plan is reviewed.")
        elif not isinstance(review_on, datetime.date) or review_on <= today:
            errors["review_on"] = _("The review date must be after today (%(day)s).") % {"day": today.isoformat()}
        elif review_on > today + datetime.timedelta(days=MAX_REVIEW_AHEAD_DAYS):
            errors["review_on"] = _("The review date is at most a year from today.")
        if errors:
            raise ValidationError(errors)
    else:
        if plan or review_on is not None:
            given = [name for name, value in (("plan", plan), ("review_on", review_on)) if value]
            raise ValidationError(
                dict.fromkeys(given, _("An improvement plan and a review date go with keeping the partner."))
            )
        status = PartnerStatus.SUSPENDED if decision == ExitDecision.SUSPEND else PartnerStatus.TERMINATED
        history_reason = _("Exit review: %(reason)s") % {"reason": reason}
        partner_services.partner_change_status(
            partner=review.partner, status=status, effective_on=today, reason=history_reason, actor=actor
        )
    review.status = DECISION_STATUS[decision]
    review.decision = decision
    review.reason = reason
    review.plan = plan
    review.review_on = review_on if decision == ExitDecision.KEEP else None
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.full_clean(exclude=["tenant"])
    review.save(
        update_fields=["status", "decision", "reason", "plan", "review_on", "decided_by", "decided_at", "updated_at"]
    )
    notices.exit_review_decided(review.pk, decided_by=actor)
    return review
