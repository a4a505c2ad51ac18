"""Mastodon's OAuth: registering Hubbub on a server, the authorize URL (with PKCE) and the
code exchange. https://docs.joinmastodon.org/spec/oauth/"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hubbub.networks.base import PermanentError
from hubbub.networks.mastodon.client import call, host_of
from hubbub.networks.mastodon.links import url_for
from hubbub.networks.models import OAuthApp

NETWORK = "mastodon"
CLIENT_NAME = "Hubbub"
WEBSITE = "https://github.com/hubbub-social/hubbub"

# The narrowest granular scopes (Mastodon 2.4.3+, also understood by Pleroma and Akkoma)
# that cover what the connector does, rather than the blanket "read write":
#   read:accounts       verify_credentials: who the channel posts as (check, connect)
#   read:statuses       a post's context (comments), metrics counts, hashtag timelines and
#                       direct conversations
#   read:notifications  mentions
#   read:search         /api/v2/search
#   write:statuses      publish, reply, threads, direct messages (visibility=direct), delete
#   write:media         upload images and video
# Not asked: follows, blocks, mutes, lists, account changes, push, admin.
SCOPES = "read:accounts read:statuses read:notifications read:search write:statuses write:media"


def redirect_uri() -> str:
    """The one fixed callback address; the server compares it character for character, so
    HUBBUB_BASE_URL must be the address people actually open."""
    return settings.BASE_URL + url_for("callback")


def registered_app(server: str) -> OAuthApp:
    """Hubbub's client registration on this server, made on first use and then reused."""
    uri = redirect_uri()
    app = OAuthApp.objects.filter(network=NETWORK, server=server, redirect_uri=uri).first()
    if app is not None and app.scopes == SCOPES:
        return app
    body = call(
        "POST",
        server,
        "/api/v1/apps",
        data={
            "client_name": CLIENT_NAME,
            "redirect_uris": uri,
            "scopes": SCOPES,
            "website": WEBSITE,
        },
    )
    client_id, client_secret = body.get("client_id"), body.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        raise PermanentError(
            gettext(
                "%(host)s did not return a client id when Hubbub registered: "
                "is this a Mastodon server?"
            )
            % {"host": host_of(server)}
        )
    if app is None:
        app = OAuthApp(network=NETWORK, server=server, redirect_uri=uri)
    app.client_id = client_id
    app.client_secret = client_secret
    app.scopes = SCOPES
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        # Someone else registered on this server at the same moment: use theirs (ours is
        # left unused on the server, which is harmless).
        return OAuthApp.objects.get(network=NETWORK, server=server, redirect_uri=uri)
    return app


def forget_app(app: OAuthApp) -> None:
    """The server no longer knows this registration (an admin removed it): register afresh
    next time."""
    OAuthApp.objects.filter(pk=app.pk).delete()


def new_verifier() -> str:
    # 64 random bytes: an 86-character verifier, within RFC 7636's 43 to 128.
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(server: str, app: OAuthApp, state: str, verifier: str) -> str:
    # PKCE is checked by Mastodon 4.3 and later; older servers ignore the two extra parameters.
    query = urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{server}/oauth/authorize?{query}"


@dataclass(frozen=True)
class Token:
    access_token: str
    scope: str
    expires_at: datetime | None


def exchange_code(server: str, app: OAuthApp, code: str, verifier: str) -> Token:
    body = call(
        "POST",
        server,
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": app.redirect_uri,
            "code_verifier": verifier,
        },
    )
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise PermanentError(
            gettext("%(host)s answered the sign-in without an access token")
            % {"host": host_of(server)}
        )
    expires_in = body.get("expires_in")
    # Mastodon's tokens do not expire; honour expires_in if a server ever sends one.
    expires_at = (
        timezone.now() + timedelta(seconds=expires_in)
        if isinstance(expires_in, int) and expires_in > 0
        else None
    )
    return Token(token, str(body.get("scope") or SCOPES), expires_at)
