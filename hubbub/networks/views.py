from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import check_channel, disconnect, expiry_warning
from hubbub.networks.base import Capability
from hubbub.networks.models import Channel, Health
from hubbub.networks.registry import all_networks
from hubbub.web.decorators import workspace_view

# What a network can do, in words: the capability codes are for code, not for people.
CAPABILITY_LABELS = {
    Capability.PUBLISH_TEXT: gettext_lazy("text posts"),
    Capability.PUBLISH_IMAGE: gettext_lazy("images"),
    Capability.PUBLISH_VIDEO: gettext_lazy("videos"),
    Capability.PUBLISH_THREAD: gettext_lazy("threads"),
    Capability.FIRST_COMMENT: gettext_lazy("first comment"),
    Capability.DELETE: gettext_lazy("deleting posts"),
    Capability.READ_COMMENTS: gettext_lazy("comments"),
    Capability.MENTIONS: gettext_lazy("mentions"),
    Capability.DIRECT_MESSAGES: gettext_lazy("direct messages"),
    Capability.REPLY: gettext_lazy("replies"),
    Capability.METRICS: gettext_lazy("metrics"),
    Capability.SEARCH: gettext_lazy("search"),
}


def _connect_url(network: str, slug: str) -> str | None:
    try:
        return reverse(f"{network}:connect", args=[slug])
    except NoReverseMatch:
        return None


# A network's per-channel pages, linked from the channel's row where the network has them.
CHANNEL_PAGES = (
    ("options", gettext_lazy("Settings")),
    ("subscribers", gettext_lazy("Subscribers")),
)


def _channel_pages(channel: Channel, slug: str) -> list[tuple[str, str]]:
    links = []
    for name, label in CHANNEL_PAGES:
        try:
            links.append(
                (reverse(f"{channel.network}:{name}", args=[slug, channel.pk]), str(label))
            )
        except NoReverseMatch:
            continue
    return links


@workspace_view("channels.view")
def channel_list(request: HttpRequest, access: Access) -> HttpResponse:
    slug = access.workspace.slug
    channels = Channel.objects.connected().filter(workspace=access.workspace)
    rows = [
        {
            "channel": c,
            "warning": expiry_warning(c),
            "reconnect_url": _connect_url(c.network, slug),
            "pages": _channel_pages(c, slug),
        }
        for c in channels
    ]
    networks = [
        {
            "name": cls.name,
            "label": cls.label,
            "url": _connect_url(cls.name, slug),
            "capabilities": [CAPABILITY_LABELS.get(c, c) for c in sorted(cls.capabilities)],
            # An OAuth network needs the operator's app first; its page says what to set.
            "ready": cls.oauth is None or cls.oauth.configured(),
        }
        for cls in all_networks()
    ]
    return render(
        request,
        "networks/channel_list.html",
        {
            "rows": rows,
            "networks": networks,
            "Health": Health,
        },
    )


def _channel(access: Access, channel_id: int) -> Channel:
    return get_object_or_404(Channel.objects.connected(), pk=channel_id, workspace=access.workspace)


@require_POST
@workspace_view("channels.view")
def channel_check(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    channel = check_channel(_channel(access, channel_id))
    if channel.health == Health.OK:
        messages.success(request, _("%(handle)s is healthy.") % {"handle": channel.handle})
    else:
        messages.error(
            request,
            _("%(handle)s: %(health)s")
            % {"handle": channel.handle, "health": channel.health_message},
        )
    return redirect("networks:list", slug=access.workspace.slug)


@require_POST
@workspace_view("channels.disconnect")
def channel_disconnect(request: HttpRequest, access: Access, channel_id: int) -> HttpResponse:
    channel = _channel(access, channel_id)
    try:
        disconnect(access, channel)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(handle)s disconnected.") % {"handle": channel.handle})
    return redirect("networks:list", slug=access.workspace.slug)
