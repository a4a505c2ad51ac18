"""YouTube's connect flow: the shared OAuth 2 pages (hubbub.networks.oauth2_views)."""

from __future__ import annotations

from hubbub.networks.oauth2_views import oauth_urls

app_name = "youtube"
urlpatterns = oauth_urls("youtube")
