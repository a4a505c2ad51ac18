"""Threads' connect flow: the shared OAuth 2 pages (hubbub.networks.oauth2_views). The files
Threads fetches are served from the public media addresses of hubbub.networks.instagram."""

from __future__ import annotations

from hubbub.networks.oauth2_views import oauth_urls

app_name = "threads"
urlpatterns = oauth_urls("threads")
