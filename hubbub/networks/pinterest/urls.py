"""Pinterest's connect flow: the shared OAuth 2 pages (hubbub.networks.oauth2_views), with
the board selection page (one channel per board)."""

from __future__ import annotations

from hubbub.networks.oauth2_views import oauth_urls

app_name = "pinterest"
urlpatterns = oauth_urls("pinterest")
