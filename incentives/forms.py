"""Forms of the program and agreement pages: they parse input; ``services`` checks the rules and writes.

The bracket table is a formset with a few empty rows (no script needed: an empty row is left
out, a cleared row is removed). The rates of an agreement are one field per tier. What the
form cleans goes to the service as it would come from the API, so both are checked alike.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PeriodField
from partners.models import Tier
from targets.models import Metric

from .models import Basis, Method, PeriodChoice, ProfitShareVersion, RebateProgramVersion
from .validation import plain

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"required": False, "widget": forms.TextInput(attrs={"inputmode": "decimal"})}


def _tier_choices() -> list[tuple[str, str]]:
    return list(Tier.objects.order_by("rank").values_list("code", "name"))


class _Identity(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=50, help_text=_("Letters, digits and hyphens; statements name it.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodChoice.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT, required=False, help_text=_("Empty: open."))


class ProgramForm(_Identity):
    """A program's code, name and rules, and the past period to preview them on."""

    basis = forms.ChoiceField(label=_("Basis"), choices=Basis.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None: every tier.")
    )
    categories = forms.CharField(
        label=_("Product categories"),
        required=False,
        help_text=_("Separate several with commas; empty: every category (sales basis only)."),
    )
    cap = forms.DecimalField(
        label=_("Cap"), help_text=_("The most one partner earns in a period; empty: none."), **NUMBER
    )
    accelerator_metric = forms.ChoiceField(
        label=_("Accelerator on"),
        required=False,
        choices=[("", _("No accelerator")), *Metric.choices],
        help_text=_("The target whose attainment multiplies the rebate."),
    )
    accelerator_min_attainment = forms.DecimalField(
        label=_("Attainment needed"), help_text=_("A ratio: 1.0 is the whole target, 1.2 is 120%."), **NUMBER
    )
    accelerator_multiplier = forms.DecimalField(label=_("Multiplier"), help_text=_("1.2 pays 20% more."), **NUMBER)
    preview_period = PeriodField(
        label=_("Past period"), max_length=16, required=False, help_text=_("Such as 2026-Q1, 2026-03 or 2026.")
    )

    IDENTITY = ("code", "name", "description")
    ACCELERATOR = ("accelerator_metric", "accelerator_min_attainment", "accelerator_multiplier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = _tier_choices()

    @classmethod
    def initial_for(cls, program, version: RebateProgramVersion) -> dict:
        accelerator = version.accelerator or {}
        return {
            "code": program.code,
            "name": program.name,
            "description": program.description,
            "basis": version.basis,
            "method": version.method,
            "period_kind": version.period_kind,
            "tiers": list(version.tiers),
            "categories": ", ".join(version.categories),
            "cap": version.cap,
            "accelerator_metric": accelerator.get("metric", ""),
            "accelerator_min_attainment": accelerator.get("min_attainment"),
            "accelerator_multiplier": accelerator.get("multiplier"),
            "starts_on": version.starts_on,
            "ends_on": version.ends_on,
        }

    def rules(self, brackets: list[dict]) -> dict:
        """The rules as the services take them (from ``cleaned_data`` and the bracket rows)."""
        data = self.cleaned_data
        accelerator = None
        if data.get("accelerator_metric"):
            accelerator = {
                "metric": data["accelerator_metric"],
                "min_attainment": data.get("accelerator_min_attainment"),
                "multiplier": data.get("accelerator_multiplier"),
            }
        pieces = [piece.strip() for piece in (data.get("categories") or "").replace("，", ",").split(",")]
        return {
            "basis": data["basis"],
            "method": data["method"],
            "period_kind": data["period_kind"],
            "brackets": brackets,
            "tiers": data.get("tiers") or [],
            "categories": [piece for piece in pieces if piece],
            "cap": data.get("cap"),
            "accelerator": accelerator,
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
        }

    def identity(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.IDENTITY}


class BracketForm(forms.Form):
    threshold = forms.DecimalField(label=_("From (basis)"), **NUMBER)
    rate_percent = forms.DecimalField(label=_("Rate (%)"), **NUMBER)


BracketFormSet = forms.formset_factory(BracketForm, extra=3, max_num=30, absolute_max=30, validate_max=True)


def bracket_rows(formset) -> list[dict]:
    """The rows a person filled in (a row with neither value is left out), in their order."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        threshold, rate = data.get("threshold"), data.get("rate_percent")
        if threshold is None and rate is None:
            continue
        rows.append({"threshold": threshold, "rate_percent": rate})
    return rows


def bracket_initial(version: RebateProgramVersion | None) -> list[dict]:
    if version is None:
        return [{"threshold": Decimal("0")}]
    return [
        {"threshold": Decimal(row["threshold"]), "rate_percent": Decimal(row["rate_percent"])}
        for row in version.brackets
    ]


class AgreementForm(_Identity):
    """An agreement's code, name and terms: a rate for each tier it covers (empty: not covered)."""

    loss_share_percent = forms.DecimalField(
        label=_("Loss share (%)"), help_text=_("The share of write-offs the partner bears; 0: none."), **NUMBER
    )

    IDENTITY = ("code", "name", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier_fields = []
        for code, name in _tier_choices():
            field_name = f"rate_{code}"
            self.fields[field_name] = forms.DecimalField(
                label=_("Profit share of %(tier)s (%%)") % {"tier": name}, **NUMBER
            )
            self.tier_fields.append((code, field_name))

    @classmethod
    def initial_for(cls, agreement, version: ProfitShareVersion) -> dict:
        return {
            "code": agreement.code,
            "name": agreement.name,
            "description": agreement.description,
            "period_kind": version.period_kind,
            "loss_share_percent": Decimal(plain(version.loss_share_percent)),
            "starts_on": version.starts_on,
            "ends_on": version.ends_on,
            **{f"rate_{row['tier']}": Decimal(row["rate_percent"]) for row in version.rates},
        }

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "period_kind": data["period_kind"],
            "rates": [
                {"tier": code, "rate_percent": data[name]}
                for code, name in self.tier_fields
                if data.get(name) is not None
            ],
            "loss_share_percent": data.get("loss_share_percent"),
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
        }

    def identity(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.IDENTITY}
