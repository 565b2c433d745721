"""Reads for partners: lists, history, and the tier and status in effect on a day."""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from .models import Partner, StatusChange, Tier, TierChange


def with_tier_and_status_in_effect(partners: QuerySet, day: datetime.date) -> QuerySet:
    """Annotate ``tier_id_on``/``status_on``: what was in effect on ``day``, for all partners in one query.

    The latest change effective on or before the day wins; before the first recorded change
    the partner's first tier (status) is in effect — the ``from`` side of its earliest change.
    """
    tier_changes = TierChange.objects.filter(partner=OuterRef("pk"))
    status_changes = StatusChange.objects.filter(partner=OuterRef("pk"))
    return partners.annotate(
        tier_id_on=Coalesce(
            Subquery(
                tier_changes.filter(effective_on__lte=day).order_by("-effective_on", "-id").values("to_tier_id")[:1]
            ),
            Subquery(tier_changes.order_by("effective_on", "id").values("from_tier_id")[:1]),
            "tier_id",
            output_field=BigIntegerField(),
        ),
        status_on=Coalesce(
            Subquery(
                status_changes.filter(effective_on__lte=day).order_by("-effective_on", "-id").values("to_status")[:1]
            ),
            Subquery(status_changes.order_by("effective_on", "id").values("from_status")[:1]),
            "status",
        ),
    )


def tier_in_effect(partner: Partner, day: datetime.date) -> Tier:
    row = with_tier_and_status_in_effect(Partner.objects.filter(pk=partner.pk), day).values("tier_id_on").get()
    return Tier.objects.get(pk=row["tier_id_on"])


def status_in_effect(partner: Partner, day: datetime.date) -> str:
    row = with_tier_and_status_in_effect(Partner.objects.filter(pk=partner.pk), day).values("status_on").get()
    return row["status_on"]


def status_before_suspension(partner: Partner) -> str:
    """The status a partner had before its latest suspension (active when nobody recorded how it got there)."""
    changes = StatusChange.objects.filter(partner=partner, to_status="suspended").order_by("-effective_on", "-id")
    return changes.values_list("from_status", flat=True).first() or "active"


def _changed_by(user, viewer) -> str | None:
    """Who made a change, as the viewer may know it: a partner-side viewer sees "the vendor", not a person."""
    if user is None:
        return None
    if viewer is not None and viewer.is_partner_side:
        return gettext("the vendor")
    return user.email


def partner_history(partner: Partner, *, viewer=None) -> list[dict]:
    """Tier and status changes, newest effective first, as one list (``viewer``: the member who reads it)."""
    entries: list[dict] = []
    for change in TierChange.objects.filter(partner=partner).select_related("from_tier", "to_tier", "changed_by"):
        entries.append(
            {
                "kind": "tier",
                "id": change.pk,
                "from": change.from_tier.code,
                "to": change.to_tier.code,
                "from_label": change.from_tier.name,
                "to_label": change.to_tier.name,
                "effective_on": change.effective_on,
                "changed_by": _changed_by(change.changed_by, viewer),
                "reason": change.reason,
                "score": change.score,
                "recorded_at": change.created_at,
            }
        )
    for change in StatusChange.objects.filter(partner=partner).select_related("changed_by"):
        entries.append(
            {
                "kind": "status",
                "id": change.pk,
                "from": change.from_status,
                "to": change.to_status,
                "from_label": change.get_from_status_display(),
                "to_label": change.get_to_status_display(),
                "effective_on": change.effective_on,
                "changed_by": _changed_by(change.changed_by, viewer),
                "reason": change.reason,
                "score": None,
                "recorded_at": change.created_at,
            }
        )
    entries.sort(key=lambda entry: (entry["effective_on"], entry["recorded_at"]), reverse=True)
    return entries


def partner_audit_events(partner: Partner, *, limit: int = 50) -> list[dict]:
    """The audit trail (pghistory): who changed what on this partner, and when."""
    from django.contrib.auth import get_user_model
    from pghistory.models import Events

    events = Events.objects.tracks(partner).order_by("-pgh_created_at")[:limit]

    rows = list(events)
    user_ids = {row.pgh_context.get("user") for row in rows if row.pgh_context and row.pgh_context.get("user")}
    users = {user.pk: user.email for user in get_user_model().objects.filter(pk__in=user_ids)}
    hidden = {"updated_at", "created_at", "tenant_id"}
    return [
        {
            "at": row.pgh_created_at,
            "label": row.pgh_label,
            "user": users.get((row.pgh_context or {}).get("user")),
            "changes": {field: values for field, values in (row.pgh_diff or {}).items() if field not in hidden},
        }
        for row in rows
    ]
