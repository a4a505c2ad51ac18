"""Mastodon's connect pages. The callback has a fixed address (it is registered on every
server); which workspace it is for travels in the OAuth state, never in the path."""

from __future__ import annotations

from django.urls import path

from hubbub.networks.mastodon import views

app_name = "mastodon"

urlpatterns = [
    path("w/<slug:slug>/channels/mastodon/connect/", views.connect, name="connect"),
    path("channels/mastodon/callback/", views.callback, name="callback"),
]
