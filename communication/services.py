"""Writes of communication, one transaction each: announcements, reviews and action items, tickets, the pulse."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.dates import tenant_today
from common.errors import Conflict, PermissionDenied
from common.periods import Period, PeriodKind
from notifications import events
from notifications.selectors import members_with_roles, partner_members
from notifications.services import Message, notify, notify_each
from partners.models import Partner, PartnerKind, Tier
from tenancy.context import require_tenant
from tenancy.models import Membership
from tenancy.roles import PARTNER_ROLES, Role

from . import calculations, selectors
from .models import (
    ActionItem,
    ActionStatus,
    Announcement,
    AnnouncementAudience,
    AnnouncementReceipt,
    Audience,
    CommunicationSettings,
    Pulse,
    Review,
    Side,
    Ticket,
    TicketMessage,
    TicketStatus,
    TicketStatusChange,
)

REMIND_DAYS_AHEAD = 3  # an open action item is announced to its side this many days before it is due


def _side(member: Membership) -> str:
    return Side.PARTNER if member.is_partner_side else Side.VENDOR


def _app_url(name: str, **kwargs) -> str:
    return reverse(f"communication:{name}", kwargs={"tenant_slug": require_tenant().slug, **kwargs})


# --- settings ------------------------------------------------------------------------------------


@transaction.atomic
def settings_update(*, tenant, ticket_sla_hours: int) -> CommunicationSettings:
    """The time to first answer the tenant promises its partners (in hours); it applies to tickets opened from now."""
    found = selectors.settings_of(tenant)
    found.ticket_sla_hours = ticket_sla_hours
    found.full_clean(exclude=["tenant"])
    found.save(update_fields=["ticket_sla_hours", "updated_at"])
    return found


# --- announcements -------------------------------------------------------------------------------


def resolve_audience(audience: str, values: Sequence[str]):
    """The partners an audience names, as they stand now: a queryset, or a ValidationError saying what is wrong."""
    partners = Partner.objects.filter(status__in=selectors.REACHABLE_STATUSES)
    values = sorted({str(value).strip() for value in values or () if str(value).strip()})
    if audience == Audience.EVERYONE:
        return partners
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who the announcement is for.")})
    if not values:
        raise ValidationError({"audience_values": _("Name at least one tier, kind, region or partner.")})
    if audience == Audience.TIERS:
        known = set(Tier.objects.filter(code__in=values).values_list("code", flat=True))
        field = "tier__code__in"
    elif audience == Audience.KINDS:
        known = set(values) & set(PartnerKind.values)
        field = "kind__in"
    elif audience == Audience.REGIONS:
        return partners.filter(region__in=values)
    else:
        known = set(Partner.objects.filter(code__in=values).values_list("code", flat=True))
        field = "code__in"
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValidationError({"audience_values": _("Not known: %(values)s.") % {"values": ", ".join(unknown)}})
    return partners.filter(**{field: values})


@transaction.atomic
def announcement_publish(
    *,
    actor,
    title: str,
    body: str,
    audience: str = Audience.EVERYONE,
    audience_values: Sequence[str] = (),
    requires_acknowledgement: bool = False,
) -> Announcement:
    """Publish an announcement: its audience is resolved now into the partners it reaches and one receipt per
    partner-side member of those partners; they are told. A partner that joins the audience later does not get it."""
    values = sorted({str(value).strip() for value in audience_values or () if str(value).strip()})
    partners = list(resolve_audience(audience, values).values_list("pk", flat=True))
    if not partners:
        raise ValidationError({"audience": _("No partner is in this audience: nobody would read it.")})
    announcement = Announcement(
        title=(title or "").strip(),
        body=body or "",
        audience=audience,
        audience_values=[] if audience == Audience.EVERYONE else values,
        requires_acknowledgement=requires_acknowledgement,
        published_at=timezone.now(),
        published_by=actor,
    )
    announcement.full_clean(exclude=["tenant"])
    announcement.save()
    AnnouncementAudience.objects.bulk_create(
        [AnnouncementAudience(announcement=announcement, partner_id=partner_id) for partner_id in partners]
    )
    readers = list(Membership.objects.filter(is_active=True, role__in=sorted(PARTNER_ROLES), partner_id__in=partners))
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, partner_id=m.partner_id, member=m) for m in readers]
    )
    tenant = require_tenant()
    with translation.override(tenant.language):
        subject = _("Announcement: %(title)s") % {"title": announcement.title}
        if requires_acknowledgement:
            subject = _("Please acknowledge: %(title)s") % {"title": announcement.title}
        notify(
            event=events.ANNOUNCEMENT.code,
            recipients=readers,
            subject=subject,
            body=announcement.body[:1000],
            url=_app_url("announcement", pk=announcement.pk),
            payload={"announcement": announcement.pk, "requires_acknowledgement": requires_acknowledgement},
        )
    return announcement


def _receipt(member: Membership, announcement: Announcement) -> AnnouncementReceipt:
    """The reader's receipt; made on first reading for a member who joined its partner after publishing."""
    if not member.is_partner_side:
        raise PermissionDenied(_("Announcements are read and acknowledged by partners."))
    if not AnnouncementAudience.objects.filter(announcement=announcement, partner_id=member.partner_id).exists():
        raise PermissionDenied(_("This announcement is not addressed to your partner."))
    receipt, _created = AnnouncementReceipt.objects.select_for_update().get_or_create(
        announcement=announcement, member=member, defaults={"partner_id": member.partner_id}
    )
    return receipt


