"""Signing in with Pinterest (shared flow: hubbub.networks.oauth2).

"Set up authentication and authorization": the person authorizes at
www.pinterest.com/oauth/ (scopes comma-separated), and the code is exchanged at
api.pinterest.com/v5/oauth/token with the app id and secret in HTTP Basic auth. Pinterest
documents no PKCE for this flow; Hubbub is a confidential client that holds the secret.

The answer holds an access token (30 days, expires_in) and a refresh token
(refresh_token_expires_in: a year; with continuous refresh, which Pinterest makes the
default, every refresh answers a new refresh token too). Refreshing is
grant_type=refresh_token at the same endpoint (oauth2.refresh_channel).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2

NETWORK = "Pinterest"
API = "https://api.pinterest.com/v5"

# Each scope and why Hubbub asks for it ("Scopes"):
SCOPES = (
    "boards:read",  # list the boards to choose from, and a board's Pins (lookups)
    "pins:read",  # read a Pin and its analytics
    "pins:write",  # create and delete Pins
    "user_accounts:read",  # the account's username and picture
)

PROVIDER = oauth2.Provider(
    network="pinterest",
    label=NETWORK,
    app="PINTEREST",
    authorize_url="https://www.pinterest.com/oauth/",
    token_url=f"{API}/oauth/token",
    scopes=SCOPES,
    scope_separator=",",
    pkce=False,
    basic_auth=True,
    docs="docs/networks/pinterest.md",
    help=gettext_lazy(
        "You sign in with the Pinterest account that owns the boards, and allow Hubbub to read "
        "your boards and to create Pins. You then tick the boards to connect: each board "
        "becomes a channel."
    ),
)
