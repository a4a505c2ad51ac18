from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        max_length=300,
        strip=True,
        help_text=_(
            "Server Settings → Integrations → Webhooks → your webhook → Copy Webhook URL. "
            "It is a secret: anyone who has it can post in the channel."
        ),
        # A password field: the URL is the webhook's secret, and is never shown again.
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
