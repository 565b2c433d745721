"""Forms of the due diligence pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.forms import TextField, model_form_field
from partners.forms import BLANK_LABEL

from .models import NOTE_MAX_LENGTH, ChecklistItem

ITEM_FIELDS = (
    "code", "name", "description", "gate", "is_required", "evidence_required", "automatic_check", "position",
    "is_active",
)  # fmt: skip


class ChecklistItemForm(forms.Form):
    """An item of the tenant's checklist: what is checked, before which step, and how."""

    code = model_form_field(ChecklistItem, "code", help_text=_("Letters, digits, hyphens; it cannot change later."))
    name = model_form_field(ChecklistItem, "name")
    description = model_form_field(ChecklistItem, "description", widget=forms.Textarea(attrs={"rows": 3}))
    gate = model_form_field(ChecklistItem, "gate")
    is_required = model_form_field(ChecklistItem, "is_required")
    evidence_required = model_form_field(ChecklistItem, "evidence_required")
    automatic_check = model_form_field(ChecklistItem, "automatic_check")
    position = model_form_field(ChecklistItem, "position")
    is_active = model_form_field(ChecklistItem, "is_active")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        automatic = self.fields["automatic_check"]
        automatic.choices = [("", _("No: a person ticks it")), *automatic.choices[1:]]
        if editing:
            self.fields["code"].disabled = True

    @staticmethod
    def initial_for(item: ChecklistItem) -> dict:
        return {name: getattr(item, name) for name in ITEM_FIELDS}


def evidence_help() -> str:
    accepted = ", ".join(settings.CONTRACT_ALLOWED_EXTENSIONS)
    limit = settings.CONTRACT_MAX_UPLOAD_BYTES // 1048576
    return _("Accepted: %(types)s; at most %(limit)s MB.") % {"types": accepted, "limit": limit}


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ChecklistItem) -> str:
        return obj.name


class TickForm(forms.Form):
    """Tick one of a partner's items: a note, and a file when the item asks for evidence."""

    item = ItemChoiceField(queryset=None, label=capfirst(_("checklist item")), empty_label=BLANK_LABEL)
    note = TextField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)
    evidence = forms.FileField(label=_("Evidence"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ChecklistItem.objects.filter(is_active=True)
        self.fields["evidence"].help_text = evidence_help()


class UntickForm(forms.Form):
    """Take a tick back: why, kept in the item's history."""

    item = ItemChoiceField(queryset=None, label=capfirst(_("checklist item")), empty_label=BLANK_LABEL)
    reason = TextField(label=_("Reason"), max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ChecklistItem.objects.filter(is_active=True)


class PilotSettingForm(forms.Form):
    partners_may_skip_pilot = forms.BooleanField(
        label=_("Partners may skip the pilot"),
        required=False,
        help_text=_("An onboarding partner may become active directly, without a pilot stage."),
    )