@transaction.atomic
def announcement_read(*, member: Membership, announcement: Announcement) -> AnnouncementReceipt:
    """Record that the reader opened it (the first time counts)."""
    receipt = _receipt(member, announcement)
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at", "updated_at"])
    return receipt


@transaction.atomic
def announcement_acknowledge(*, member: Membership, announcement: Announcement) -> AnnouncementReceipt:
    """The reader confirms having read it (reading it too, if not yet recorded)."""
    receipt = _receipt(member, announcement)
    if not announcement.requires_acknowledgement:
        raise ValidationError({"announcement": _("This announcement asks for no acknowledgement.")})
    now = timezone.now()
    fields = []
    if receipt.read_at is None:
        receipt.read_at = now
        fields.append("read_at")
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at = now
        fields.append("acknowledged_at")
    if fields:
        receipt.save(update_fields=[*fields, "updated_at"])
    return receipt


# --- business reviews ----------------------------------------------------------------------------


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def review_figures(partner: Partner, period: Period, *, as_of: datetime.date) -> tuple[dict, dict]:
    """The period's figures as they stand on ``as_of`` (the period's end, or today if it has not ended):
    sales, collections, targets' attainment, the latest score, receivables with aging; and, for the vendor's
    copy only, the open risk alerts."""
    from facts.calculations import receivables_for
    from risk.models import LIVE_STATUSES, Alert
    from scoring.models import PartnerScore
    from targets import calculations as target_calculations
    from targets.models import Target

    measured_to = min(period.end, as_of)
    actuals = {
        metric: target_calculations.partner_actuals(partner_ids=[partner.pk], metric=metric, period=period).get(
            partner.pk, Decimal(0)
        )
        for metric in ("sales", "collections")
    }
    targets = list(Target.objects.filter(partner=partner, starts_on__lte=period.end, ends_on__gte=period.start))
    attainments = target_calculations.attainments(targets) if targets else {}
    score = PartnerScore.objects.filter(partner=partner, day__lte=measured_to).order_by("-day").first()
    receivables = receivables_for(partner_id=partner.pk, day=measured_to)
    figures = {
        "as_of": measured_to.isoformat(),
        "sales": _money(actuals["sales"]),
        "collections": _money(actuals["collections"]),
        "targets": [
            {
                "metric": target.metric,
                "period": f"{target.starts_on.isoformat()}/{target.ends_on.isoformat()}",
                "value": str(target.value),
                "attainment": str(attainments[target.pk]),
            }
            for target in targets
        ],
        "score": str(score.score) if score else None,
        "score_day": score.day.isoformat() if score else None,
        "outstanding": _money(receivables.outstanding),
        "overdue": _money(receivables.overdue),
        "aging": {name: _money(amount) for name, amount in receivables.buckets.items()},
    }
    alerts = Alert.objects.filter(partner=partner, status__in=LIVE_STATUSES).order_by("-raised_on")
    vendor_figures = {
        "open_alerts": [
            {"id": alert.pk, "rule": alert.rule, "severity": alert.severity, "raised_on": alert.raised_on.isoformat()}
            for alert in alerts[:50]
        ]
    }
    return figures, vendor_figures


