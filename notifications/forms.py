"""The forms of the notification pages: the preferences grid and a webhook (its secret never shown)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import TextField

from . import events
from .models import WEBHOOK_URL_MAX_LENGTH, Webhook, WebhookKind


class PreferencesForm(forms.Form):
    """A checkbox per event and channel: ``<event>-in_app`` and ``<event>-email``."""

    CHANNELS = {"in_app": _("%(event)s: in the app"), "email": _("%(event)s: by e-mail")}

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        for choice in grid:
            for channel, label in self.CHANNELS.items():
                self.fields[f"{choice.code}-{channel}"] = forms.BooleanField(
                    required=False, initial=getattr(choice, channel), label=label % {"event": choice.label}
                )

    def rows(self):
        """``(choice, in-app field, e-mail field)`` per event, for the grid's table."""
        return [(choice, self[f"{choice.code}-in_app"], self[f"{choice.code}-email"]) for choice in self.grid]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {choice.code: (data[f"{choice.code}-in_app"], data[f"{choice.code}-email"]) for choice in self.grid}


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WebhookKind.choices, initial=WebhookKind.GENERIC)
    name = TextField(label=_("Name"), max_length=100)
    url = TextField(
        label=_("Address (URL)"),
        max_length=WEBHOOK_URL_MAX_LENGTH,
        help_text=_("DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…; "
                    "WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    )  # fmt: skip
    secret = TextField(
        label=_("Secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Generic: signs each message (at least 16 characters). DingTalk: the robot's signing secret "
                    "(SEC…), if it signs. WeCom: not needed."),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=events.subscribable_choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=pgettext_lazy("webhook", "Active"), required=False, initial=True)

    def __init__(self, *args, webhook: Webhook | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if webhook is not None and webhook.secret:
            self.fields["secret"].help_text = _("A secret is saved; leave this empty to keep it.")

    @staticmethod
    def initial_for(webhook: Webhook) -> dict:
        return {"kind": webhook.kind, "name": webhook.name, "url": webhook.url, "events": webhook.events,
                "is_active": webhook.is_active}  # fmt: skip


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button says it all (delete, send a test)."""
