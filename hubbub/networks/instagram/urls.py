"""Instagram's connect flow (the shared OAuth 2 views) and the public media addresses
Instagram fetches files from (public_media.py; no sign-in: the signed token is the key)."""

from __future__ import annotations

from django.urls import path

from hubbub.networks.instagram import public_media
from hubbub.networks.oauth2_views import oauth_urls

app_name = "instagram"
urlpatterns = [
    *oauth_urls("instagram"),
    path("m/<str:token>/", public_media.serve, name="media"),
]
