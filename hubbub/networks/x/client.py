"""Calls to the X API v2 (https://api.x.com/2/...), and what its error answers mean.

Every call carries the channel's OAuth 2.0 user access token as a Bearer token. Before each
call the token is refreshed when it is due (it lives two hours); a 401 answer refreshes it
once more and repeats the call, and only a second refusal means reconnecting.

X answers errors in two shapes (docs.x.com, Fundamentals > Response codes and errors):
- problem+json (RFC 7807): {"title", "detail", "type", "status"}, sometimes with "errors":
  [{"message", "parameters"}] (an invalid request) and "reason" (client-forbidden);
- the older v1.1 shape still sent by some paths: {"errors": [{"code", "message"}]}, e.g.
  code 88 "Rate limit exceeded", 187 "Status is a duplicate", 130 "Over capacity".
The network's own words are kept in network_message; what to do is in the error's class.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks import oauth2
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    network_request,
    rejected,
    revoked,
    unavailable,
)
from hubbub.networks.x.oauth import PROVIDER

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

NETWORK = "X"
API = "https://api.x.com"

# What X says when a refresh token was already used or revoked: the token endpoint answers
# 400 invalid_request (not invalid_grant, which the shared code expects) with these words.
_DEAD_REFRESH_TOKEN = "token was invalid"


def request(
    method: str,
    path: str,
    *,
    token: str,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
) -> httpx.Response:
    """One call with `token`, whatever its answer; OutboundError lifted to ConnectorError."""
    return network_request(
        NETWORK,
        method,
        f"{API}{path}",
        headers={"Authorization": f"Bearer {token}"},
        params=params,
        json=json,
        data=data,
        files=files,
    )


def call_with_token(
    method: str, path: str, *, token: str, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A call before any channel exists (connecting): no refresh to fall back on."""
    response = request(method, path, token=token, params=params)
    body = http.json_object(response)
    if response.is_success:
        return body
    raise error_for(response, body)


def call(
    conn: XConnector,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
) -> dict[str, Any]:
    """A call for a channel: refreshed before when due, and once more after a 401."""
    conn.refresh_if_due()
    response = request(
        method, path, token=conn.token(), params=params, json=json, data=data, files=files
    )
    if response.status_code == 401 and conn.can_refresh():
        # X refused the token before acting on the request: nothing was created, so the same
        # call is safe to repeat with a fresh token.
        refresh(conn, force=True)
        response = request(
            method, path, token=conn.token(), params=params, json=json, data=data, files=files
        )
    body = http.json_object(response)
    if response.is_success:
        return body
    raise error_for(response, body)


def refresh(conn: XConnector, *, force: bool = False) -> bool:
    """oauth2.refresh_channel, with X's answer for a dead refresh token read as such.

    X lets each refresh token be used once. Two workers of the same channel (two posts due
    at once, or the inbox reader) may both find the token due and refresh with the same
    refresh token: the second is refused. Before calling that a lost authorization, the
    channel is read again: if another worker saved newer credentials meanwhile, they are
    used instead."""
    used = conn.channel.credentials.get("refresh_token")
    try:
        return oauth2.refresh_channel(conn, PROVIDER, force=force)
    except AuthError:
        raise
    except ConnectorError as exc:
        if exc.status == 400 and _DEAD_REFRESH_TOKEN in exc.network_message.lower():
            conn.channel.refresh_from_db(fields=["credentials_encrypted", "token_expires_at"])
            if conn.channel.credentials.get("refresh_token") != used:
                return True  # another worker refreshed first: its tokens are ours now
            raise revoked(NETWORK, exc.network_message, exc.status) from None
        raise


def _words(body: dict[str, Any], response: httpx.Response) -> str:
    """The network's own message: problem+json's detail (or title), else the first error."""
    detail = body.get("detail") or body.get("title")
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    message = first.get("message") or first.get("detail")
    if detail and message and str(message) not in str(detail):
        return f"{detail} {message}"
    return str(detail or message or body.get("error_description") or response.reason_phrase)


def _codes(body: dict[str, Any]) -> set[int]:
    errors = body.get("errors")
    if not isinstance(errors, list):
        return set()
    return {e["code"] for e in errors if isinstance(e, dict) and isinstance(e.get("code"), int)}


def rate_limit_reset(response: httpx.Response) -> datetime | None:
    """When to come back after a 429. X sends x-rate-limit-reset (epoch seconds) for the
    endpoint's 15-minute window; posting also has a 24-hour cap per user, whose own headers
    (x-user-limit-24hour-remaining / -reset) say when it lifts when that is what ran out."""
    headers = response.headers
    if headers.get("x-user-limit-24hour-remaining", "").strip() == "0":
        reset = headers.get("x-user-limit-24hour-reset", "").strip()
        if reset.isdigit():
            return datetime.fromtimestamp(int(reset), UTC)
    return http.retry_at(response)


def error_for(response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    status = response.status_code
    words = _words(body, response)
    lowered = words.lower()
    codes = _codes(body)
    problem = str(body.get("type") or "")
    if status == 429 or 88 in codes:
        remaining = response.headers.get("x-rate-limit-remaining", "")
        return RateLimited(
            _("X's rate limit is reached (%(remaining)s calls left): Hubbub waits until it lifts")
            % {"remaining": remaining or "0"},
            rate_limit_reset(response),
            network_message=words,
            status=status,
        )
    if status == 401:
        return revoked(NETWORK, words, status)
    if 187 in codes or "duplicate content" in lowered:
        return PermanentError(
            _(
                "X refuses a post identical to one this account already published: change "
                "the text, or remove this channel from the post."
            ),
            network_message=words,
            status=status,
        )
    if status == 403:
        if body.get("reason") == "client-not-enrolled" or problem.endswith("client-forbidden"):
            return PermanentError(
                _(
                    "X does not let Hubbub's developer app use this endpoint: the operator "
                    "must attach the app to a Project with an access level that includes it "
                    "(see the X guide)."
                ),
                network_message=words,
                status=status,
            )
        if problem.endswith("unsupported-authentication"):
            return AuthError(
                _("X refused this authorization for that action: connect the account again."),
                network_message=words,
                status=status,
            )
        return PermanentError(
            _("X does not allow this: %(words)s") % {"words": words},
            network_message=words,
            status=status,
        )
    if 130 in codes or http.is_transient_status(status):
        return unavailable(response, NETWORK, words, status)
    return rejected(NETWORK, status, words)


def data_of(body: dict[str, Any], what: str) -> dict[str, Any]:
    """The `data` object of a successful answer. X answers 200 with only `errors` when what
    was asked for is gone or hidden; an answer without either is not X's."""
    data = body.get("data")
    if isinstance(data, dict) and data.get("id"):
        return data
    raise PermanentError(
        _("X answered %(what)s without the expected data.") % {"what": what},
        network_message=_words(body, httpx.Response(200)) if body.get("errors") else "",
    )
