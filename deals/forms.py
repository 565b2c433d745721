"""Forms of the deal pages: they parse input; ``services.py`` decides and writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, MoneyField, TextField
from partners.forms import BLANK_LABEL
from partners.models import Partner

from .models import CUSTOMER_MAX_LENGTH, PRODUCT_MAX_LENGTH, PRODUCTS_MAX, PROTECTION_DAYS_RANGE, REASON_MAX_LENGTH
from .services import REGISTERING_STATUSES


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.code} {obj.name}"


class ProductsField(TextField):
    """Products as people type them: separated by commas (either kind) or new lines."""

    def clean(self, value):
        text = super().clean(value) or ""
        for separator in ("，", "、", "\n", ";", "；"):
            text = text.replace(separator, ",")
        names = [name.strip() for name in text.split(",") if name.strip()]
        if any(len(name) > PRODUCT_MAX_LENGTH for name in names):
            raise ValidationError(
                _("A product's name has at most %(limit)d characters.") % {"limit": PRODUCT_MAX_LENGTH}
            )
        if len(names) > PRODUCTS_MAX:
            raise ValidationError(_("Name at most %(limit)d products.") % {"limit": PRODUCTS_MAX})
        return names


class DealForm(forms.Form):
    """A deal: the customer (and its tax id), the value, when it should close, the products.

    A vendor member also names the partner; a partner-side member registers for its own partner.
    ``confirmed``: the member has seen the conflict warning and registers anyway.
    """

    partner = PartnerChoiceField(queryset=None, label=_("Partner"), empty_label=BLANK_LABEL)
    customer = TextField(
        label=_("Customer"),
        max_length=CUSTOMER_MAX_LENGTH,
        help_text=_("The customer's full legal name, as on its business licence."),
    )
    customer_tax_id = TextField(
        label=_("Customer's tax id"),
        required=False,
        max_length=64,
        help_text=_("Its unified social credit code, if known: the surest way to find the same customer."),
    )
    value = MoneyField(label=_("Value"), min_value=0)
    expected_close = DateField(label=_("Expected close"), widget=forms.DateInput(attrs={"type": "date"}))
    products = ProductsField(
        label=_("Products"), required=False, help_text=_("Separated by commas."), widget=forms.TextInput()
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, partners=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None or editing:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners.filter(status__in=REGISTERING_STATUSES).order_by("code")
        if editing:
            del self.fields["confirmed"]
        for name in ("customer", "customer_tax_id"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class ApproveForm(forms.Form):
    note = TextField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; kept in the deal's history."),
    )


class ReasonForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class WonForm(forms.Form):
    amount = MoneyField(label=_("Amount won"))


class DealSettingsForm(forms.Form):
    protection_days = forms.IntegerField(
        label=_("Protection days"),
        min_value=PROTECTION_DAYS_RANGE[0],
        max_value=PROTECTION_DAYS_RANGE[1],
        help_text=_("How long an approved deal is protected from other partners, counted from its approval "
                    "(1 to 3650). Deals approved before keep the protection they got."),
    )  # fmt: skip
