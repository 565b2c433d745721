"""Writes for scores and tier recommendations; the nightly job's score step."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import upsert_rows
from common.dates import tenant_today
from common.errors import Conflict
from partners.models import Tier
from partners.services import partner_change_tier
from tenancy.context import require_tenant

from .calculations import COMPONENTS, components, recommended_tier, validate_weights, weighted_score
from .inputs import score_inputs
from .models import PartnerScore, TierRecommendation

SCORE_COLUMNS = (
    "partner_id", "day", *COMPONENTS, "score", "weights", "recommended_tier_id",
    "sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365",
    "outstanding", "overdue_amount", "attainment_mean", "target_count",
)  # fmt: skip
INPUT_FIELDS = (
    "sales_365", "sales_prior_365", "max_sales_365", "payments_365", "invoices_365",
    "outstanding", "overdue_amount", "attainment_mean", "target_count",
)  # fmt: skip
# A dismissed recommendation keeps the same change from coming back for this long.
DISMISSAL_QUIET_DAYS = 90


def scores_compute(*, day: datetime.date) -> dict:
    """Score every active partner as of ``day`` and refresh the tier recommendations.

    Idempotent: the scores of a day are upserted on (partner, day); open recommendations
    are refreshed in place. A fixed number of statements whatever the number of partners.
    """
    from psycopg.types.json import Jsonb

    tenant = require_tenant()
    weights = validate_weights(tenant.score_weights)
    tiers = list(Tier.objects.all())
    _partners, inputs = score_inputs(day)
    rows = []
    for partner_id, figures in inputs.items():
        parts = components(figures)
        score = weighted_score(parts, weights)
        tier = recommended_tier(score, tiers)
        rows.append(
            (
                partner_id,
                day,
                *(parts[name] for name in COMPONENTS),
                score,
                Jsonb(weights),
                tier.pk,
                *(getattr(figures, name) for name in INPUT_FIELDS),
            )
        )
    with transaction.atomic():
        upsert_rows(
            table=PartnerScore._meta.db_table,
            columns=SCORE_COLUMNS,
            rows=rows,
            conflict=("tenant_id", "partner_id", "day"),
            update=[*SCORE_COLUMNS[2:], "updated_at"],
            constant_columns={"tenant_id": tenant.pk, "created_at": "sql:now()", "updated_at": "sql:now()"},
        )
        recommendations = _refresh_recommendations(tenant=tenant, day=day)
        applied = _apply_open_recommendations(tenant=tenant, day=day) if tenant.auto_apply_tiers else 0
    return {"partners": len(rows), "recommendations": recommendations, "applied": applied}


REFRESH_SQL = """
WITH quiet AS MATERIALIZED (
    -- recently dismissed changes stay quiet; materialized, so it is read once, not once per partner
    SELECT DISTINCT partner_id, to_tier_id FROM scoring_tierrecommendation
    WHERE tenant_id = %(tenant)s AND status = 'dismissed'
      AND decided_at > now() - make_interval(days => %(quiet)s)
),
wanted AS (
    SELECT s.id AS score_id, s.partner_id, p.tier_id AS from_tier_id, s.recommended_tier_id AS to_tier_id
    FROM scoring_partnerscore s
    JOIN partners_partner p ON p.id = s.partner_id
    LEFT JOIN quiet q ON q.partner_id = s.partner_id AND q.to_tier_id = s.recommended_tier_id
    WHERE s.tenant_id = %(tenant)s AND s.day = %(day)s AND s.recommended_tier_id <> p.tier_id
      AND q.partner_id IS NULL
)
INSERT INTO scoring_tierrecommendation
    (tenant_id, created_at, updated_at, partner_id, score_id, from_tier_id, to_tier_id, status, reason)
SELECT %(tenant)s, now(), now(), partner_id, score_id, from_tier_id, to_tier_id, 'open', ''
FROM wanted
ON CONFLICT (tenant_id, partner_id) WHERE status = 'open'
DO UPDATE SET score_id = EXCLUDED.score_id, from_tier_id = EXCLUDED.from_tier_id,
              to_tier_id = EXCLUDED.to_tier_id, updated_at = now()
"""

# Open recommendations the day's scores no longer call for: the partner is where its score says,
# or it is no longer scored (no longer active) while its recommendation came from an earlier day.
SETTLED_SQL = """
DELETE FROM scoring_tierrecommendation r
USING scoring_partnerscore s, partners_partner p
WHERE r.tenant_id = %(tenant)s AND r.status = 'open'
  AND s.tenant_id = %(tenant)s AND s.day = %(day)s AND s.partner_id = r.partner_id
  AND p.id = s.partner_id AND s.recommended_tier_id = p.tier_id
