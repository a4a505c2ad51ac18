"""Facebook Login for the Pages a person manages (shared flow: hubbub.networks.oauth2).

"Manually Build a Login Flow": the dialog is www.facebook.com/<version>/dialog/oauth and the
code is exchanged at graph.facebook.com/<version>/oauth/access_token with the app secret. No
PKCE: Hubbub is a confidential web client that holds the app secret, which is what Meta's
code exchange requires (PKCE is for apps that cannot keep a secret).

The code gives a short-lived user token (about an hour). It is exchanged at once for a
long-lived one (grant_type=fb_exchange_token, "Long-Lived Access Tokens", about 60 days),
and the Page tokens read with *that* token from /me/accounts have no expiry ("Page access
tokens ... obtained from a long-lived User access token ... have no expiration date"). They
end only when the person loses their role on the Page, changes their password, or removes
the app; the Graph API then answers error 190, and the channel asks for a reconnect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from hubbub.core import http
from hubbub.networks import oauth2
from hubbub.networks.base import network_request
from hubbub.networks.facebook import graph

if TYPE_CHECKING:
    from hubbub.networks.oauth2 import Token

NETWORK = "Facebook"

# Each scope and why Hubbub asks for it ("Permissions Reference"):
SCOPES = (
    "pages_show_list",  # list the Pages the person manages (/me/accounts)
    "pages_manage_posts",  # publish and delete the Page's posts
    "pages_read_engagement",  # read the Page's posts, comments and reaction counts
    "pages_read_user_content",  # read what visitors post on the Page and tag it in
    "pages_manage_engagement",  # comment as the Page; like, hide and delete comments
    "pages_messaging",  # read and answer the Page's Messenger conversations (inbox)
    "pages_manage_metadata",  # Messenger conversations; subscribing the Page to webhooks
    "read_insights",  # impressions and clicks of the Page's posts
    "business_management",  # Pages owned through a Business portfolio
    # Optional: campaign spend from the Ads Insights API (ads.py). A Meta app without
    # ads_read approved still connects Pages; only reading ad spend is then refused.
    "ads_read",
)

PROVIDER = oauth2.Provider(
    network="facebook",
    label=NETWORK,
    app="META",
    authorize_url=f"https://www.facebook.com/{graph.VERSION}/dialog/oauth",
    token_url=f"{graph.GRAPH_URL}/oauth/access_token",
    scopes=SCOPES,
    scope_separator=",",
    pkce=False,
    docs="docs/networks/facebook.md",
    nothing_found=gettext_lazy(
        "You manage no Facebook Page where you can create content, or you did not tick any "
        "Page when Facebook asked: ask a Page admin for a role with content access, then "
        "connect again and tick the Page."
    ),
    help=gettext_lazy(
        "Facebook asks you to choose the Pages Hubbub may use and to allow it to publish and "
        "read on them. You need a Page role that can create content (Facebook access with "
        "content or full control); Pages where you cannot post are not offered."
    ),
)


def long_lived(token: Token) -> Token:
    """Exchange a short-lived user token for a long-lived one (GET oauth/access_token,
    grant_type=fb_exchange_token)."""
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": PROVIDER.client_id(),
        "client_secret": PROVIDER.client_secret(),
        "fb_exchange_token": token.access_token,
    }
    response = network_request(NETWORK, "GET", PROVIDER.token_url, params=params)
    body = http.json_object(response)
    if not response.is_success or "error" in body:
        raise graph.error_for(response, body, NETWORK)
    exchanged = oauth2.token_from(body)
    # The answer repeats no scope: keep what the person granted at the dialog.
    return oauth2.Token(
        access_token=exchanged.access_token,
        expires_at=exchanged.expires_at,
        scope=exchanged.scope or token.scope,
    )
