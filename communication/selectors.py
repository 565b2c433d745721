"""Reads of communication: what each member may see, the vendor's rates, overdue items, SLA breaches, satisfaction."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partners.models import PartnerStatus, Tier
from tenancy.models import Membership

from . import calculations
from .models import (
    ActionItem,
    ActionStatus,
    Announcement,
    AnnouncementAudience,
    AnnouncementReceipt,
    CommunicationSettings,
    Pulse,
    Side,
    Ticket,
    TicketStatus,
)

# Partners an announcement can reach: every partner with a working relationship (not prospects nor the terminated).
REACHABLE_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.PILOT, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)


def settings_of(tenant) -> CommunicationSettings:
    """The tenant's communication settings, made with the defaults on first read."""
    found = CommunicationSettings.objects.filter(tenant=tenant).first()
    if found is None:
        found, _created = CommunicationSettings.objects.get_or_create(tenant=tenant)
    return found


# --- announcements -------------------------------------------------------------------------------


def announcements_for(membership: Membership) -> QuerySet[Announcement]:
    """What a member may read: everything for the vendor; for a partner, what was addressed to its partner."""
    announcements = Announcement.objects.all()
    if membership.is_partner_side:
        addressed = AnnouncementAudience.objects.filter(announcement=OuterRef("pk"), partner_id=membership.partner_id)
        announcements = announcements.filter(Exists(addressed))
    return announcements


def with_counts(announcements: QuerySet[Announcement]) -> QuerySet[Announcement]:
    """Each announcement with its readers, how many read it and how many acknowledged it."""
    return announcements.annotate(
        reader_count=Count("receipts", distinct=True),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
        acknowledged_count=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False), distinct=True),
        partner_count=Count("audience_rows", distinct=True),
    )


def with_own_receipt(announcements: QuerySet[Announcement], membership: Membership) -> QuerySet[Announcement]:
    """Each announcement with whether this reader has read and acknowledged it."""
    mine = AnnouncementReceipt.objects.filter(announcement=OuterRef("pk"), member=membership)
    return announcements.annotate(
        is_read=Exists(mine.filter(read_at__isnull=False)),
        is_acknowledged=Exists(mine.filter(acknowledged_at__isnull=False)),
    )


def unacknowledged_for(membership: Membership) -> QuerySet[Announcement]:
    """Announcements that ask this partner-side reader for an acknowledgement not yet given."""
    done = AnnouncementReceipt.objects.filter(
        announcement=OuterRef("pk"), member=membership, acknowledged_at__isnull=False
    )
    return (
        announcements_for(membership)
        .filter(requires_acknowledgement=True)
        .exclude(Exists(done))
        .order_by("-published_at")
    )


@dataclasses.dataclass(frozen=True)
class ReaderRow:
    receipt: AnnouncementReceipt
    partner_code: str
    partner_name: str
    email: str


def readers_of(announcement: Announcement) -> QuerySet[AnnouncementReceipt]:
    return (
        AnnouncementReceipt.objects.filter(announcement=announcement)
        .select_related("partner", "member__user")
        .order_by("partner__code", "member__user__email")
    )


# --- reviews and action items --------------------------------------------------------------------


def overdue_actions(membership: Membership, *, today: datetime.date) -> QuerySet[ActionItem]:
    """Open action items past their day that the member's home page shows: the vendor's of every partner it
    sees, or its own partner's (both sides' items: a partner sees what the vendor owes it too)."""
    items = ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
    if membership.is_partner_side:
        items = items.filter(partner_id=membership.partner_id)
    return items.select_related("review", "partner", "owner__user").order_by("due_on", "id")


# --- tickets -------------------------------------------------------------------------------------


def breached(tickets: QuerySet[Ticket], *, now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    """Tickets whose first answer came late, or has not come and is late already."""
    now = now or timezone.now()
    from django.db.models import F

    return tickets.filter(
        Q(first_answered_at__gt=F("answer_due_at")) | Q(first_answered_at__isnull=True, answer_due_at__lt=now)
    )


def ticket_counts(tickets: QuerySet[Ticket]) -> dict[str, int]:
    counts = dict(tickets.order_by().values_list("status").annotate(count=Count("pk")))
    return {status: counts.get(status, 0) for status in TicketStatus.values}


# --- satisfaction --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SatisfactionReport:
    quarters: list[str]
    overall: dict[str, calculations.Satisfaction]  # quarter → figure
    by_tier: list[tuple[Tier, dict[str, calculations.Satisfaction]]]
    ratings: dict[str, object]  # quarter → mean ticket rating (closed in that quarter)
    rating_counts: dict[str, int]


def quarter_of(day: datetime.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def satisfaction_report(*, tenant, last: int = 8) -> SatisfactionReport:
    """The satisfaction figure and mean per quarter, overall and per tier (the partner's tier when it answered),
    beside the mean rating of the tickets closed in the quarter. Three queries."""
    answers = list(Pulse.objects.values_list("quarter", "tier_id", "score"))
    quarters = sorted({quarter for quarter, _tier, _score in answers})[-last:]
    by_quarter: dict[str, list[int]] = defaultdict(list)
    by_tier_quarter: dict[tuple[int, str], list[int]] = defaultdict(list)
    for quarter, tier_id, score in answers:
        by_quarter[quarter].append(score)
        by_tier_quarter[(tier_id, quarter)].append(score)
    tiers = list(Tier.objects.order_by("rank"))
    zone = tenant.zone
    ratings: dict[str, list[int]] = defaultdict(list)
    for closed_at, rating in Ticket.objects.filter(rating__isnull=False, closed_at__isnull=False).values_list(
        "closed_at", "rating"
    ):
        ratings[quarter_of(closed_at.astimezone(zone).date())].append(rating)
    quarters = sorted(set(quarters) | set(list(ratings)[-last:]))[-last:]
    return SatisfactionReport(
        quarters=quarters,
        overall={quarter: calculations.satisfaction(by_quarter.get(quarter, [])) for quarter in quarters},
        by_tier=[
            (tier, {q: calculations.satisfaction(by_tier_quarter.get((tier.pk, q), [])) for q in quarters})
            for tier in tiers
        ],
        ratings={quarter: calculations.mean_rating(ratings.get(quarter, [])) for quarter in quarters},
        rating_counts={quarter: len(ratings.get(quarter, [])) for quarter in quarters},
    )


def pulse_due(membership: Membership, *, today: datetime.date) -> bool:
    """Whether this partner user has yet to answer this quarter's question."""
    if not membership.is_partner_side:
        return False
    return not Pulse.objects.filter(member=membership, quarter=quarter_of(today)).exists()


def owner_choices(partner, side: str) -> QuerySet[Membership]:
    members = Membership.objects.filter(is_active=True).select_related("user")
    if side == Side.PARTNER:
        return members.filter(partner=partner)
    return members.filter(partner__isnull=True)
