"""Forms of the settlement pages: they parse input; ``services`` decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PeriodField

from .services.statements import REASON_MAX_LENGTH

PERIOD_HELP = _("A month (2026-03), a quarter (2026-Q1) or a year (2026): the programs of that kind are applied.")


class RunStartForm(forms.Form):
    period = PeriodField(max_length=16, label=_("Period"), help_text=PERIOD_HELP)


class ApproveForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong, so that finance can check it."),
    )
    line = forms.TypedChoiceField(label=_("About the line"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("The whole statement")), *lines]


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Answer"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was checked and what changes; the partner reads it."),
    )


class MarkPaidForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=100, help_text=_("The bank transfer's or voucher's number.")
    )


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Positive pays the partner more, negative less."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the partner on the statement."),
    )
