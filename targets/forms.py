"""Forms of the target and goal pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MoneyField, PeriodField, TextField
from partners.models import Partner, Tier

from .models import CompanyGoal, Metric, Target

PERIOD_HELP = _("A month (2026-03), a quarter (2026-Q1) or a year (2026).")


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.code} · {obj.name}"


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CompanyGoal) -> str:
        return f"{obj.name} · {obj.get_metric_display()} · {obj.period}"


class TargetForm(forms.Form):
    """A partner target. ``confirmed`` carries what the person saw the SMART warnings for."""

    partner = PartnerChoiceField(queryset=None, label=_("Partner"))
    metric = forms.ChoiceField(choices=Metric.choices, label=_("Metric"))
    period = PeriodField(max_length=16, label=_("Period"), help_text=PERIOD_HELP)
    value = MoneyField(label=_("Value"), min_value=Decimal("0.01"))
    goal = GoalChoiceField(
        queryset=None, required=False, label=_("Company goal"), help_text=_("The goal this target is a share of.")
    )
    confirmed = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.none()
        self.fields["goal"].queryset = CompanyGoal.objects.order_by("-starts_on", "metric")

    @classmethod
    def initial_for(cls, target: Target) -> dict:
        fields = ("partner", "metric", "period", "value", "goal")
        return {name: getattr(target, f"{name}_id" if name in ("partner", "goal") else name) for name in fields}

    def fingerprint(self) -> str:
        """What a confirmation of the SMART warnings is about: the same partner, metric, period and value."""
        data = self.cleaned_data
        return f"{data['partner'].pk}|{data['metric']}|{data['period']}|{data['value']}"

    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirmed") == self.fingerprint()


class GoalForm(forms.Form):
    name = TextField(max_length=200, label=_("Name"))
    metric = forms.ChoiceField(choices=Metric.choices, label=_("Metric"))
    period = PeriodField(max_length=16, label=_("Period"), help_text=PERIOD_HELP)
    value = MoneyField(label=_("Value"), min_value=Decimal("0.01"))
    notes = TextField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes"))

    @classmethod
    def initial_for(cls, goal: CompanyGoal) -> dict:
        return {name: getattr(goal, name) for name in cls.base_fields}


class TierWeightsForm(forms.Form):
    """A weight per tier for the ``tier_weights`` proposal (default: the best tier weighs most)."""

    def __init__(self, *args, tiers: list[Tier], defaults: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        for tier in tiers:
            self.fields[f"weight_{tier.code}"] = forms.DecimalField(
                label=tier.name, min_value=Decimal("0"), max_digits=8, decimal_places=2, initial=defaults.get(tier.code)
            )
        self.tiers = tiers

    def weights(self) -> dict[str, Decimal]:
        return {tier.code: self.cleaned_data[f"weight_{tier.code}"] for tier in self.tiers}


class AllocationForm(forms.Form):
    """A value per partner for a goal's split; empty or 0 means no target from this goal."""

    def __init__(self, *args, partners: list[Partner], **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = partners
        for partner in partners:
            self.fields[f"partner_{partner.pk}"] = MoneyField(
                label=partner.code, required=False, min_value=Decimal("0")
            )

    def allocations(self) -> dict[Partner, Decimal]:
        return {
            partner: self.cleaned_data.get(f"partner_{partner.pk}") or Decimal("0")
            for partner in self.partners
            if f"partner_{partner.pk}" in self.data
        }
