from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

INSTANCE_HELP = _(
    "The part after the last @ of your Mastodon address: for @brand@mastodon.social, enter "
    "mastodon.social. Pasting your whole address works too."
)


class SignInForm(forms.Form):
    instance_url = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=300,
        help_text=INSTANCE_HELP,
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "autocomplete": "url"}),
    )


class TokenForm(forms.Form):
    instance_url = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=300,
        help_text=INSTANCE_HELP,
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "autocomplete": "url"}),
    )
    access_token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        help_text=_("“Your access token”, shown on your application's page on the server."),
        # Not echoed back on an error page, and kept out of the browser's form history.
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
