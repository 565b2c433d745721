"""API shapes of communication. A partner-side member never gets a review's vendor-only figures."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners.models import Partner
from qudao_api.fields import DateField, PeriodField, TenantCodeField, TextField

from .models import (
    BODY_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActionItem,
    ActionStatus,
    Announcement,
    Audience,
    Category,
    Pulse,
    Review,
    Side,
    Ticket,
    TicketMessage,
)
from .rendering import render_markdown


class AnnouncementSerializer(serializers.ModelSerializer):
    """An announcement; ``body_html`` is its Markdown rendered safely. The vendor's answer carries the counts."""

    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "body_html", "requires_acknowledgement", "published_at"]

    def get_body_html(self, announcement) -> str:
        return render_markdown(announcement.body)


class VendorAnnouncementSerializer(AnnouncementSerializer):
    partner_count = serializers.IntegerField(read_only=True)
    reader_count = serializers.IntegerField(read_only=True)
    read_count = serializers.IntegerField(read_only=True)
    acknowledged_count = serializers.IntegerField(read_only=True)

    class Meta(AnnouncementSerializer.Meta):
        fields = [*AnnouncementSerializer.Meta.fields, "audience", "audience_values", "partner_count",
                  "reader_count", "read_count", "acknowledged_count"]  # fmt: skip


class PartnerAnnouncementSerializer(AnnouncementSerializer):
    is_read = serializers.BooleanField(read_only=True)
    is_acknowledged = serializers.BooleanField(read_only=True)

    class Meta(AnnouncementSerializer.Meta):
        fields = [*AnnouncementSerializer.Meta.fields, "is_read", "is_acknowledged"]


class AnnouncementPublishSerializer(serializers.Serializer):
    title = TextField(max_length=TITLE_MAX_LENGTH)
    body = TextField(max_length=BODY_MAX_LENGTH)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.EVERYONE)
    audience_values = serializers.ListField(
        child=TextField(max_length=200), required=False, default=list, max_length=1000,
        help_text=_("Tier codes, kinds, regions or partner codes, as the audience says."),
    )  # fmt: skip
    requires_acknowledgement = serializers.BooleanField(required=False, default=False)


class ReceiptSerializer(serializers.Serializer):
    announcement = serializers.IntegerField(source="announcement_id")
    read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


# --- reviews -------------------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="review_id", read_only=True)
    owner = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "review", "title", "owner_side", "owner", "due_on", "status", "note", "updated_at"]

    def get_owner(self, item) -> str | None:
        return item.owner.user.email if item.owner_id else None


class ActionItemCreateSerializer(serializers.Serializer):
    title = TextField(max_length=TITLE_MAX_LENGTH)
    owner_side = serializers.ChoiceField(choices=Side.choices)
    owner = serializers.EmailField(required=False, allow_blank=True, help_text=_("The owner's e-mail (a member)."))
    due_on = DateField()


class ActionItemUpdateSerializer(serializers.Serializer):
    title = TextField(max_length=TITLE_MAX_LENGTH, required=False)
    owner_side = serializers.ChoiceField(choices=Side.choices, required=False)
    owner = serializers.EmailField(required=False, allow_blank=True)
    due_on = DateField(required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class ReviewSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    actions = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "partner", "period", "held_on", "attendees", "minutes", "figures", "figures_as_of",
                  "actions"]  # fmt: skip
        read_only_fields = ["period", "figures", "figures_as_of"]


class VendorReviewSerializer(ReviewSerializer):
    vendor_figures = serializers.JSONField(read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "vendor_figures"]


class ReviewCreateSerializer(serializers.Serializer):
    partner = TenantCodeField(Partner, help_text=_("The partner's code"))
    period = PeriodField()
    held_on = DateField()
    attendees = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    minutes = TextField(max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReviewUpdateSerializer(serializers.Serializer):
    held_on = DateField(required=False)
    attendees = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    minutes = TextField(max_length=BODY_MAX_LENGTH, required=False, allow_blank=True)


# --- tickets -------------------------------------------------------------------------------------


class TicketMessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessage
        fields = ["id", "side", "author", "body", "attachment_url", "original_filename", "created_at"]

    def get_author(self, message) -> str | None:
        return message.author.email if message.author_id else None

    def get_attachment_url(self, message) -> str | None:
        from django.urls import reverse

        if not message.attachment:
            return None
        tenant = self.context["tenant"]
        return reverse("communication:ticket-attachment", kwargs={"tenant_slug": tenant.slug, "pk": message.pk})


class TicketSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)
    is_sla_breached = serializers.SerializerMethodField()
    hours_to_first_answer = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "partner", "category", "subject", "status", "opened_at", "answer_due_at",
                  "first_answered_at", "hours_to_first_answer", "is_sla_breached", "closed_at", "rating"]  # fmt: skip

    def get_is_sla_breached(self, ticket) -> bool:
        from django.utils import timezone

        from .calculations import breaches_sla

        return breaches_sla(
            answer_due_at=ticket.answer_due_at, first_answered_at=ticket.first_answered_at, now=timezone.now()
        )

    def get_hours_to_first_answer(self, ticket) -> str | None:
        if ticket.first_answered_at is None:
            return None
        return f"{(ticket.first_answered_at - ticket.opened_at).total_seconds() / 3600:.2f}"


class TicketOpenSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    subject = TextField(max_length=TITLE_MAX_LENGTH)
    body = TextField(max_length=BODY_MAX_LENGTH)
    attachment = serializers.FileField(required=False)


class TicketMessageCreateSerializer(serializers.Serializer):
    body = TextField(max_length=BODY_MAX_LENGTH)
    attachment = serializers.FileField(required=False)


class TicketCloseSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


# --- the pulse -----------------------------------------------------------------------------------


class PulseSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)

    class Meta:
        model = Pulse
        fields = ["id", "partner", "quarter", "score", "comment", "created_at"]
        read_only_fields = ["quarter"]


class PulseAnswerSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = TextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class FigureSerializer(serializers.Serializer):
    answers = serializers.IntegerField()
    figure = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    mean = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class QuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    overall = FigureSerializer()
    tiers = serializers.DictField(child=FigureSerializer())
    ticket_rating = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
