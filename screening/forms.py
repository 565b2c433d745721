"""Forms of the screening pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, NumberField, TextField

from .models import NOTE_MAX_LENGTH, RATINGS, REASON_MAX_LENGTH, Criterion, Decision, ExitDecision

RATING_CHOICES = [(str(value), str(value)) for value in RATINGS]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (evidence); each is checked by the service (type and size, as contracts)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def evidence_help() -> str:
    accepted = ", ".join(settings.CONTRACT_ALLOWED_EXTENSIONS)
    limit = settings.CONTRACT_MAX_UPLOAD_BYTES // 1048576
    return _("Accepted: %(types)s; at most %(limit)s MB each.") % {"types": accepted, "limit": limit}


class EvaluationForm(forms.Form):
    """A rating 1–5 and a note for every criterion in use; a summary and files as evidence."""

    summary = TextField(
        label=_("Summary"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(label=_("Evidence"))

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["evidence"].help_text = evidence_help()
        for criterion in criteria:
            self.fields[f"rating_{criterion.code}"] = forms.ChoiceField(
                label=criterion.name,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Rate this criterion 1 to 5.")},
            )
            self.fields[f"note_{criterion.code}"] = TextField(
                label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        """Each criterion with its rating field, its note field and its anchors (for the template)."""
        return [
            (criterion, self[f"rating_{criterion.code}"], self[f"note_{criterion.code}"]) for criterion in self.criteria
        ]

    def ratings(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "criterion": criterion.code,
                "rating": data[f"rating_{criterion.code}"],
                "note": data[f"note_{criterion.code}"],
            }
            for criterion in self.criteria
        ]

    @staticmethod
    def initial_from(evaluation) -> dict:
        initial = {"summary": evaluation.summary}
        for rating in evaluation.ratings.all():
            initial[f"rating_{rating.criterion.code}"] = str(rating.rating)
            initial[f"note_{rating.criterion.code}"] = rating.note
        return initial


class ScreeningDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = TextField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExitReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ExitDecision.choices, widget=forms.RadioSelect)
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    plan = TextField(
        label=_("Improvement plan"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When keeping the partner."),
    )
    review_on = DateField(label=_("Review on"), required=False, help_text=_("When keeping the partner: 2026-09-30."))


class ExitReviewOpenForm(forms.Form):
    partner = forms.CharField(label=_("Partner code"), max_length=50)
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class CriterionForm(forms.Form):
    """One row of the scorecard editor; the anchors are five lines, one per rating."""

    code = forms.SlugField(label=_("Code"), max_length=32, required=False)
    name_zh = TextField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = TextField(label=_("Name (English)"), max_length=100, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, required=False)
    anchors_zh = TextField(
        label=_("Anchors (Chinese), one line per rating 1–5"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    anchors_en = TextField(
        label=_("Anchors (English), one line per rating 1–5"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean(self):
        data = super().clean()
        filled = any(data.get(name) for name in ("code", "name_zh", "name_en", "weight"))
        if not filled:
            data["empty"] = True
            return data
        for name in ("code", "name_zh", "name_en", "weight"):
            if data.get(name) in (None, ""):
                self.add_error(name, _("This field is required."))
        for name in ("anchors_zh", "anchors_en"):
            lines = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
            if len(lines) != len(RATINGS):
                self.add_error(name, _("Write five lines: the anchor of each rating, 1 to 5."))
            data[name] = lines
        return data

    @staticmethod
    def initial_for(criterion: Criterion) -> dict:
        return {
            "code": criterion.code,
            "name_zh": criterion.name_zh,
            "name_en": criterion.name_en,
            "weight": criterion.weight,
            "anchors_zh": "\n".join(criterion.anchors_zh),
            "anchors_en": "\n".join(criterion.anchors_en),
        }


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, max_num=20, absolute_max=20, validate_max=True)


class ThresholdsForm(forms.Form):
    threshold = NumberField(label=_("Screening threshold"), min_value=0, max_value=100, decimal_places=2)
    exit_threshold = NumberField(label=_("Exit threshold"), min_value=0, max_value=100, decimal_places=2)
