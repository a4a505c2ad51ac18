"""Signing in with Threads (shared flow: hubbub.networks.oauth2), and keeping the token alive.

"Get Access Tokens": the Authorization Window is threads.com/oauth/authorize (Meta's current
address; threads.net redirects there) and the code is exchanged at
graph.threads.net/oauth/access_token with the Threads app id and secret in the form body
(no PKCE: Hubbub is a confidential web client that holds the secret). The answer is a
short-lived token (one hour) and the user id.

"Long-Lived Tokens": it is exchanged at once (GET /access_token, grant_type=th_exchange_token)
for a long-lived token, valid 60 days. A long-lived token "can be refreshed as long as [it
is] at least 24 hours old but [has] not expired" (GET /refresh_access_token,
grant_type=th_refresh_token); the refreshed token is valid 60 days from then. There is no
refresh token: the access token refreshes itself, and one left unrefreshed for 60 days is
gone for good. See ThreadsConnector.refresh_if_due for when Hubbub refreshes.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hubbub.core import http
from hubbub.networks import oauth2
from hubbub.networks.base import network_request
from hubbub.networks.threads import client

NETWORK = "Threads"

# Each scope and why Hubbub asks for it ("Permissions"; every one needs App Review before
# people without a role on the app can grant it):
SCOPES = (
    "threads_basic",  # the profile (id, username, picture) and the profile's posts (lookups)
    "threads_content_publish",  # create containers and publish them
    "threads_manage_replies",  # replies: thread parts, first comment, answers; hiding
    "threads_read_replies",  # read the replies to the profile's posts (inbox)
    "threads_manage_insights",  # views, likes, replies, reposts and quotes of each post
    "threads_manage_mentions",  # read public posts that mention the profile
    "threads_delete",  # delete a post published from Hubbub
)

PROVIDER = oauth2.Provider(
    network="threads",
    label=NETWORK,
    app="THREADS",
    authorize_url="https://threads.com/oauth/authorize",
    token_url=f"{client.HOST}/oauth/access_token",
    scopes=SCOPES,
    scope_separator=",",
    pkce=False,
    docs="docs/networks/threads.md",
    help=gettext_lazy(
        "You sign in with the Threads profile Hubbub will post as, and allow it to publish, "
        "read replies and mentions, and read each post's insights. Hubbub keeps the "
        "authorization alive by renewing it every month."
    ),
)


def long_lived(token: oauth2.Token) -> oauth2.Token:
    """The short-lived token of the code exchange, exchanged for a 60-day one."""
    params = {
        "grant_type": "th_exchange_token",
        "client_secret": PROVIDER.client_secret(),
        "access_token": token.access_token,
    }
    exchanged = _token_get("access_token", params)
    # The answer repeats neither the scope nor the user id: keep those of the sign-in.
    return oauth2.Token(
        access_token=exchanged.access_token,
        expires_at=exchanged.expires_at,
        scope=exchanged.scope or token.scope,
        extra={**token.extra, **exchanged.extra},
    )


def refresh(access_token: str) -> oauth2.Token:
    """A fresh 60-day token for a long-lived one that is at least a day old."""
    return _token_get(
        "refresh_access_token", {"grant_type": "th_refresh_token", "access_token": access_token}
    )


def _token_get(path: str, params: dict[str, str], now: datetime | None = None) -> oauth2.Token:
    response = network_request(NETWORK, "GET", f"{client.HOST}/{path}", params=params)
    body = http.json_object(response)
    if not response.is_success or "error" in body:
        raise client.error_for(response, body)
    return oauth2.token_from(body, now or timezone.now())
