"""Communication (沟通机制, SPEC §4.9): announcements, business reviews, feedback tickets and the satisfaction pulse.

- An ``Announcement`` is published to an audience (everyone, tiers, kinds, regions or named
  partners) resolved when it is published into ``AnnouncementReceipt`` rows, one per reader
  (a partner-side member of a partner in the audience), which record the read and the
  acknowledgement.
- A ``Review`` is a business review of one partner for one period. The period's figures as they
  stood when it was scheduled are kept with it (``figures``, which both sides see; ``vendor_figures``,
  the open risk alerts, for the vendor only). Its ``ActionItem`` rows each belong to one side.
- A ``Ticket`` is a partner's feedback: messages (with attachments) from both sides, ``open →
  answered → closed``, reopened by a new partner message; its first answer is measured against
  the tenant's SLA (``CommunicationSettings``) and the partner may rate it 1–5 on closing.
- A ``Pulse`` is one partner user's answer (0–10) to the quarterly satisfaction question.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Tier
from partners.validators import validate_contract_file
from tenancy.models import Membership, TenantOwned

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20000
NOTE_MAX_LENGTH = 2000
DEFAULT_SLA_HOURS = 24


class CommunicationSettings(TenantOwned):
    """The tenant's settings of communication: one row per tenant, made with the defaults when first read."""

    ticket_sla_hours = models.PositiveIntegerField(
        _("time to first answer (hours)"),
        default=DEFAULT_SLA_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_("A ticket not answered within this many hours of its opening breaches the SLA."),
    )

    class Meta:
        verbose_name = _("communication settings")
        verbose_name_plural = _("communication settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="communication_settings_one_per_tenant")]


# --- announcements -------------------------------------------------------------------------------


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Every partner")
    TIERS = "tiers", _("Partners of some tiers")
    KINDS = "kinds", _("Partners of some kinds")
    REGIONS = "regions", _("Partners in some regions")
    PARTNERS = "partners", _("Named partners")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Announcement(TenantOwned):
    """A notice from the vendor to its partners, in Markdown; read (and acknowledged when asked) by each reader."""

    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH, help_text=_("Markdown: **bold**, lists, links."))
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    audience_values = models.JSONField(
        _("audience values"), default=list, blank=True, help_text=_("The tier codes, kinds, regions or partner codes.")
    )
    requires_acknowledgement = models.BooleanField(
        _("requires acknowledgement"), default=False, help_text=_("Each reader confirms having read it.")
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partners = models.ManyToManyField(Partner, through="AnnouncementAudience", related_name="announcements")

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AnnouncementAudience(TenantOwned):
    """A partner the announcement was addressed to, as its audience stood when it was published."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="audience_rows")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "announcement", "partner"], name="announcement_audience_once")
        ]
        indexes = [models.Index(fields=["tenant", "partner"])]


class AnnouncementReceipt(TenantOwned):
    """One reader of an announcement: a partner-side member of a partner in its audience; when read and acknowledged."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "announcement", "member"], name="announcement_receipt_once"),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | models.Q(read_at__isnull=False),
                name="announcement_receipt_read_before_acknowledged",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "member", "acknowledged_at"])]


# --- business reviews ----------------------------------------------------------------------------


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Review(TenantOwned):
    """A business review (业务复盘) of one partner for one period, with the period's figures as they stood."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("partner"))
    period = models.CharField(_("period"), max_length=16)
    starts_on = models.DateField()
    ends_on = models.DateField()
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("attendees"), max_length=NOTE_MAX_LENGTH, blank=True)
    minutes = models.TextField(_("minutes"), max_length=BODY_MAX_LENGTH, blank=True)
    figures = models.JSONField(_("figures"), default=dict)  # both sides see these
    vendor_figures = models.JSONField(default=dict)  # the vendor's copy only: open risk alerts
    figures_as_of = models.DateField(_("figures as of"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("business review")
        verbose_name_plural = _("business reviews")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "period"], name="review_one_per_partner_period")
        ]

    def __str__(self) -> str:
        return f"{self.partner.code} {self.period}"


class Side(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ActionItem(TenantOwned):
    """Something one side agreed in a review to do by a day."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")  # the review's, for scoping
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    owner_side = models.CharField(_("owner side"), max_length=8, choices=Side.choices)
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)  # the day its "coming due" notice went out

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["tenant", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


# --- feedback tickets ----------------------------------------------------------------------------


class Category(models.TextChoices):
    PRICING = "pricing", _("Pricing")
    PRODUCT = "product", _("Product")
    CONFLICT = "conflict", _("Channel conflict")
    SETTLEMENT = "settlement", _("Settlement")
    SUPPORT = "support", _("Support")
    OTHER = "other", _("Other")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Ticket(TenantOwned):
    """A partner's feedback (反馈) and the conversation about it."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("partner"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=TITLE_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    answer_due_at = models.DateTimeField(_("answer due by"))  # opened_at + the SLA of the day it was opened
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.subject


def attachment_upload_path(instance: TicketMessage, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"tickets/{instance.tenant_id}/{instance.ticket.partner_id}/{uuid.uuid4().hex}.{extension}"


class TicketMessage(TenantOwned):
    """One message of a ticket, from either side, perhaps with a file."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")  # the ticket's, for scoping
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_upload_path, blank=True, validators=[validate_contract_file]
    )
    original_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket"])]


class TicketStatusChange(TenantOwned):
    """A change of a ticket's status: who, when, and why."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=TicketStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


# --- satisfaction --------------------------------------------------------------------------------


class Pulse(TenantOwned):
    """One partner user's answer, once a quarter, to “How likely are you to recommend working with us?” (0–10)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")  # the partner's then
    quarter = models.CharField(_("quarter"), max_length=8)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(10)])
    comment = models.CharField(_("comment"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        ordering = ["-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "member", "quarter"], name="pulse_once_per_member_quarter"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=10), name="pulse_score_0_to_10"),
        ]
