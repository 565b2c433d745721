"""Forms of the funds pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, MoneyField, PeriodField, TextField
from partners.models import Tier

from .models import ACTIVITY_MAX_LENGTH, PLAN_MAX_LENGTH, REASON_MAX_LENGTH
from .services import MAX_PROOF_FILES, proof_limits


class FundForm(forms.Form):
    """A fund: its code and name, the period, the budget and the tiers whose partners may ask for it."""

    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Letters, digits, hyphens; it cannot change later.")
    )
    name = TextField(label=_("Name"), max_length=200)
    period = PeriodField(label=_("Period"), help_text=_("2026-03 (a month), 2026-Q2 (a quarter) or 2026 (a year)."))
    budget = MoneyField(label=_("Budget"), min_value=0)
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: partners of every tier may ask."),
    )  # fmt: skip
    is_open = forms.BooleanField(label=_("Open for requests"), required=False, initial=True)
    description = TextField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = list(Tier.objects.order_by("rank").values_list("code", "name"))
        if editing:
            self.fields["code"].disabled = True
            self.fields["period"].disabled = True
            self.fields["code"].required = self.fields["period"].required = False


class FundRequestForm(forms.Form):
    activity = TextField(label=_("Activity"), max_length=ACTIVITY_MAX_LENGTH,
                         help_text=_("A trade show, a customer seminar, an online campaign…"))  # fmt: skip
    planned_on = DateField(label=_("Planned on"))
    amount = MoneyField(label=_("Amount requested"), min_value=0)
    plan = TextField(
        label=_("Plan"), required=False, max_length=PLAN_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you will do, for whom, and what you expect from it."),
    )  # fmt: skip

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Ask for more than 0.00."))
        return amount


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type=file multiple>``): a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(upload, initial) for upload in data][: MAX_PROOF_FILES + 1]
        return [single(data, initial)] if data else []


class FundClaimForm(forms.Form):
    amount = MoneyField(label=_("Amount claimed"), min_value=0)
    description = TextField(label=_("What was done"), required=False, max_length=PLAN_MAX_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    files = MultipleFileField(label=_("Proof files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = proof_limits()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Claim more than 0.00."))
        return amount


class ApproveForm(forms.Form):
    amount = MoneyField(
        label=_("Amount approved"), required=False, min_value=0,
        help_text=_("Leave empty to approve all that was asked; a lower amount needs a reason."),
    )  # fmt: skip
    reason = TextField(label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH)


class RejectForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH, help_text=_("The partner reads it."))
