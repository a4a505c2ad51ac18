"""The forms of the links page: they read and render fields; the rules (known placeholders,
a public service address, a token when a shortener is chosen) are
hubbub.curation.links_actions', whose refusals are put back on the field they name."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.curation.links_actions import ShortenerInput, UtmInput
from hubbub.curation.models import ShortenerProvider, UtmTemplate

PLACEHOLDER_HELP = _("May hold {network}, {channel}, {campaign} and {post}.")


class UtmForm(forms.Form):
    utm_source = forms.CharField(
        label="utm_source", max_length=200, required=False, help_text=PLACEHOLDER_HELP
    )
    utm_medium = forms.CharField(label="utm_medium", max_length=200, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=200, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=200, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=200, required=False)
    domains = forms.CharField(
        label=_("Only for these sites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "One site a line (example.com also covers shop.example.com). Empty: every link."
        ),
    )
    is_active = forms.BooleanField(label=_("Tag links"), required=False)

    @classmethod
    def of(cls, template: UtmTemplate | None, prefix: str | None = None) -> UtmForm:
        if template is None:
            return cls(initial=asdict(UtmInput()), prefix=prefix)
        names = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
        initial = {name: getattr(template, name) for name in names}
        initial.update(domains=template.domains, is_active=template.is_active)
        return cls(initial=initial, prefix=prefix)

    def data_in(self) -> UtmInput:
        return UtmInput(**self.cleaned_data)


class ShortenerForm(forms.Form):
    shortener = forms.ChoiceField(
        label=_("Shortener"), choices=ShortenerProvider.choices, required=False
    )
    api_url = forms.CharField(
        label=_("Service address"),
        max_length=500,
        required=False,
        help_text=_(
            "YOURLS: your site (https://sho.rt). Kutt: leave empty for kutt.to, or your own. "
            "Bitly: leave empty."
        ),
    )
    domain = forms.CharField(
        label=_("Short domain"),
        max_length=200,
        required=False,
        help_text=_("Bitly and Kutt: a branded domain of your account; empty for the default."),
    )
    # Write-only: never rendered back (render_value=False); empty keeps the stored token.
    token = forms.CharField(
        label=_("API token"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    remove_token = forms.BooleanField(label=_("Remove the saved token"), required=False)

    def data_in(self) -> ShortenerInput:
        data = self.cleaned_data
        token: str | None = data["token"] or None
        if data["remove_token"]:
            token = ""
        return ShortenerInput(data["shortener"], data["api_url"], data["domain"], token)
