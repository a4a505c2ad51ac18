"""The alert destination form: one form for the three kinds; the fields of the other kinds
are ignored. What a value must look like is checked by hubbub.notify.actions, which says
precisely what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.notify.models import EVENTS, DestinationKind

_NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}


class DestinationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DestinationKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("How Hubbub shows it, e.g. “#support on Slack”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Alerts"),
        choices=[(name, label) for name, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=["inbox.breach_warning", "inbox.breached"],
    )
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_NO_AUTOFILL}),
        help_text=_("For e-mail: one or more addresses, separated by commas or new lines."),
    )
    webhook_url = forms.CharField(
        label=_("Slack webhook URL"),
        required=False,
        max_length=300,
        strip=True,
        # A password field: the URL is the webhook's secret, and is never shown again.
        widget=forms.PasswordInput(attrs=_NO_AUTOFILL),
        help_text=_(
            "For Slack: your Slack app → Incoming Webhooks → the webhook's URL, "
            "https://hooks.slack.com/services/…. Anyone who has it can post in the channel."
        ),
    )
    homeserver = forms.CharField(
        label=_("Matrix homeserver"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"inputmode": "url", **_NO_AUTOFILL}),
        help_text=_("For Matrix: the homeserver's address, like https://matrix.example.org."),
    )
    room_id = forms.CharField(
        label=_("Matrix room id"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_NO_AUTOFILL),
        help_text=_(
            "For Matrix: the room's internal id, like !AbCdEf:example.org (Element: Room "
            "settings → Advanced). Invite the account that posts to the room."
        ),
    )
    access_token = forms.CharField(
        label=_("Matrix access token"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(attrs=_NO_AUTOFILL),
        help_text=_(
            "For Matrix: the posting account's access token (Element: Settings → Help & "
            "About). Use an account made for Hubbub."
        ),
    )

    def config(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name, "")
            for name in ("addresses", "webhook_url", "homeserver", "room_id", "access_token")
        }


class DestinationEditForm(DestinationForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Switched off, it receives nothing."),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]  # a destination keeps its kind: make a new one instead
        keep = {
            DestinationKind.EMAIL: {"addresses"},
            DestinationKind.SLACK: {"webhook_url"},
            DestinationKind.MATRIX: {"homeserver", "room_id", "access_token"},
        }[DestinationKind(kind)]
        for name in {"addresses", "webhook_url", "homeserver", "room_id", "access_token"} - keep:
            del self.fields[name]
        secret_help = _("Leave empty to keep the one saved.")
        for name in ("webhook_url", "access_token"):
            if name in self.fields:
                self.fields[name].help_text = secret_help
