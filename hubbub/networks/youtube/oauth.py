"""YouTube's OAuth 2: Google's authorization server, with Hubbub's one Google Cloud project
(YouTube Data API v3 enabled, OAuth consent screen configured).

https://developers.google.com/identity/protocols/oauth2/web-server
- access_type=offline: the answer carries a refresh token, so that Hubbub can publish while
  nobody is signed in; access tokens last an hour and are refreshed before they end.
- prompt=consent: Google gives a refresh token only on consent; asking again makes sure a
  reconnect gets one even when the person had allowed Hubbub before.
- include_granted_scopes=true: incremental authorization, as Google recommends.
- PKCE (S256) is supported and sent.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2

# https://developers.google.com/youtube/v3/guides/auth/server-side-web-apps#identify-access-scopes
#   youtube.upload     upload videos (videos.insert)
#   youtube.force-ssl  delete videos (videos.delete), read comments (commentThreads.list),
#                      answer them (comments.insert) and hide or remove them
#                      (comments.setModerationStatus); the narrowest scope those accept
#   youtube.readonly   read the channel (channels.list mine=true) and video statistics
#                      (videos.list): named on its own so the consent screen says Hubbub
#                      reads, even though force-ssl would cover it
SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube.readonly",
)

PROVIDER = oauth2.Provider(
    network="youtube",
    label="YouTube",
    app="GOOGLE",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    scopes=SCOPES,
    pkce=True,
    extra_authorize=(
        ("access_type", "offline"),
        ("prompt", "consent"),
        ("include_granted_scopes", "true"),
    ),
    docs="docs/networks/youtube.md",
    help=gettext_lazy(
        "Sign in with the Google account that owns or manages the YouTube channel (for a "
        "brand channel, pick it when Google asks which account or channel to use). Hubbub "
        "uploads videos, deletes them, and reads their comments and statistics."
    ),
)