@transaction.atomic
def review_schedule(
    *, actor, partner: Partner, period: str, held_on: datetime.date, attendees: str = "", minutes: str = ""
) -> Review:
    """Schedule a business review of ``partner`` for ``period``; its figures are taken now and kept with it."""
    try:
        parsed = Period.parse(period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    tenant = require_tenant()
    figures, vendor_figures = review_figures(partner, parsed, as_of=tenant_today(tenant))
    review = Review(
        partner=partner,
        period=str(parsed),
        starts_on=parsed.start,
        ends_on=parsed.end,
        held_on=held_on,
        attendees=(attendees or "").strip(),
        minutes=minutes or "",
        figures=figures,
        vendor_figures=vendor_figures,
        figures_as_of=datetime.date.fromisoformat(figures["as_of"]),
        created_by=actor,
    )
    review.full_clean(exclude=["tenant"])
    review.save()
    return review


REVIEW_FIELDS = ("held_on", "attendees", "minutes")


@transaction.atomic
def review_update(*, review: Review, **changes) -> Review:
    """The date, attendees or minutes of a review (its figures stay as they were taken)."""
    unknown = set(changes) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(review, field, value)
    review.full_clean(exclude=["tenant"])
    if changes:
        review.save(update_fields=[*changes, "updated_at"])
    return review


def _check_owner(owner: Membership | None, side: str, partner: Partner) -> None:
    if owner is None:
        return
    if side == Side.PARTNER and owner.partner_id != partner.pk:
        raise ValidationError({"owner": _("A partner-side item is owned by one of the partner's members.")})
    if side == Side.VENDOR and owner.is_partner_side:
        raise ValidationError({"owner": _("A vendor-side item is owned by a vendor member.")})


@transaction.atomic
def action_item_create(
    *, actor, review, title: str, owner_side: str, due_on: datetime.date, owner: Membership | None = None
) -> ActionItem:
    """Add an action item to a review, owned by one side (and, if named, one person of that side)."""
    if owner_side not in Side.values:
        raise ValidationError({"owner_side": _("Choose the vendor or the partner.")})
    _check_owner(owner, owner_side, review.partner)
    item = ActionItem(
        review=review,
        partner_id=review.partner_id,
        title=(title or "").strip(),
        owner_side=owner_side,
        owner=owner,
        due_on=due_on,
        changed_by=actor,
    )
    item.full_clean(exclude=["tenant"])
    item.save()
    return item


ITEM_FIELDS = ("title", "owner_side", "owner", "due_on", "status", "note")
PARTNER_ITEM_FIELDS = ("status", "note")


@transaction.atomic
def action_item_update(*, actor: Membership, item: ActionItem, **changes) -> ActionItem:
    """Change an item. A partner-side member changes the status and note of its own side's items only;
    the vendor's channel managers change anything."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    item = ActionItem.objects.select_for_update().select_related("review__partner").get(pk=item.pk)
    if actor.is_partner_side:
        if item.owner_side != Side.PARTNER:
            raise PermissionDenied(_("This item is the vendor's to update."))
        refused = set(changes) - set(PARTNER_ITEM_FIELDS)
        if refused:
            raise ValidationError({field: _("Only the vendor changes this.") for field in refused})
    if "status" in changes and changes["status"] not in ActionStatus.values:
        raise ValidationError({"status": _("Choose open, done or cancelled.")})
    for field, value in changes.items():
        setattr(item, field, value)
    _check_owner(item.owner, item.owner_side, item.review.partner)
    item.changed_by = actor.user
    item.full_clean(exclude=["tenant"])
    item.save(update_fields=[*changes, "changed_by", "updated_at"])
    return item


def action_items_coming_due(day: datetime.date) -> dict:
    """Tell each open item's owner (or its side: the partner's members, or the partner's channel manager and
    the administrators) that it is due within ``REMIND_DAYS_AHEAD`` days or overdue; once per item. Idempotent:
    an item reminded is marked with the day. A fixed number of queries, however many items."""
    tenant = require_tenant()
    items = list(
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, reminded_on__isnull=True, due_on__lte=day + datetime.timedelta(REMIND_DAYS_AHEAD)
        ).select_related("partner", "review", "owner")
    )
    if not items:
        return {"reminded": 0}
    partner_ids = {item.partner_id for item in items}
    partner_side: dict[int, list[Membership]] = {}
    for member in Membership.objects.filter(is_active=True, partner_id__in=partner_ids):
        partner_side.setdefault(member.partner_id, []).append(member)
    admins = list(members_with_roles([Role.ADMIN]))
    managers = {
        member.user_id: member
        for member in Membership.objects.filter(
            is_active=True, partner__isnull=True, user_id__in={item.partner.manager_id for item in items} - {None}
        )
    }
    messages = []
    with translation.override(tenant.language):
        for item in items:
            if item.owner is not None and item.owner.is_active:
                recipients = [item.owner]
            elif item.owner_side == Side.PARTNER:
                recipients = partner_side.get(item.partner_id, [])
            else:
                manager = managers.get(item.partner.manager_id)
                recipients = [manager] if manager else admins
            values = {"title": item.title, "day": item.due_on.isoformat(), "code": item.partner.code}
            messages.append(
                Message(
                    recipients=recipients,
                    subject=_("Action item due %(day)s: %(title)s (%(code)s)") % values,
                    body=_("From the business review of %(period)s.") % {"period": item.review.period},
                    url=_app_url("review", pk=item.review_id),
                    payload={"action_item": item.pk, "review": item.review_id, "due_on": item.due_on.isoformat()},
                )
            )
    notify_each(event=events.ACTION_ITEM_DUE.code, messages=messages)
    ActionItem.objects.filter(pk__in=[item.pk for item in items]).update(reminded_on=day)
    return {"reminded": len(items)}


# --- tickets -------------------------------------------------------------------------------------


def _message(ticket: Ticket, member: Membership, body: str, attachment) -> TicketMessage:
    message = TicketMessage(
        ticket=ticket, partner_id=ticket.partner_id, author=member.user, side=_side(member), body=(body or "").strip()
    )
    if attachment:
        message.attachment = attachment
        message.original_filename = (getattr(attachment, "name", "") or "")[:255]
    message.full_clean(exclude=["tenant"])
    message.save()
    return message


def _move(ticket: Ticket, to_status: str, actor, reason: str = "") -> None:
    TicketStatusChange.objects.create(ticket=ticket, from_status=ticket.status, to_status=to_status, actor=actor,
                               reason=reason[:2000])  # fmt: skip
    ticket.status = to_status


@transaction.atomic
def ticket_open(*, actor: Membership, category: str, subject: str, body: str, attachment=None) -> Ticket:
    """A partner-side member opens a ticket; the answer is due within the tenant's SLA; the vendor is told."""
    if not actor.is_partner_side:
        raise PermissionDenied(_("Tickets are opened by partners."))
    tenant = require_tenant()
    now = timezone.now()
    sla = selectors.settings_of(tenant).ticket_sla_hours
    ticket = Ticket(
        partner_id=actor.partner_id,
        opened_by=actor.user,
        category=category,
        subject=(subject or "").strip(),
        opened_at=now,
        answer_due_at=calculations.answer_due_at(now, sla),
    )
    ticket.full_clean(exclude=["tenant"])
    if not (body or "").strip():
        raise ValidationError({"body": _("Say what it is about.")})
    ticket.save()
    _message(ticket, actor, body, attachment)
    TicketStatusChange.objects.create(ticket=ticket, to_status=TicketStatus.OPEN, actor=actor.user)
    partner = Partner.objects.get(pk=actor.partner_id)
    recipients = list(members_with_roles([Role.ADMIN]))
    if partner.manager_id:
        recipients += list(Membership.objects.filter(user_id=partner.manager_id, is_active=True, partner__isnull=True))
    with translation.override(tenant.language):
        notify(
            event=events.TICKET_OPENED.code,
            recipients=recipients,
            subject=_("New ticket from %(code)s: %(subject)s") % {"code": partner.code, "subject": ticket.subject},
            body=(body or "")[:1000],
            url=_app_url("ticket", pk=ticket.pk),
            payload={"ticket": ticket.pk, "partner": partner.code, "category": ticket.category},
        )
    return ticket


