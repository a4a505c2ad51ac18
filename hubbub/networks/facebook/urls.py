"""Facebook's connect flow: the shared OAuth 2 views (hubbub.networks.oauth2_views)."""

from __future__ import annotations

from hubbub.networks.oauth2_views import oauth_urls

app_name = "facebook"
urlpatterns = oauth_urls("facebook")
