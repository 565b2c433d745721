"""Who hears of exit reviews, and in what words: the partner's channel manager, when a review is
opened (by the nightly job or by hand) and when someone else decides it. A fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications import events
from notifications.services import Message, notify_each
from tenancy.context import require_tenant
from tenancy.models import Membership

from .models import ExitReview


def _managers(reviews: list[ExitReview]) -> dict[int, Membership]:
    users = {review.partner.manager_id for review in reviews} - {None}
    members = Membership.objects.filter(user_id__in=users, is_active=True, partner__isnull=True).select_related("user")
    return {member.user_id: member for member in members}


def _url(tenant, review: ExitReview) -> str:
    return reverse("screening:exit-review", kwargs={"tenant_slug": tenant.slug, "pk": review.pk})


def _payload(review: ExitReview) -> dict:
    return {
        "exit_review": review.pk,
        "partner": review.partner.code,
        "status": review.status,
        "flagged_on": review.flagged_on.isoformat(),
        "highest_score": str(review.highest_score) if review.highest_score is not None else None,
        "exit_threshold": str(review.exit_threshold),
    }


def exit_reviews_opened(review_ids: Sequence[int], *, opened_by=None) -> None:
    """Tell each partner's channel manager that the partner is up for exit review."""
    tenant = require_tenant()
    reviews = list(ExitReview.objects.filter(pk__in=list(review_ids)).select_related("partner").order_by("id"))
    managers = _managers(reviews)
    messages = []
    with translation.override(tenant.language):
        for review in reviews:
            manager = managers.get(review.partner.manager_id)
            if manager is not None and opened_by is not None and manager.user_id == opened_by.pk:
                manager = None  # who opened it knows
            values = {
                "code": review.partner.code,
                "name": review.partner.name,
                "threshold": review.exit_threshold,
                "highest": review.highest_score if review.highest_score is not None else "—",
                "runs": review.runs,
            }
            if review.opened_by_id is None:
                body = (
                    _(
                        "Its score stayed below %(threshold)s on every nightly run of the last 90 days "
                        "(%(runs)s runs, at most %(highest)s). Keep it with an improvement plan, suspend it "
                        "or terminate it."
                    )
                    % values
                )
            else:
                body = _("Put up for exit review by hand: %(reason)s") % {"reason": review.opening_reason}
            messages.append(
                Message(
                    recipients=[manager] if manager is not None else [],
                    subject=_("Exit review: %(code)s %(name)s") % values,
                    body=body,
                    url=_url(tenant, review),
                    payload=_payload(review),
                )
            )
    notify_each(event=events.EXIT_REVIEW.code, messages=messages)


def exit_review_decided(review_id: int, *, decided_by=None) -> None:
    """Tell the partner's channel manager what was decided, unless the manager decided it."""
    tenant = require_tenant()
    review = ExitReview.objects.select_related("partner").get(pk=review_id)
    manager = _managers([review]).get(review.partner.manager_id)
    if manager is None or (decided_by is not None and manager.user_id == decided_by.pk):
        return
    with translation.override(tenant.language):
        values = {"code": review.partner.code, "name": review.partner.name, "decision": review.get_decision_display()}
        message = Message(
            recipients=[manager],
            subject=_("Exit review decided: %(code)s %(name)s, %(decision)s") % values,
            body=review.reason,
            url=_url(tenant, review),
            payload=_payload(review),
        )
    notify_each(event=events.EXIT_REVIEW.code, messages=[message])
