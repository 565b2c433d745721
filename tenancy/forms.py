"""Forms of the tenancy pages; ``services.member_add`` decides who may add whom."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.forms import TextField
from partners.forms import BLANK_LABEL

from .access import visible_partners
from .models import Membership
from .roles import PARTNER_ROLES, Role


class MemberForm(forms.Form):
    """A new member: a user (new, or already known by e-mail) with one role in this tenant.

    A partner administrator picks only partner roles, and its users belong to its own partner.
    """

    email = forms.EmailField(label=capfirst(_("e-mail")))
    full_name = TextField(label=capfirst(_("name")), max_length=150, required=False)
    role = forms.ChoiceField(label=capfirst(_("role")), choices=Role.choices)
    partner = forms.ModelChoiceField(
        label=capfirst(_("partner")),
        queryset=None,
        required=False,
        empty_label=BLANK_LABEL,
        help_text=_("Only for partner roles."),
    )
    password = TextField(
        label=_("Password"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Needed only for a user who has no account yet."),
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor.is_partner_side:
            self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in PARTNER_ROLES]
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = visible_partners(actor).order_by("code")
