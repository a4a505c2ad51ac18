from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    bot_token = forms.CharField(
        label=_("Bot token"),
        max_length=120,
        strip=True,
        help_text=_(
            "The token @BotFather gave when you created the bot, like 123456789:AAE…; "
            "send /token to @BotFather to see it again."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    channel = forms.CharField(
        label=_("Channel"),
        max_length=200,
        help_text=_(
            "The channel's @username (as in t.me/username) or, for a private channel, its "
            "numeric id, which starts with -100."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
