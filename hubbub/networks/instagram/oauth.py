"""Instagram API with Facebook Login (shared flow: hubbub.networks.oauth2).

The same Meta app and dialog as Facebook Pages: an Instagram professional account is
reached through the Facebook Page it is linked to. The code gives a short-lived user token,
exchanged for a long-lived one (hubbub.networks.facebook.oauth.long_lived); the Page tokens
read with it from /me/accounts do not expire, and Instagram calls are made with the token
of the Page the account is linked to.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2
from hubbub.networks.facebook import graph

NETWORK = "Instagram"

# Each scope and why Hubbub asks for it ("Instagram API with Facebook Login", Permissions):
SCOPES = (
    "instagram_basic",  # the account's profile and media (lookups, reading)
    "instagram_content_publish",  # create containers and publish them
    "instagram_manage_comments",  # read, answer, hide and delete comments; first comment
    "instagram_manage_insights",  # reach, likes, saves and views of each post
    "pages_show_list",  # the Pages the person manages, and their linked Instagram accounts
    "pages_read_engagement",  # read the linked Page, needed to reach the account
    "business_management",  # Pages and accounts owned through a Business portfolio
    "pages_manage_metadata",  # subscribe the linked Page to webhooks (comments, mentions)
)

PROVIDER = oauth2.Provider(
    network="instagram",
    label=NETWORK,
    app="META",
    authorize_url=f"https://www.facebook.com/{graph.VERSION}/dialog/oauth",
    token_url=f"{graph.GRAPH_URL}/oauth/access_token",
    scopes=SCOPES,
    scope_separator=",",
    pkce=False,  # a confidential web client with the app secret (see facebook/oauth.py)
    docs="docs/networks/instagram.md",
    nothing_found=gettext_lazy(
        "None of your Facebook Pages has an Instagram professional account linked to it: "
        "switch the Instagram account to Business or Creator, link it to a Page you manage, "
        "then connect again."
    ),
    help=gettext_lazy(
        "You sign in with Facebook: Instagram professional accounts (business or creator) "
        "are reached through the Facebook Page they are linked to. Choose that Page when "
        "Facebook asks, and allow Hubbub to publish; you need a Page role that can create "
        "content."
    ),
)
