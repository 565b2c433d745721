"""Forms of the partner pages: they parse input; the services in ``services.py`` decide.

Fields come from the models (same labels, limits and choices), but these are plain forms,
not ModelForms: the services validate and save, and a foreign key's choices can only be
read inside a request, once the tenant is in scope.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.forms import DateField, TextField, model_form_field
from tenancy.models import Membership
from tenancy.roles import VENDOR_ROLES

from .models import REASON_MAX_LENGTH, Contact, Contract, Partner, PartnerStatus, Tier
from .validators import validate_unified_social_credit_code

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Django's own label for an empty choice; named here so that our catalogs carry its translation.
BLANK_LABEL = _("- Select an option -")


def model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field a model field would get in a ModelForm, reading through ``common.parsing``."""
    return model_form_field(model, name, **kwargs)


class TierChoiceField(forms.ModelChoiceField):
    """Tiers shown as “name (rank)”, best first."""

    def label_from_instance(self, obj: Tier) -> str:
        return f"{obj.name} ({obj.rank})"


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


def vendor_users():
    """Users who may manage a partner: the tenant's active vendor-side members."""
    members = Membership.objects.filter(role__in=sorted(VENDOR_ROLES), is_active=True)
    return get_user_model().objects.filter(pk__in=members.values("user_id")).order_by("email")


class PartnerForm(forms.Form):
    """A partner's profile, as a vendor enters it."""

    code = model_field(Partner, "code")
    name = model_field(Partner, "name")
    kind = model_field(Partner, "kind")
    status = model_field(Partner, "status")
    tier = TierChoiceField(queryset=None, label=capfirst(_("tier")), empty_label=BLANK_LABEL)
    region = model_field(Partner, "region")
    industries = model_field(Partner, "industries", help_text=_("Separate several with commas."))
    tags = model_field(Partner, "tags", help_text=_("Separate several with commas."))
    credit_limit = model_field(Partner, "credit_limit", help_text=_("Leave empty for no limit."))
    pilot_credit_limit = model_field(Partner, "pilot_credit_limit")
    pilot_ends_on = model_field(Partner, "pilot_ends_on", widget=DATE_INPUT)
    payment_terms_days = model_field(Partner, "payment_terms_days")
    # Checked here too, so that its message shows with the other fields' on the first try.
    tax_id = model_field(
        Partner, "tax_id", help_text=_("18 characters, optional."), validators=[validate_unified_social_credit_code]
    )
    manager = ManagerChoiceField(
        queryset=None, required=False, label=capfirst(_("channel manager")), empty_label=BLANK_LABEL
    )
    joined_on = model_field(Partner, "joined_on", widget=DATE_INPUT)
    internal_notes = model_field(
        Partner, "internal_notes", help_text=_("Seen by the vendor only, never by the partner.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.all()
        self.fields["manager"].queryset = vendor_users()
        self.fields["status"].initial = PartnerStatus.PROSPECT
        self.fields["internal_notes"].widget.attrs["rows"] = 3

    @classmethod
    def initial_for(cls, partner: Partner) -> dict:
        """The form's starting values for an existing partner."""
        fields = [name for name in PartnerForm.base_fields if name not in ("tier", "manager")]
        initial = {name: getattr(partner, name) for name in fields}
        initial["tier"] = partner.tier_id
        initial["manager"] = partner.manager_id
        return initial


class PartnerEditForm(PartnerForm):
    """The profile again; a change of tier or status takes effect today and needs a reason."""

    reason = TextField(
        label=_("Reason for a tier or status change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the partner's history."),
    )

    def clean(self):
        cleaned = super().clean()
        if {"tier", "status"} & set(self.changed_data) and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the tier or status changes: it is kept in the history."))
        return cleaned

    def changes(self) -> dict:
        """Only what the user changed, so the audit trail shows real edits."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}


class TierChangeForm(forms.Form):
    """Move a partner to another tier from a day (in the past, too: vendors load their history)."""

    tier = TierChoiceField(queryset=None, label=_("New tier"), empty_label=BLANK_LABEL)
    effective_on = DateField(label=capfirst(_("effective on")), widget=DATE_INPUT)
    reason = TextField(
        label=capfirst(_("reason")), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.all()


class StatusChangeForm(forms.Form):
    """Move a partner along its workflow; entering the pilot takes its credit limit and end date.

    The change takes effect today or on an earlier day after the last recorded change; administrators
    may also load history (``may_load_history``), back-dated between recorded changes.
    """

    status = forms.ChoiceField(label=_("New status"), choices=PartnerStatus.choices)
    reason = TextField(
        label=capfirst(_("reason")),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the partner's history; needed to suspend or terminate."),
    )
    pilot_credit_limit = model_field(Partner, "pilot_credit_limit", help_text=_("Needed to enter the pilot."))
    pilot_ends_on = model_field(
        Partner, "pilot_ends_on", widget=DATE_INPUT, help_text=_("Needed to enter the pilot; after today.")
    )
    effective_on = DateField(
        label=capfirst(_("effective on")), required=False, widget=DATE_INPUT, help_text=_("Today if left empty.")
    )
    loading_history = forms.BooleanField(
        label=_("Loading history"),
        required=False,
        help_text=_(
            "Record what happened before Qudao: the change may fall between recorded ones, and neither the "
            "workflow nor the checklist is checked."
        ),
    )

    def __init__(self, *args, may_load_history: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_load_history:
            del self.fields["loading_history"]


class ContactForm(forms.Form):
    """A person at the partner."""

    name = model_field(Contact, "name")
    title = model_field(Contact, "title")
    email = model_field(Contact, "email")
    phone = model_field(Contact, "phone")
    is_primary = model_field(Contact, "is_primary")


class ContractForm(forms.Form):
    """A signed contract; the file's type and size are checked by the service."""

    number = model_field(Contract, "number")
    starts_on = model_field(Contract, "starts_on", widget=DATE_INPUT)
    ends_on = model_field(Contract, "ends_on", widget=DATE_INPUT)
    terms = model_field(Contract, "terms", widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=capfirst(_("file")), required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        accepted = ", ".join(settings.CONTRACT_ALLOWED_EXTENSIONS)
        limit = settings.CONTRACT_MAX_UPLOAD_BYTES // 1048576
        self.fields["file"].help_text = _("Accepted: %(types)s; at most %(limit)s MB.") % {
            "types": accepted,
            "limit": limit,
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in settings.CONTRACT_ALLOWED_EXTENSIONS)


class TierForm(forms.Form):
    """A tier (等级): rank 1 is the best; a partner scoring ``min_score`` or more qualifies."""

    code = model_field(Tier, "code")
    name = model_field(Tier, "name")
    rank = model_field(Tier, "rank")
    min_score = model_field(Tier, "min_score")
    benefits = model_field(Tier, "benefits", widget=forms.Textarea(attrs={"rows": 4}))

    @staticmethod
    def initial_for(tier: Tier) -> dict:
        return {name: getattr(tier, name) for name in TierForm.base_fields}
