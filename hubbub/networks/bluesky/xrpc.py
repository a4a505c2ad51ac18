"""XRPC calls to a PDS, and what their errors mean.

We speak XRPC with `hubbub.core.http.request` rather than through the `atproto` SDK: the SDK
brings its own HTTP client, which would bypass our SSRF guard (the PDS address is typed in
by a person), our timeouts and our request logging.

An XRPC error is a JSON body `{"error": "<Code>", "message": "..."}`; the codes below are
those the PDS documents for the calls we make (com.atproto.server.* lexicons). The
network's own message is kept on every error so a person sees what Bluesky said.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

NETWORK = "Bluesky"


class BadLogin(AuthError):
    """The PDS refused the identifier or the password."""


class TwoFactorRequired(AuthError):
    """The main password of an account with e-mail 2FA was used: only app passwords work."""


class TokenRejected(AuthError):
    """The access or refresh token expired or was revoked; a new session can fix it."""


class NotAPds(PermanentError):
    """The address answered, but not as an AT Protocol PDS."""


class RecordNotFound(PermanentError):
    """com.atproto.repo.getRecord: no record under that key (the PDS answers 400)."""


class Unreachable(ConnectorError):
    """No answer at all (DNS, refused connection, time-out, or an address we will not call)."""


def call(
    pds_url: str,
    nsid: str,
    *,
    post: bool = False,
    token: str | None = None,
    params: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    content: bytes | None = None,
    content_type: str = "",
) -> dict[str, Any]:
    """Call one XRPC method (`nsid`) on the PDS and return its JSON output.

    `body` is sent as JSON; `content` as raw bytes of `content_type` (uploadBlob)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content is not None:
        headers["Content-Type"] = content_type
    try:
        response = http.request(
            "POST" if post else "GET",
            f"{pds_url}/xrpc/{nsid}",
            headers=headers,
            params=params,
            json=body,
            content=content,
        )
    except http.OutboundError as exc:
        raise Unreachable(
            f"{NETWORK}: {exc.message}",
            permanent=exc.permanent,
            retry_at=exc.retry_at,
            sent=exc.sent,
        ) from None
    data = _json_object(response)
    if response.is_success:
        if data is None:
            raise _not_a_pds(pds_url, response)
        return data
    raise error_from_response(response, pds_url, data)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _not_a_pds(pds_url: str, response: httpx.Response) -> NotAPds:
    kind = response.headers.get("content-type", "").split(";")[0].strip() or _("no content type")
    return NotAPds(
        _(
            "%(url)s does not look like a Bluesky PDS (it answered HTTP %(status)s with "
            "%(kind)s): check the PDS URL. For an account on bsky.social it is "
            "https://bsky.social."
        )
        % {"url": pds_url, "status": response.status_code, "kind": kind},
        status=response.status_code,
    )


def error_from_response(
    response: httpx.Response, pds_url: str, data: dict[str, Any] | None = None
) -> ConnectorError:
    """Turn an XRPC error answer into the connector vocabulary."""
    status = response.status_code
    code = str(data.get("error") or "") if data else ""
    said = str(data.get("message") or code) if data else ""
    if status == 429 or code == "RateLimitExceeded":
        # Bluesky sends `ratelimit-reset` in epoch seconds; http.retry_at reads it.
        when = http.retry_at(response)
        return RateLimited(
            _("Bluesky's rate limit was reached: try again after %(when)s.")
            % {"when": when.strftime("%Y-%m-%d %H:%M UTC") if when else _("a few minutes")},
            when,
            network_message=said,
            status=status,
        )
    if status >= 500 and code != "MethodNotImplemented":
        return TransientError(
            _("Bluesky is unavailable right now (HTTP %(status)s); Hubbub will try again.")
            % {"status": status},
            network_message=said,
            status=status,
            retry_at=http.retry_at(response),
        )
    if data is None or not code:
        return _not_a_pds(pds_url, response)
    return _from_code(code, said, status, pds_url)


def _from_code(code: str, said: str, status: int, pds_url: str) -> ConnectorError:
    if code == "AuthenticationRequired":
        return BadLogin(
            _(
                "Bluesky refused the handle or app password: create an app password in "
                "Settings → Privacy and security → App passwords, and check the handle."
            ),
            network_message=said,
            status=status,
        )
    if code == "AuthFactorTokenRequired":
        return TwoFactorRequired(
            _(
                "This is the account's main password, and the account has e-mail two-factor "
                "sign-in, which Hubbub cannot complete. Use an app password instead: create "
                "one in Settings → Privacy and security → App passwords."
            ),
            network_message=said,
            status=status,
        )
    if code in ("ExpiredToken", "InvalidToken"):
        return TokenRejected(
            _("The Bluesky session has expired or was revoked: reconnect the channel."),
            network_message=said,
            status=status,
        )
    if code == "AccountTakedown":
        return PermanentError(
            _(
                "The account was taken down by its server's moderators; Hubbub cannot use it. "
                "Contact the moderators of %(pds)s."
            )
            % {"pds": pds_url},
            network_message=said,
            status=status,
        )
    if code == "AccountDeactivated":
        return AuthError(
            _("The account is deactivated: reactivate it in Bluesky, then reconnect the channel."),
            network_message=said,
            status=status,
        )
    if code == "MethodNotImplemented":
        return NotAPds(
            _(
                "%(url)s speaks the AT Protocol but is not a PDS (perhaps an AppView or a "
                "relay): enter the address of the server that hosts the account."
            )
            % {"url": pds_url},
            network_message=said,
            status=status,
        )
    if code == "RecordNotFound":
        return RecordNotFound(
            _("Bluesky has no such record: it was deleted, or never created."),
            network_message=said,
            status=status,
        )
    if status in (401, 403):
        return AuthError(
            _("Bluesky refused the credentials: reconnect the channel with a new app password."),
            network_message=said,
            status=status,
        )
    return PermanentError(
        _("Bluesky rejected the request (%(code)s).") % {"code": code},
        network_message=said,
        status=status,
    )
