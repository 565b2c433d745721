"""Forms of the communication pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, PeriodField, TextField
from partners.forms import BLANK_LABEL
from partners.models import Partner, PartnerKind, Tier

from .models import (
    BODY_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActionStatus,
    Audience,
    Category,
    Side,
)


def attachment_help() -> str:
    accepted = ", ".join(settings.CONTRACT_ALLOWED_EXTENSIONS)
    limit = settings.CONTRACT_MAX_UPLOAD_BYTES // 1048576
    return _("Optional. Accepted: %(types)s; at most %(limit)s MB.") % {"types": accepted, "limit": limit}


class AnnouncementForm(forms.Form):
    title = TextField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = TextField(
        label=_("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, lists, [links](https://example.com). No HTML."),
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.EVERYONE)
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"), queryset=Tier.objects.none(), required=False, to_field_name="code"
    )
    kinds = forms.MultipleChoiceField(label=_("Kinds"), choices=PartnerKind.choices, required=False)
    regions = TextField(
        label=_("Regions"), required=False, max_length=1000, help_text=_("Separated by commas, e.g. 华东, 华南.")
    )
    partners = TextField(
        label=_("Partners"), required=False, max_length=4000, help_text=_("Partner codes, separated by commas.")
    )
    requires_acknowledgement = forms.BooleanField(
        label=_("Requires acknowledgement"),
        required=False,
        help_text=_("Each reader confirms having read it; until then a banner reminds them on every page."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].queryset = Tier.objects.order_by("rank")

    def audience_values(self) -> list[str]:
        data = self.cleaned_data
        audience = data["audience"]
        if audience == Audience.TIERS:
            return [tier.code for tier in data["tiers"]]
        if audience == Audience.KINDS:
            return list(data["kinds"])
        if audience == Audience.REGIONS:
            return [part.strip() for part in data["regions"].replace("，", ",").split(",") if part.strip()]
        if audience == Audience.PARTNERS:
            return [part.strip() for part in data["partners"].replace("，", ",").split(",") if part.strip()]
        return []


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.code} · {obj.name}"


class ReviewForm(forms.Form):
    partner = PartnerChoiceField(label=_("Partner"), queryset=Partner.objects.none(), empty_label=BLANK_LABEL)
    period = PeriodField(label=_("Period"), max_length=16, help_text=_("e.g. 2026-Q1, 2026-03 or 2026."))
    held_on = DateField(label=_("Held on"))
    attendees = TextField(label=_("Attendees"), required=False, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.none()


class ReviewEditForm(forms.Form):
    held_on = DateField(label=_("Held on"))
    attendees = TextField(
        label=_("Attendees"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = TextField(
        label=_("Minutes"), required=False, max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.user.email


class ActionItemForm(forms.Form):
    title = TextField(label=_("Action"), max_length=TITLE_MAX_LENGTH)
    owner_side = forms.ChoiceField(label=_("Owner side"), choices=Side.choices)
    owner = MemberChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=BLANK_LABEL)
    due_on = DateField(label=_("Due on"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = TextField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = TextField(label=_("Subject"), max_length=TITLE_MAX_LENGTH)
    body = TextField(label=_("Message"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()


class MessageForm(forms.Form):
    body = TextField(label=_("Message"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()


RATING_CHOICES = [("", _("No rating")), *[(str(n), str(n)) for n in range(5, 0, -1)]]


class CloseForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well was it handled? (1–5)"), choices=RATING_CHOICES, coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend working with us to a peer? (0–10)"),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
    )
    comment = TextField(label=_("Anything to add?"), required=False, max_length=NOTE_MAX_LENGTH)


class SettingsForm(forms.Form):
    ticket_sla_hours = forms.IntegerField(
        label=_("Time to first answer (hours)"),
        min_value=1,
        max_value=24 * 30,
        help_text=_("A ticket not answered within this many hours of its opening breaches the SLA."),
    )
