"""The channels page; `network_urls()` adds each network's own connect flow."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from hubbub.networks import views
from hubbub.networks.registry import NETWORKS, network_module

app_name = "networks"

urlpatterns: list[URLPattern | URLResolver] = [
    path("w/<slug:slug>/channels/", views.channel_list, name="list"),
    path("w/<slug:slug>/channels/<int:channel_id>/check/", views.channel_check, name="check"),
    path(
        "w/<slug:slug>/channels/<int:channel_id>/disconnect/",
        views.channel_disconnect,
        name="disconnect",
    ),
]


def network_urls() -> list[URLPattern | URLResolver]:
    """Each network's own connect flow, included at the top level so that its routes are
    named "<network>:<name>" (e.g. "mastodon:callback"). A network's flows that need a
    fixed address (OAuth callbacks) put the workspace in the state, not the path."""
    return [
        path("", include(f"hubbub.networks.{name}.urls"))
        for name in NETWORKS
        if network_module(name, "urls") is not None
    ]
