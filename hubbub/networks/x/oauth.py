"""Signing in with X: OAuth 2.0 Authorization Code Flow with PKCE (docs.x.com, Fundamentals >
Authentication > OAuth 2.0 > Authorization Code Flow with PKCE).

Hubbub is a confidential client ("Web App, Automated App or Bot" in the app's "User
authentication settings"): it has a client secret, which X wants in an HTTP Basic
Authorization header on the token endpoint, not in the body. PKCE is required by X even for
confidential clients.

Scopes, each for one thing Hubbub does:
- tweet.read: read posts: the account's own (to find a post whose sending timed out, and
  to read metrics), replies and mentions;
- tweet.write: publish and delete posts, replies and threads;
- users.read: read the account itself (GET /2/users/me when connecting) and the authors of
  replies and mentions; X requires it alongside tweet.read for most reads;
- offline.access: a refresh token. Without it the access token dies after two hours and a
  person would have to sign in again; with it Hubbub renews the token itself (each refresh
  returns a new refresh token and retires the old one);
- media.write: upload images and videos (POST /2/media/upload and its chunked variant);
- like.write: like a mention or reply from the inbox (POST /2/users/:id/likes);
- tweet.moderate.write: hide (and show again) replies under the account's posts from the
  inbox (PUT /2/tweets/:id/hidden);
- dm.read, dm.write: read the account's direct messages into the inbox and answer them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "media.write",
    "like.write",
    "tweet.moderate.write",
    "dm.read",
    "dm.write",
)

PROVIDER = oauth2.Provider(
    network="x",
    label="X",
    app="X",
    authorize_url=AUTHORIZE_URL,
    token_url=TOKEN_URL,
    scopes=SCOPES,
    pkce=True,
    basic_auth=True,  # confidential client: client id and secret in Authorization: Basic
    docs="docs/networks/x.md",
    help=gettext_lazy(
        "X asks you to let Hubbub read and write posts and direct messages, read your "
        "profile, upload media, like posts, hide replies to your posts and stay connected. "
        "Sign in as the account the channel posts as: every X account is its own channel."
    ),
)
