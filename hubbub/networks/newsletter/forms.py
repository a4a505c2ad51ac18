from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

SECURITY_CHOICES = [
    ("starttls", _("STARTTLS (usually port 587)")),
    ("tls", _("TLS from the start (usually port 465)")),
    ("none", _("None: only for a server on this machine")),
]


class ConnectForm(forms.Form):
    host = forms.CharField(
        label=_("SMTP server"),
        max_length=253,
        help_text=_("Your provider's SMTP server name, like smtp.example.com."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=587)
    security = forms.ChoiceField(label=_("Security"), choices=SECURITY_CHOICES, initial="starttls")
    username = forms.CharField(label=_("User name"), max_length=254, required=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        required=False,
        strip=False,
        help_text=_("Stored encrypted. Many providers give an SMTP password or API key for this."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    from_name = forms.CharField(label=_("From name"), max_length=200, required=False)
    from_address = forms.EmailField(
        label=_("From address"),
        help_text=_("An address of a domain your provider lets you send from (SPF, DKIM)."),
    )
    reply_to = forms.EmailField(
        label=_("Reply-To address"),
        required=False,
        help_text=_("Where subscribers' replies go, if not to the From address."),
    )
    list_name = forms.CharField(label=_("List name"), max_length=200)
    postal_address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        help_text=_(
            "Shown at the bottom of every newsletter: anti-spam laws such as CAN-SPAM require "
            "the sender's physical postal address."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AddSubscriberForm(forms.Form):
    email = forms.CharField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns email and name (a header row is optional); UTF-8."),
    )
