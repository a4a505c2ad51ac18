"""The forms of listening's pages: they read and render fields; the rules (a query that
parses, a channel that can search, a feed address that is public) are hubbub.listening.actions',
whose refusals are put back on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hubbub.core.models import Workspace
from hubbub.listening.models import GroupKind, QueryGroup, SourceKind, ToInbox
from hubbub.listening.sources import MIN_INTERVAL
from hubbub.networks.base import Capability
from hubbub.networks.models import Channel
from hubbub.networks.registry import UnknownNetwork, connector_class


class QueryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=QueryGroup.objects.none(),
        required=False,
        empty_label=_("No group"),
    )
    text = forms.CharField(
        label=_("Query"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_('For example: acme AND (delivery OR livraison) NOT "gift card"'),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    alerts_enabled = forms.BooleanField(
        label=_("Spike and crisis alerts"), required=False, initial=True
    )
    to_inbox = forms.ChoiceField(
        label=_("Bring into the inbox"),
        choices=ToInbox.choices,
        required=False,
        help_text=_(
            "As they arrive, on the channel whose search found them (feed items stay here)."
        ),
    )
    to_inbox_min_reach = forms.IntegerField(
        label=_("Only from authors with at least this many followers"),
        min_value=0,
        required=False,
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group: Any = self.fields["group"]
        group.queryset = QueryGroup.objects.filter(workspace=workspace)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("What for"), choices=GroupKind.choices)


def searchable_channels(workspace: Workspace) -> list[Channel]:
    """The workspace's connected channels whose network Hubbub can search."""
    found = []
    for channel in Channel.objects.filter(workspace=workspace, disconnected_at__isnull=True):
        try:
            cls = connector_class(channel.network)
        except UnknownNetwork:
            continue
        if Capability.SEARCH in cls.capabilities:
            found.append(channel)
    return found


class SourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=SourceKind.choices, widget=forms.RadioSelect, initial="search"
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Left empty, the search terms or the feed address."),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel that searches"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=_("Choose a channel"),
    )
    terms = forms.CharField(
        label=_("Search terms"),
        max_length=500,
        required=False,
        help_text=_("What the network's search is sent: words or a #hashtag."),
    )
    url = forms.CharField(
        label=_("Feed address"),
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    interval = forms.IntegerField(
        label=_("Read every (seconds)"), min_value=MIN_INTERVAL, initial=300
    )
    backfill_days = forms.IntegerField(
        label=_("Backfill (days)"), min_value=0, max_value=30, initial=7
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel: Any = self.fields["channel"]
        allowed = [c.pk for c in searchable_channels(workspace)]
        channel.queryset = Channel.objects.filter(pk__in=allowed).order_by("network", "handle")
