"""Forms of the risk pages: they parse input; ``services`` decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, TextField

from .calculations import DAYS_RANGE, DROP_PERCENT_RANGE, PERCENT_RANGE
from .models import NOTE_MAX_LENGTH
from .selectors import DEFAULT_SORT, SORT_COLUMNS

EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"))


class OverviewForm(forms.Form):
    """The receivables overview's day, order and export (the partner filters are a FilterSet)."""

    date = DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        required=False,
        choices=[(column, column) for name in SORT_COLUMNS for column in (name, f"-{name}")],
    )
    export = forms.ChoiceField(required=False, choices=EXPORT_FORMATS)

    def sort_or_default(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or DEFAULT_SORT


class AcknowledgeForm(forms.Form):
    note = TextField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what is being done about it."),
    )


class ResolveForm(forms.Form):
    note = TextField(
        label=_("How was it dealt with?"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept in the alert's history. Should the condition still hold, the next nightly run raises a "
                    "new alert."),
    )  # fmt: skip


def _whole(label, low_high, help_text) -> forms.IntegerField:
    low, high = low_high
    return forms.IntegerField(label=label, min_value=low, max_value=high, help_text=help_text)


class ThresholdsForm(forms.Form):
    """The tenant's risk thresholds; the service checks the order of warning and critical levels."""

    credit_warning_percent = _whole(_("Credit: warning from (percent of the limit)"), PERCENT_RANGE, _("0 to 1000"))
    credit_critical_percent = _whole(_("Credit: critical from (percent of the limit)"), PERCENT_RANGE, _("0 to 1000"))
    overdue_warning_days = _whole(_("Overdue: warning from (days)"), DAYS_RANGE, _("1 to 3650"))
    overdue_critical_days = _whole(_("Overdue: critical from (days)"), DAYS_RANGE, _("1 to 3650"))
    performance_drop_percent = _whole(
        _("Sales drop: alert below (percent of the monthly average)"), DROP_PERCENT_RANGE, _("1 to 100")
    )
    contract_expiry_days = _whole(_("Contract expiry: days ahead"), DAYS_RANGE, _("1 to 3650"))
