"""Calls to a Matrix homeserver's Client-Server API, and what its error answers mean.

Every call goes through hubbub.core.http (the homeserver is an address a person typed: the
SSRF guard applies). The access token travels in the Authorization header, never in the
URL, and no message here includes it. Errors are the standard error object of the spec
("Standard error response": `errcode` and `error`, plus `retry_after_ms` with
M_LIMIT_EXCEEDED and `soft_logout` with M_UNKNOWN_TOKEN).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    network_request,
)

NETWORK = "Matrix"
CLIENT = "/_matrix/client"


def q(value: str) -> str:
    """A room id, alias, event id or user id as one path segment (`!`, `#`, `$`, `:` and `@`
    escaped: `#` would otherwise end the URL's path)."""
    return quote(value, safe="")


def matrix_to(identifier: str, event_id: str = "", via: str = "") -> str:
    """A matrix.to permalink ("Appendices: matrix.to navigation"): the identifier and event
    id percent-encoded, as in the spec's own examples (…/#/!somewhere%3Aexample.org/…)."""
    url = f"https://matrix.to/#/{quote(identifier, safe='!')}"
    if event_id:
        url += f"/{quote(event_id, safe='')}"
        if via:
            url += f"?via={quote(via, safe='')}"
    return url


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object from an answer, or {} when the server sent something else."""
    return value if isinstance(value, dict) else {}


def server_of(identifier: str) -> str:
    """The server name part of @user:server, !room:server, #alias:server, $event:server."""
    return identifier.split(":", 1)[1] if ":" in identifier else ""


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    token: str = "",
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    content: bytes | None = None,
    content_type: str = "",
) -> Any:
    """One API call; the JSON answer, or a ConnectorError that says what to do.

    `path` starts with /_matrix/...; ids in it must already be escaped with q().
    """
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    response = network_request(
        NETWORK, method, base_url + path, headers=headers, json=json, params=params, content=content
    )
    body = http.json_object(response)
    if response.is_success:
        return body
    raise error_for(response, body)


def error_for(response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    """The spec's error codes in the connector vocabulary ("Standard error response",
    "Common error codes", "Rate limiting", "Soft logout")."""
    status = response.status_code
    code = str(body.get("errcode") or "")
    said = str(body.get("error") or response.reason_phrase or "")
    network_message = f"{code}: {said}" if code else said
    if code == "M_LIMIT_EXCEEDED" or status == 429:
        # retry_after_ms in the body (deprecated in v1.10, still sent by Synapse), or the
        # Retry-After header that replaces it.
        retry_ms = body.get("retry_after_ms")
        when = (
            timezone.now() + timedelta(milliseconds=int(retry_ms))
            if isinstance(retry_ms, int | float) and not isinstance(retry_ms, bool)
            else http.retry_at(response)
        )
        return RateLimited(
            _("The Matrix homeserver's rate limit was reached: Hubbub waits until it lifts"),
            when,
            network_message=network_message,
            status=status,
        )
    if code == "M_UNKNOWN_TOKEN" or code == "M_MISSING_TOKEN":
        if body.get("soft_logout") is True:
            message = _(
                "The Matrix homeserver ended Hubbub's session (soft logout): reconnect the "
                "channel to sign in again"
            )
        else:
            message = _(
                "The Matrix access token is no longer valid (it was logged out or the device "
                "was deleted): reconnect the channel"
            )
        return AuthError(message, network_message=network_message, status=status)
    if code == "M_USER_DEACTIVATED":
        return AuthError(
            _("The Matrix account Hubbub posts with was deactivated: reconnect with another"),
            network_message=network_message,
            status=status,
        )
    if code == "M_FORBIDDEN":
        return PermanentError(
            _("The Matrix homeserver refused this: %(reason)s") % {"reason": said},
            network_message=network_message,
            status=status,
        )
    if code == "M_TOO_LARGE" or status == 413:
        return PermanentError(
            _("The Matrix homeserver refused this as too large"),
            network_message=network_message,
            status=status,
        )
    if status == 401:
        return AuthError(
            _("The Matrix homeserver refused the credentials: reconnect the channel"),
            network_message=network_message,
            status=status,
        )
    if http.is_transient_status(status):
        return TransientError(
            _(
                "The Matrix homeserver is unavailable right now (HTTP %(status)s): Hubbub will "
                "try again"
            )
            % {"status": status},
            network_message=network_message,
            status=status,
            retry_at=http.retry_at(response),
        )
    return PermanentError(
        _("The Matrix homeserver rejected the request"),
        network_message=network_message,
        status=status,
    )


def errcode(exc: ConnectorError) -> str:
    """The M_... code a ConnectorError from error_for() carries, or ''."""
    return exc.network_message.split(":", 1)[0] if exc.network_message.startswith("M_") else ""


def discover(homeserver: str) -> str:
    """The Client-Server API base URL for what a person typed ("Server discovery").

    A URL (https://matrix.example.org) is used as given. A server name (example.org, as in
    @bot:example.org) is looked up with GET https://<name>/.well-known/matrix/client; when
    that file is absent, the server name itself is the base URL. Either way the base URL
    must answer GET /_matrix/client/versions, or it is no homeserver.
    """
    text = homeserver.strip().rstrip("/")
    base = text if text.startswith(("http://", "https://")) else _well_known(text)
    _versions(base)
    return base


def _well_known(server_name: str) -> str:
    fallback = f"https://{server_name}"
    response = network_request(
        NETWORK, "GET", f"{fallback}/.well-known/matrix/client", follow_redirects=True
    )
    if response.status_code == 404:
        return fallback  # "If the returned status code is 404, then IGNORE."
    if not response.is_success:
        raise PermanentError(
            _(
                "%(server)s answered its Matrix discovery file (/.well-known/matrix/client) with "
                "HTTP %(status)s: enter the homeserver's address (https://…) instead."
            )
            % {"server": server_name, "status": response.status_code},
            status=response.status_code,
        )
    base = http.json_object(response).get("m.homeserver")
    url = base.get("base_url") if isinstance(base, dict) else None
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        # "FAIL_PROMPT": the file is there but does not name a homeserver.
        raise PermanentError(
            _(
                "%(server)s's Matrix discovery file (/.well-known/matrix/client) does not name a "
                "homeserver: enter the homeserver's address (https://…) instead."
            )
            % {"server": server_name}
        )
    return url.rstrip("/")


def _versions(base: str) -> None:
    not_matrix = _("%(url)s is not a Matrix homeserver (GET /_matrix/client/versions failed).")
    try:
        body = call(base, "GET", f"{CLIENT}/versions")
    except ConnectorError as exc:
        if exc.status is None or not exc.permanent:
            raise  # unreachable, blocked, busy: the error says which
        raise PermanentError(
            not_matrix % {"url": base}, network_message=exc.network_message, status=exc.status
        ) from None
    if not isinstance(body.get("versions"), list):
        raise PermanentError(not_matrix % {"url": base})
