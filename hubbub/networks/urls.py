"""The channels page, and each network's own connect flow under /w/<slug>/channels/<network>/."""

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

for _name in NETWORKS:
    # A network's urls.py declares its own routes relative to this prefix; its flows that
    # need a fixed address (OAuth callbacks) put the workspace in the state, not the path.
    if network_module(_name, "urls") is not None:
        urlpatterns.append(path("", include(f"hubbub.networks.{_name}.urls")))