"""
UNSCORED_SQL = """
DELETE FROM scoring_tierrecommendation r
USING scoring_partnerscore behind
WHERE r.tenant_id = %(tenant)s AND r.status = 'open' AND behind.id = r.score_id AND behind.day < %(day)s
  AND NOT EXISTS (SELECT 1 FROM scoring_partnerscore s
                  WHERE s.tenant_id = %(tenant)s AND s.day = %(day)s AND s.partner_id = r.partner_id)
"""


def _refresh_recommendations(*, tenant, day: datetime.date) -> int:
    """One open recommendation per partner whose recommended tier differs from its tier; others closed."""
    params = {"tenant": tenant.pk, "day": day, "quiet": DISMISSAL_QUIET_DAYS}
    with connection.cursor() as cursor:
        cursor.execute(SETTLED_SQL, params)
        cursor.execute(UNSCORED_SQL, params)
        cursor.execute(REFRESH_SQL, params)
        return cursor.rowcount


APPLY_SQL = """
WITH open AS (
    SELECT r.id, r.partner_id, r.from_tier_id, r.to_tier_id, s.score
    FROM scoring_tierrecommendation r JOIN scoring_partnerscore s ON s.id = r.score_id
    WHERE r.tenant_id = %(tenant)s AND r.status = 'open'
),
changes AS (
    INSERT INTO partners_tierchange
        (tenant_id, created_at, updated_at, partner_id, from_tier_id, to_tier_id, effective_on, reason, score)
    SELECT %(tenant)s, now(), now(), partner_id, from_tier_id, to_tier_id, %(effective)s, %(reason)s, score
    FROM open RETURNING partner_id
),
moved AS (
    UPDATE partners_partner p SET tier_id = open.to_tier_id, updated_at = now()
    FROM open WHERE p.id = open.partner_id RETURNING p.id
)
UPDATE scoring_tierrecommendation r SET status = 'applied', decided_at = now(), updated_at = now(),
       reason = %(reason)s
FROM open WHERE r.id = open.id
"""


def _apply_open_recommendations(*, tenant, day: datetime.date) -> int:
    """The tenant applies recommendations on its own: every open one lands in the tier history."""
    effective = min(day, tenant_today(tenant))  # never in the future
    with connection.cursor() as cursor:
        cursor.execute(
            APPLY_SQL,
            {"tenant": tenant.pk, "effective": effective, "reason": _("Applied automatically from the score")},
        )
        return cursor.rowcount


@transaction.atomic
def recommendation_apply(*, recommendation: TierRecommendation, actor, reason: str = "") -> TierRecommendation:
    """A channel manager applies a recommendation: the tier changes today, with the score behind it."""
    recommendation = (
        TierRecommendation.objects.select_for_update().select_related("score", "partner").get(pk=recommendation.pk)
    )
    if recommendation.status != TierRecommendation.Status.OPEN:
        raise Conflict(_("This recommendation has already been decided."))
    partner_change_tier(
        partner=recommendation.partner,
        tier=recommendation.to_tier,
        effective_on=tenant_today(recommendation.partner.tenant),
        reason=reason or _("Applied from the score of %(day)s") % {"day": recommendation.score.day.isoformat()},
        actor=actor,
        score=recommendation.score.score,
    )
    return _decide(recommendation, TierRecommendation.Status.APPLIED, actor, reason)


@transaction.atomic
def recommendation_dismiss(*, recommendation: TierRecommendation, actor, reason: str) -> TierRecommendation:
    recommendation = TierRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != TierRecommendation.Status.OPEN:
        raise Conflict(_("This recommendation has already been decided."))
    if not (reason or "").strip():
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": _("Say why the recommendation is dismissed.")})
    return _decide(recommendation, TierRecommendation.Status.DISMISSED, actor, reason)


def _decide(recommendation: TierRecommendation, status: str, actor, reason: str) -> TierRecommendation:
    recommendation.status = status
    recommendation.decided_by = actor
    recommendation.decided_at = timezone.now()
    recommendation.reason = reason or ""
    recommendation.full_clean(exclude=["tenant"])
    recommendation.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    return recommendation


@transaction.atomic
def tenant_settings_update(*, tenant, weights: dict, auto_apply_tiers: bool) -> None:
    """The score weights and whether tier recommendations apply on their own."""
    from django.core.exceptions import ValidationError

    try:
        cleaned = validate_weights(weights)
    except ValueError as error:
        raise ValidationError({"score_weights": str(error)}) from error
    tenant.score_weights = cleaned
    tenant.auto_apply_tiers = auto_apply_tiers
    tenant.save(update_fields=["score_weights", "auto_apply_tiers"])