@transaction.atomic
def ticket_message_add(*, actor: Membership, ticket: Ticket, body: str, attachment=None) -> TicketMessage:
    """A message in a ticket. The vendor's answers it (the first answer stops the SLA clock) and tells the
    partner; a partner's message to an answered or closed ticket opens it again."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a message.")})
    message = _message(ticket, actor, body, attachment)
    fields = ["status", "updated_at"]
    if actor.is_partner_side:
        if ticket.status != TicketStatus.OPEN:
            _move(ticket, TicketStatus.OPEN, actor.user, _("Reopened by a new message from the partner."))
            ticket.closed_at = None
            fields.append("closed_at")
    else:
        if ticket.first_answered_at is None:
            ticket.first_answered_at = message.created_at
            fields.append("first_answered_at")
        if ticket.status != TicketStatus.ANSWERED:
            _move(ticket, TicketStatus.ANSWERED, actor.user)
            ticket.closed_at = None
            fields.append("closed_at")
        tenant = require_tenant()
        with translation.override(tenant.language):
            notify(
                event=events.TICKET_ANSWERED.code,
                recipients=partner_members(ticket.partner, PARTNER_ROLES),
                subject=_("Your ticket was answered: %(subject)s") % {"subject": ticket.subject},
                body=message.body[:1000],
                url=_app_url("ticket", pk=ticket.pk),
                payload={"ticket": ticket.pk},
            )
    ticket.save(update_fields=fields)
    return message


@transaction.atomic
def ticket_close(*, actor: Membership, ticket: Ticket, rating: int | None = None) -> Ticket:
    """Close a ticket; the partner may rate the answer 1–5 as it closes it (a vendor member closes without one)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("This ticket is closed already."))
    if rating is not None:
        if not actor.is_partner_side:
            raise ValidationError({"rating": _("Only the partner rates the answer.")})
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValidationError({"rating": _("Rate from 1 to 5.")})
        ticket.rating = rating
    _move(ticket, TicketStatus.CLOSED, actor.user)
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "closed_at", "rating", "updated_at"])
    return ticket


# --- the pulse -----------------------------------------------------------------------------------


@transaction.atomic
def pulse_answer(*, actor: Membership, score: int, comment: str = "") -> Pulse:
    """A partner user's answer to this quarter's question (0–10), once a quarter."""
    if not actor.is_partner_side:
        raise PermissionDenied(_("The satisfaction question is for partners."))
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValidationError({"score": _("Answer with a whole number from 0 to 10.")})
    tenant = require_tenant()
    quarter = str(Period.containing(tenant_today(tenant), PeriodKind.QUARTER))
    if Pulse.objects.filter(member=actor, quarter=quarter).exists():
        raise Conflict(_("You have answered this quarter's question already. Thank you!"))
    partner = Partner.objects.get(pk=actor.partner_id)
    pulse = Pulse(partner=partner, member=actor, tier_id=partner.tier_id, quarter=quarter, score=score,
                  comment=(comment or "").strip())  # fmt: skip
    pulse.full_clean(exclude=["tenant"])
    pulse.save()
    return pulse
