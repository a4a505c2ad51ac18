"""OAuth 2 for networks with one central developer app: X, Facebook and Instagram (Meta),
Threads, LinkedIn, YouTube (Google), TikTok, Pinterest.

The operator registers Hubbub once on the network's developer portal and gives the client id
and secret as HUBBUB_<APP>_CLIENT_ID / HUBBUB_<APP>_CLIENT_SECRET; the redirect URI to
register is `<HUBBUB_BASE_URL>/oauth/<network>/callback/` (Provider.redirect_uri()).

The flow, shared by every such network (views in oauth2_views.py):
1. The connect page posts to `start`: a random `state` and, where the network supports it,
   a PKCE verifier (RFC 7636, S256) wait in the person's session; the browser goes to the
   network's authorize URL.
2. The network sends the browser back to the callback with `code` and `state`; the state
   must be one this session started (CSRF), less than 30 minutes old, for this network.
3. The code is exchanged for a Token at the token endpoint (RFC 6749 §4.1.3).
4. The connector class turns the token into the accounts it can post as
   (`accounts_from_token`: the person's pages, organizations or the account itself). One
   account is connected at once; several are offered on a selection page, where the person
   ticks those to connect (their tokens wait there encrypted, for 30 minutes).

A network module declares a Provider and, in its urls.py, `urlpatterns = oauth_urls(...)`
from oauth2_views; its connector sets `oauth = PROVIDER` and implements
`accounts_from_token`. Refreshing: `refresh_channel()` before a call when the access token
is due, saved through the connector; a refused refresh (invalid_grant) means reconnecting.

Why not a library (authlib, requests-oauthlib): every call must go through the one outbound
seam (hubbub.core.http: SSRF guard, masked logs, one connection pool), and the protocol part
we need is two form posts; the per-network differences (client_key, Basic auth, comma-joined
scopes) are plain fields here.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    classify_response,
    from_outbound,
)

if TYPE_CHECKING:
    from hubbub.networks.base import Connector

# Refresh this long before the access token expires, so a call never starts with a token
# that dies in flight.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Provider:
    network: str  # the registry key; the callback is /oauth/<network>/callback/
    label: str  # the network as people name it, for messages
    app: str  # settings: HUBBUB_<app>_CLIENT_ID and HUBBUB_<app>_CLIENT_SECRET
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    scope_separator: str = " "
    pkce: bool = True
    basic_auth: bool = False  # client id and secret in Authorization: Basic, not the body
    client_id_param: str = "client_id"  # TikTok calls it client_key
    extra_authorize: tuple[tuple[str, str], ...] = ()  # e.g. access_type=offline (Google)
    docs: str = ""  # docs/networks/<name>.md, named on the connect page when unconfigured
    # A paragraph for the connect page (gettext_lazy): what the person will be asked to
    # allow, and which role on the network they need.
    help: Any = ""
    # Why a sign-in found nothing to post to, in the network's terms (gettext_lazy), e.g.
    # "You manage no Facebook Page with the Create content task".
    nothing_found: Any = ""

    def client_id(self) -> str:
        return str(getattr(settings, f"HUBBUB_{self.app}_CLIENT_ID", "") or "")

    def client_secret(self) -> str:
        return str(getattr(settings, f"HUBBUB_{self.app}_CLIENT_SECRET", "") or "")

    def configured(self) -> bool:
        return bool(self.client_id() and self.client_secret())

    def setting_names(self) -> tuple[str, str]:
        return (f"HUBBUB_{self.app}_CLIENT_ID", f"HUBBUB_{self.app}_CLIENT_SECRET")

    def redirect_uri(self) -> str:
        # Compared character for character by every network: HUBBUB_BASE_URL must be the
        # address people open, and the same one registered on the developer portal.
        return settings.BASE_URL + reverse(f"{self.network}:callback")


@dataclass(frozen=True)
class Token:
    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    scope: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # the rest of the answer (open_id...)

    def credentials(self) -> dict[str, Any]:
        """What a channel stores (encrypted): the tokens and the refresh token's expiry."""
        stored: dict[str, Any] = {"access_token": self.access_token, "scope": self.scope}
        if self.refresh_token:
            stored["refresh_token"] = self.refresh_token
        if self.refresh_expires_at is not None:
            stored["refresh_expires_at"] = self.refresh_expires_at.isoformat()
        return stored


def new_verifier() -> str:
    return secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43 to 128


def challenge(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(provider: Provider, state: str, verifier: str) -> str:
    query: dict[str, str] = {
        "response_type": "code",
        provider.client_id_param: provider.client_id(),
        "redirect_uri": provider.redirect_uri(),
        "scope": provider.scope_separator.join(provider.scopes),
        "state": state,
    }
    if provider.pkce:
        query["code_challenge"] = challenge(verifier)
        query["code_challenge_method"] = "S256"
    query.update(dict(provider.extra_authorize))
    return f"{provider.authorize_url}?{urlencode(query)}"


def exchange_code(provider: Provider, code: str, verifier: str) -> Token:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri(),
    }
    if provider.pkce:
        form["code_verifier"] = verifier
    return _token_call(provider, form)


def refresh(provider: Provider, refresh_token: str) -> Token:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return _token_call(provider, form, refreshing=True)


