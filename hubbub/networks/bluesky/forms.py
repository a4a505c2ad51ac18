from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.networks.bluesky.session import DEFAULT_PDS


class ConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"),
        max_length=253,
        help_text=_("As shown on the profile, e.g. alice.bsky.social or brand.com."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=200,
        strip=True,
        help_text=_(
            "An app password, not the account's main password. Create one in Bluesky under "
            "Settings → Privacy and security → App passwords; it looks like abcd-efgh-ijkl-mnop. "
            "You can revoke it there at any time without changing your password. Tick "
            '"Allow access to your direct messages" if the inbox should show them.'
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    pds_url = forms.CharField(
        label=_("PDS URL"),
        max_length=300,
        required=False,
        initial=DEFAULT_PDS,
        help_text=_(
            "The server that hosts the account. Keep https://bsky.social unless the account "
            "is on a self-hosted or other PDS."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
