from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.webhooks.models import EVENTS


class EndpointForm(forms.Form):
    # A CharField, not a URLField: the action's check says precisely what is wrong.
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/hubbub"}),
        help_text=_("Hubbub POSTs signed JSON here. It must be a public https:// address."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives these events, e.g. 'Slack relay' or 'CRM'."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, f"{name} — {label}") for name, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(EVENTS),
    )


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Switched off, it receives nothing. Switching it on resets its failures."),
    )
