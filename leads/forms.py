"""Forms of the lead pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MoneyField, TextField
from partners.forms import BLANK_LABEL
from partners.models import Partner, PartnerStatus

from .models import COMPANY_MAX_LENGTH, MAX_CAP, MAX_SLA_HOURS, REASON_MAX_LENGTH


class LeadForm(forms.Form):
    """A new lead: it is offered at once by the rules."""

    company = TextField(label=_("Company"), max_length=COMPANY_MAX_LENGTH)
    region = TextField(label=_("Region"), max_length=100, help_text=_("As the partners' region is written, e.g. 华东."))
    industry = TextField(label=_("Industry"), max_length=100)
    value = MoneyField(label=_("Value"), required=False, min_value=0)
    contact = TextField(label=_("Contact"), max_length=200, required=False)
    description = TextField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))


class DeclineForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH)


class LostForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.code} · {obj.name} · {obj.region or '—'}"


class AssignForm(forms.Form):
    """By hand: a partner, or none to have the rules distribute the lead again."""

    partner = PartnerChoiceField(
        queryset=None, label=_("Partner"), required=False, empty_label=BLANK_LABEL,
        help_text=_("Leave empty to distribute the lead again by the rules."),
    )  # fmt: skip
    note = TextField(label=_("Note"), max_length=REASON_MAX_LENGTH, required=False)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = partners if partners is not None else Partner.objects.all()
        self.fields["partner"].queryset = queryset.filter(status=PartnerStatus.ACTIVE).order_by("code")


class SettingsForm(forms.Form):
    cap = forms.IntegerField(label=_("Open leads per partner"), min_value=1, max_value=MAX_CAP)
    sla_hours = forms.IntegerField(label=_("Hours to answer"), min_value=1, max_value=MAX_SLA_HOURS)
