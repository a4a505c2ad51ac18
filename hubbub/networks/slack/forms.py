from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        max_length=300,
        strip=True,
        help_text=_(
            "Your Slack app → Incoming Webhooks → the webhook's URL, "
            "https://hooks.slack.com/services/…. It is a secret: anyone who has it can post "
            "in the channel."
        ),
        # A password field: the URL is the webhook's secret, and is never shown again.
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    label = forms.CharField(
        label=_("Channel name"),
        max_length=80,
        required=False,
        help_text=_(
            "How Hubbub shows this channel, e.g. #announcements: the webhook's URL does not "
            "say which channel it posts to."
        ),
    )
    send_test_message = forms.BooleanField(
        label=_("Send a test message now"),
        required=False,
        help_text=_(
            "Posts “Hubbub is connected.” in the channel to prove the webhook works. "
            "Otherwise the first post proves it."
        ),
    )
