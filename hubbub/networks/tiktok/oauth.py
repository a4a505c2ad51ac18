"""TikTok's OAuth 2 (Login Kit for Web, https://developers.tiktok.com/doc/login-kit-web).

- The app's id is the "client key": `client_key` in the authorize query and in the token
  form (client_id_param), with client_secret in the form too (no Basic auth).
- Scopes are comma-separated ("scope: A comma (,) separated string of authorization scope(s)").
- PKCE is not sent: the token endpoint documents code_verifier as "Required for mobile and
  desktop app only" (Manage User Access Tokens, /v2/oauth/token/), and TikTok's desktop
  flow computes code_challenge as a hex SHA-256, not RFC 7636's base64url, so the shared
  S256 challenge would not even be what TikTok expects. A web app is a confidential client:
  the client secret and the `state` (checked by the shared views) protect the exchange.
- The token answer carries open_id (the account, kept in Token.extra), expires_in (access
  token: 24 hours) and refresh_expires_in (refresh token: 365 days). A refresh returns a
  new refresh token, which replaces the old one (oauth2.refresh_channel keeps what comes).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2

# https://developers.tiktok.com/doc/scopes-overview
#   user.info.basic  open_id, avatar and display name (GET /v2/user/info/): names the channel
#   video.publish    Direct Post: creator_info/query, video/init, content/init, status/fetch
#   video.list       the account's videos (POST /v2/video/query/): the posts' counts (metrics)
# Not asked: video.upload, which sends drafts to the creator's TikTok inbox to finish in the
# app (the "Upload" flow). Hubbub posts directly; TikTok's review asks what each scope is
# used for, and an unused scope is a reason to refuse the app.
SCOPES = ("user.info.basic", "video.publish", "video.list")

PROVIDER = oauth2.Provider(
    network="tiktok",
    label="TikTok",
    app="TIKTOK",
    authorize_url="https://www.tiktok.com/v2/auth/authorize/",
    token_url="https://open.tiktokapis.com/v2/oauth/token/",
    scopes=SCOPES,
    scope_separator=",",
    pkce=False,
    client_id_param="client_key",
    docs="docs/networks/tiktok.md",
    help=gettext_lazy(
        "Sign in with the TikTok account to post to, and allow every permission TikTok "
        "lists. Hubbub posts videos and photos to the account and reads their counts. "
        "Once it is connected, come back to this page to choose who may see the account's "
        "posts and what viewers may do with them: TikTok asks the account holder to "
        "choose these, and Hubbub posts nothing before."
    ),
)
