from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    homeserver = forms.CharField(
        label=_("Homeserver"),
        max_length=300,
        help_text=_(
            "The server name in the account's user id (example.org for @hubbub:example.org), "
            "or the homeserver's address, like https://matrix.example.org."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    room = forms.CharField(
        label=_("Room"),
        max_length=300,
        help_text=_(
            "The room's address, like #announcements:example.org, or its id, like "
            "!AbCdEf:example.org. The account must be invited to it unless it is public."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        required=False,
        strip=True,
        help_text=_(
            "The account's access token (in Element: Settings → Help & About → Access "
            "token). Or leave it empty and give the username and password below."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=255,
        required=False,
        help_text=_("The account's username or user id, like hubbub or @hubbub:example.org."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        required=False,
        strip=False,
        help_text=_(
            'Used once to sign in as a new device named "Hubbub"; Hubbub keeps the access '
            "token it gets, never the password."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
