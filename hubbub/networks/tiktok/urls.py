"""TikTok's connect flow: the shared OAuth 2 callback and choice pages, TikTok's own connect
page (which lists the accounts' posting settings) and each account's settings page."""

from __future__ import annotations

from django.urls import path

from hubbub.networks.oauth2_views import oauth_urls
from hubbub.networks.tiktok import views

app_name = "tiktok"
urlpatterns = [
    path("w/<slug:slug>/channels/tiktok/connect/", views.connect, name="connect"),
    *(p for p in oauth_urls("tiktok") if p.name != "connect"),
    path(
        "w/<slug:slug>/channels/tiktok/<int:channel_id>/settings/",
        views.settings,
        name="options",
    ),
]
