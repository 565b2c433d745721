from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, TextField

from .explain import LABELS


class ScoreSettingsForm(forms.Form):
    """The tenant's score weights (whole numbers, at least one above zero) and auto-apply."""

    volume = forms.IntegerField(label=LABELS["volume"], min_value=0, max_value=1000)
    growth = forms.IntegerField(label=LABELS["growth"], min_value=0, max_value=1000)
    attainment = forms.IntegerField(label=LABELS["attainment"], min_value=0, max_value=1000)
    collection = forms.IntegerField(label=LABELS["collection"], min_value=0, max_value=1000)
    overdue = forms.IntegerField(label=LABELS["overdue"], min_value=0, max_value=1000)
    auto_apply_tiers = forms.BooleanField(
        label=_("Apply tier recommendations automatically"),
        required=False,
        help_text=_("Otherwise a channel manager applies or dismisses each one."),
    )

    def clean(self):
        cleaned = super().clean()
        weights = [cleaned.get(name) for name in ("volume", "growth", "attainment", "collection", "overdue")]
        if all(weight is not None for weight in weights) and sum(weights) <= 0:
            raise forms.ValidationError(_("The weights must add up to more than zero."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("apply", _("Apply")), ("dismiss", _("Dismiss"))])
    reason = TextField(label=_("Reason"), required=False, max_length=500)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "dismiss" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the recommendation is dismissed."))
        return cleaned


class LeaderboardFilterForm(forms.Form):
    tier = TextField(required=False, label=_("Tier"))
    region = TextField(required=False, label=_("Region"))
    kind = TextField(required=False, label=_("Kind"))
    date = DateField(required=False, label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
