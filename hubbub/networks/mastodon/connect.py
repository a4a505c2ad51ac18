"""Connecting a Mastodon account: the OAuth flow (start, then the callback) and pasting a
token. The web views and the API both call these; nothing is saved unless every step
succeeded, and the channel is written only through networks.actions.save_connection.

Where the flow's secrets wait between the start and the callback:
- started from the web: in the person's session, under a random `state`, so the callback
  only works in the browser that started it (the usual OAuth CSRF protection);
- started from the API: a script may hand the authorize URL to whoever owns the account,
  whose browser has no Hubbub session, so the `state` itself carries them, encrypted and
  authenticated with the deployment key (the PKCE verifier never travels in clear).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from hubbub.accounts.models import User
from hubbub.core import crypto
from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.models import ApiToken
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Connection, ConnectorError
from hubbub.networks.mastodon import instance, oauth
from hubbub.networks.mastodon.client import host_of
from hubbub.networks.mastodon.connector import MastodonConfig, verify_credentials
from hubbub.networks.models import Channel, OAuthApp

SESSION_KEY = "mastodon_oauth"
# Long enough to sign in on the server, maybe with a second factor; short enough that a
# forgotten tab does not stay usable.
PENDING_LIFETIME = timedelta(minutes=30)
MAX_PENDING = 10  # per session: abandoned attempts must not grow the session for ever
SEALED_KIND = "mastodon-oauth-state"


class ConnectError(ActionError):
    """Connecting failed; nothing was saved. `retryable`: the server was down or rate
    limited, trying later can help. `slug`: the workspace, for a "try again" link."""

    def __init__(
        self, message: str, field: str | None = None, *, retryable: bool = False, slug: str = ""
    ) -> None:
        super().__init__(message, field)
        self.retryable = retryable
        self.slug = slug


@dataclass(frozen=True)
class Pending:
    """A connect attempt between the start and the callback."""

    slug: str
    server: str
    client_id: str
    verifier: str
    user_id: int
    expires: float  # epoch seconds: sessions are stored as JSON
    via: str = "web"
    role_cap: str | None = None
    api_token_id: int | None = None

    @property
    def host(self) -> str:
        return host_of(self.server)


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str


@dataclass(frozen=True)
class Connected:
    channel: Channel
    via: str
    slug: str


def start_authorization(
    access: Access,
    raw_instance: str,
    session: SessionBase | None,
    api_token: ApiToken | None = None,
) -> Authorization:
    """Check the server is Mastodon, register Hubbub there if needed, and return the address
    to send the person to. With no session (the API), the state is sealed, and tied to the
    API token that asked: revoking the token also ends its pending connects."""
    access.require("channels.connect")
    server = instance.normalize(raw_instance)
    slug = access.workspace.slug
    try:
        instance.fetch(server)  # "not a Mastodon server" before registering anything there
        app = oauth.registered_app(server)
    except ConnectorError as exc:
        raise _failed(exc, "instance_url", slug) from None
    verifier = oauth.new_verifier()
    pending = Pending(
        slug=slug,
        server=server,
        client_id=app.client_id,
        verifier=verifier,
        user_id=access.user.pk,
        expires=time.time() + PENDING_LIFETIME.total_seconds(),
        via=access.via,
        role_cap=access.role if session is None else None,
        api_token_id=api_token.pk if api_token is not None else None,
    )
    state = _keep(session, pending) if session is not None else _seal(pending)
    return Authorization(oauth.authorize_url(server, app, state, verifier), state)


def finish_authorization(user: Any, session: SessionBase, query: dict[str, str]) -> Connected:
    """The callback: check the state, exchange the code, read the account, save the channel."""
    state = query.get("state", "")
    pending = _take(session, state)
    from_session = pending is not None
    if pending is None:
        pending = _unseal(state)
    if pending is None:
        raise ConnectError(
            gettext(
                "This sign-in attempt is unknown: it was already used, or started in another "
                "browser. Start again from the channels page."
            )
        )
    if pending.expires < time.time():
        raise ConnectError(
            gettext("This sign-in attempt has expired (it lasts 30 minutes): start again."),
            slug=pending.slug,
        )
    _refuse_error(pending, query)
    code = query.get("code", "")
    if not code:
        raise ConnectError(
            gettext("%(host)s sent no authorization code back: start again.")
            % {"host": pending.host},
            slug=pending.slug,
        )
    access = _access(pending, user, from_session)
    app = OAuthApp.objects.filter(
        network=oauth.NETWORK,
        server=pending.server,
        redirect_uri=oauth.redirect_uri(),
        client_id=pending.client_id,
    ).first()
    if app is None:
        raise ConnectError(
            gettext(
                "Hubbub's registration on %(host)s changed while you were signing in: start again."
            )
            % {"host": pending.host},
            slug=pending.slug,
        )
    try:
        token = oauth.exchange_code(pending.server, app, code, pending.verifier)
    except ConnectorError as exc:
        if exc.status == 401:  # invalid_client: the server forgot us; register afresh
            oauth.forget_app(app)
        raise _failed(exc, None, pending.slug) from None
    channel = _save(access, pending.server, token.access_token, token.scope, token.expires_at)
    return Connected(channel, pending.via, pending.slug)


def connect_with_token(access: Access, raw_instance: str, access_token: str) -> Channel:
    """The advanced path: a token the person created in Preferences → Development."""
    access.require("channels.connect")
    server = instance.normalize(raw_instance)
    access_token = (access_token or "").strip()
    if not access_token or any(c.isspace() for c in access_token) or len(access_token) > 500:
        raise ActionError(
            gettext(
                "Paste the access token shown on your server under Preferences → Development → "
                "your application (“Your access token”)."
            ),
            "access_token",
        )
    return _save(access, server, access_token, "", None, token_field="access_token")


def _save(
    access: Access,
    server: str,
    token: str,
    scope: str,
    expires_at: datetime | None,
    token_field: str | None = None,
) -> Channel:
    slug = access.workspace.slug
    try:
        found = instance.fetch(server, token)
        account, account_id = verify_credentials(server, token, found.domain)
    except ConnectorError as exc:
        if exc.status == 401 and token_field:
            raise ConnectError(
                gettext(
                    "%(host)s does not accept this access token (%(reason)s): copy it again from "
                    "Preferences → Development → your application."
                )
                % {"host": host_of(server), "reason": exc.network_message or exc.message},
                token_field,
                slug=slug,
            ) from None
        raise _failed(exc, token_field if exc.status == 403 else "instance_url", slug) from None
    config = MastodonConfig(**found.model_dump(), account_id=account_id)
    credentials = {"access_token": token, "scope": scope}
    return save_connection(
        access, "mastodon", Connection(account, credentials, config.model_dump(), expires_at)
    )


def _failed(exc: ConnectorError, field: str | None, slug: str) -> ConnectError:
    text = str(exc)
    return ConnectError(
        text if text.endswith(".") else text + ".",
        field,
        retryable=not exc.permanent,
        slug=slug,
    )


def _refuse_error(pending: Pending, query: dict[str, str]) -> None:
    error = query.get("error", "")
    if not error:
        return
    if error == "access_denied":
        raise ConnectError(
            gettext("You cancelled on %(host)s: nothing was connected.") % {"host": pending.host},
            slug=pending.slug,
        )
    reason = query.get("error_description") or error
    raise ConnectError(
        gettext("%(host)s refused the sign-in (%(reason)s): try again, or paste an access token.")
        % {"host": pending.host, "reason": reason[:300]},
        slug=pending.slug,
    )


def _access(pending: Pending, user: Any, from_session: bool) -> Access:
    """Who connects, with their role as it is now: it may have changed since the start."""
    if from_session:
        if not getattr(user, "is_authenticated", False) or user.pk != pending.user_id:
            raise ConnectError(
                gettext(
                    "Sign in to Hubbub as the person who started connecting, then start again."
                ),
                slug=pending.slug,
            )
        acting = user
    else:
        acting = User.objects.filter(pk=pending.user_id, is_active=True).first()
        revoked = (
            pending.api_token_id is not None
            and not ApiToken.objects.filter(
                pk=pending.api_token_id, revoked_at__isnull=True
            ).exists()
        )
        if acting is None or revoked:
            raise ConnectError(
                gettext("The account or API token that started connecting is no longer valid."),
                slug=pending.slug,
            )
    try:
        access = access_workspace(acting, pending.slug, via=pending.via, role_cap=pending.role_cap)
        access.require("channels.connect")
    except Http404:
        raise ConnectError(gettext("You are no longer a member of this workspace.")) from None
    except PermissionDenied as exc:
        raise ConnectError(str(exc), slug=pending.slug) from None
    return access


def _keep(session: SessionBase, pending: Pending) -> str:
    state = secrets.token_urlsafe(32)
    now = time.time()
    kept = {k: v for k, v in session.get(SESSION_KEY, {}).items() if v.get("expires", 0) > now}
    kept = dict(sorted(kept.items(), key=lambda kv: kv[1]["expires"])[-(MAX_PENDING - 1) :])
    kept[state] = asdict(pending)
    session[SESSION_KEY] = kept
    return state


def _take(session: SessionBase, state: str) -> Pending | None:
    """The session's pending attempt for this state, removed: a state works once."""
    kept = dict(session.get(SESSION_KEY, {}))
    found = kept.pop(state, None) if state else None
    if found is None:
        return None
    session[SESSION_KEY] = kept
    return Pending(**found)


def _seal(pending: Pending) -> str:
    return crypto.encrypt_json({"kind": SEALED_KIND, **asdict(pending)})


def _unseal(state: str) -> Pending | None:
    if not state or len(state) > 4000:
        return None
    try:
        data = crypto.decrypt_json(state)
    except (crypto.DecryptionError, ValueError):
        return None
    if data.pop("kind", None) != SEALED_KIND:
        return None
    try:
        return Pending(**data)
    except TypeError:
        return None