def _token_call(provider: Provider, form: dict[str, str], *, refreshing: bool = False) -> Token:
    headers = {"Accept": "application/json"}
    if provider.basic_auth:
        pair = f"{provider.client_id()}:{provider.client_secret()}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        form = {
            **form,
            provider.client_id_param: provider.client_id(),
            "client_secret": provider.client_secret(),
        }
    try:
        response = http.request("POST", provider.token_url, data=form, headers=headers)
    except http.OutboundError as exc:
        raise from_outbound(exc, provider.label) from None
    body = _json(response)
    if response.status_code >= 400 or ("error" in body and "access_token" not in body):
        raise token_error(provider, response, body, refreshing=refreshing)
    return token_from(body)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def token_from(body: dict[str, Any], now: datetime | None = None) -> Token:
    """A Token from a token endpoint's JSON answer (RFC 6749 §5.1, with the networks'
    variants: TikTok's refresh_expires_in, Pinterest's refresh_token_expires_in)."""
    now = now or timezone.now()
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise PermanentError(_("The network answered the sign-in without an access token."))

    def after(*names: str) -> datetime | None:
        for name in names:
            seconds = body.get(name)
            if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
                return now + timedelta(seconds=seconds)
        return None

    scope = body.get("scope", "")
    if isinstance(scope, list):
        scope = " ".join(str(s) for s in scope)
    known = {
        "access_token",
        "refresh_token",
        "expires_in",
        "scope",
        "token_type",
        "refresh_token_expires_in",
        "refresh_expires_in",
        "x_refresh_token_expires_in",
    }
    return Token(
        access_token=access,
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=after("expires_in"),
        refresh_expires_at=after(
            "refresh_token_expires_in", "refresh_expires_in", "x_refresh_token_expires_in"
        ),
        scope=str(scope or ""),
        extra={k: v for k, v in body.items() if k not in known},
    )


def token_error(
    provider: Provider, response: httpx.Response, body: dict[str, Any], *, refreshing: bool = False
) -> ConnectorError:
    """RFC 6749 §5.2: invalid_grant (code used, expired or revoked; refresh token revoked)
    means signing in again; invalid_client is the operator's app configuration."""
    raw = body.get("error")
    if isinstance(raw, dict):  # Meta's Graph API answers its own error object here
        code = ""
        words = str(raw.get("error_user_msg") or raw.get("message") or "")
    else:
        code = str(raw or "")
        words = str(body.get("error_description") or body.get("message") or code)
    # X answers a used or revoked refresh token with invalid_request rather than RFC 6749's
    # invalid_grant: either way, only signing in again helps.
    if code == "invalid_grant" or (refreshing and code == "invalid_request"):
        return AuthError(
            _("%(network)s no longer accepts this authorization: connect the account again.")
            % {"network": provider.label},
            network_message=words,
            status=response.status_code,
        )
    if code in ("invalid_client", "unauthorized_client"):
        name_id, name_secret = provider.setting_names()
        return PermanentError(
            _(
                "%(network)s refused Hubbub's app credentials: the operator should check "
                "%(id)s and %(secret)s against the app on the developer portal."
            )
            % {"network": provider.label, "id": name_id, "secret": name_secret},
            network_message=words,
            status=response.status_code,
        )
    if response.status_code < 400:
        return PermanentError(
            _("%(network)s refused the sign-in.") % {"network": provider.label},
            network_message=words,
            status=response.status_code,
        )
    return classify_response(response, provider.label, words)


def refresh_due(expires_at: datetime | None) -> bool:
    return expires_at is not None and expires_at - timezone.now() <= REFRESH_MARGIN


_locks_guard = threading.Lock()
_locks: dict[int, threading.Lock] = {}


def _channel_lock(channel_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(channel_id, threading.Lock())


def refresh_channel(connector: Connector, provider: Provider, *, force: bool = False) -> bool:
    """Refresh the channel's access token when it is due (or `force`), keeping the refresh
    token when the network does not rotate it. True when the credentials changed.

    Networks that rotate refresh tokens (X, TikTok) accept each one once: two workers
    refreshing the same channel at once would see the second refused and the channel wrongly
    flagged for reconnection. So one refresh at a time per channel: a lock per channel in
    this process (threads of the embedded worker; SQLite has no row locks) and the channel's
    row locked with SELECT ... FOR UPDATE (workers in other processes, on PostgreSQL). Whoever
    waited then finds the new tokens saved and uses them instead of refreshing again."""
    from django.db import transaction

    from hubbub.networks.models import Channel

    channel = connector.channel
    if not force and not refresh_due(channel.token_expires_at):
        return False
    seen = channel.credentials_encrypted
    with _channel_lock(channel.pk), transaction.atomic():
        row = (
            Channel.objects.select_for_update()
            .only("credentials_encrypted", "token_expires_at")
            .get(pk=channel.pk)
        )
        if row.credentials_encrypted != seen:  # another worker refreshed meanwhile
            channel.credentials_encrypted = row.credentials_encrypted
            channel.token_expires_at = row.token_expires_at
            return True
        stored = channel.credentials
        refresh_token = str(stored.get("refresh_token") or "")
        if not refresh_token:
            raise AuthError(
                _("The %(network)s authorization has expired and cannot be renewed: reconnect.")
                % {"network": provider.label}
            )
        token = refresh(provider, refresh_token)
        updated = {**stored, **token.credentials()}
        if not token.refresh_token:
            updated["refresh_token"] = refresh_token
        connector.save_credentials(updated, token.expires_at)
    return True
