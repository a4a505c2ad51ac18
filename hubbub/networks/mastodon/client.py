"""Calls to a Mastodon server's REST API, and what its error answers mean.

We speak to the API with hubbub.core.http directly, not with Mastodon.py: that SDK sends
through `requests`, which would bypass our SSRF guard, time-outs and request logging.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
    classify_response,
    network_request,
)

NETWORK = "Mastodon"


def host_of(server: str) -> str:
    return urlsplit(server).netloc


def call(
    method: str,
    server: str,
    path: str,
    *,
    token: str = "",
    data: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    files: Any = None,
) -> Any:
    """One API call; the decoded JSON answer, or a ConnectorError that says what to do."""
    return json_of(
        call_response(
            method,
            server,
            path,
            token=token,
            data=data,
            params=params,
            headers=headers,
            files=files,
        )
    )


def call_response(
    method: str,
    server: str,
    path: str,
    *,
    token: str = "",
    data: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    files: Any = None,
) -> httpx.Response:
    """One API call; the successful response (its status matters: 202 = still processing)."""
    sent = {"Accept": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    response = network_request(
        NETWORK, method, server + path, headers=sent, data=data, params=params, files=files
    )
    if not response.is_success:
        raise error_for(response)
    return response


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PermanentError(
            gettext(
                "%(host)s answered with something that is not JSON (HTTP %(status)s): "
                "is this a Mastodon server?"
            )
            % {"host": host_of(str(response.url)), "status": response.status_code},
            status=response.status_code,
        ) from None


def network_message(response: httpx.Response) -> str:
    """Mastodon's own words: {"error": "..."} on the API, plus error_description on OAuth."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[key]) for key in ("error", "error_description") if body.get(key)]
    return ": ".join(parts)


def error_for(response: httpx.Response) -> ConnectorError:
    """Mastodon's documented error statuses, in the connector vocabulary.

    401: the token is invalid or revoked ({"error": "The access token is invalid"}), so a
    person must reconnect. 403, 404, 410 and 422 (validation: too long, bad media) fail the
    same way again. 429 carries X-RateLimit-Reset as an ISO 8601 time. 5xx are transient.
    """
    status = response.status_code
    message = network_message(response)
    host = host_of(str(response.url))
    if status == 401:
        return AuthError(
            gettext("%(host)s no longer accepts Hubbub's access token: reconnect the channel")
            % {"host": host},
            network_message=message,
            status=status,
        )
    if status == 429:
        return RateLimited(
            gettext("%(host)s rate limit reached: Hubbub waits until it resets") % {"host": host},
            http.retry_at(response),
            network_message=message,
            status=status,
        )
    if status == 403:
        return PermanentError(
            gettext("%(host)s does not allow this for this account") % {"host": host},
            network_message=message,
            status=status,
        )
    if status in (404, 410):
        return PermanentError(
            gettext("%(host)s does not know this (HTTP %(status)s)")
            % {"host": host, "status": status},
            network_message=message,
            status=status,
        )
    if status == 422:
        return PermanentError(
            gettext("%(host)s rejected the request") % {"host": host},
            network_message=message,
            status=status,
        )
    if http.is_transient_status(status):
        return TransientError(
            gettext("%(host)s is unavailable right now (HTTP %(status)s): Hubbub will try again")
            % {"host": host, "status": status},
            network_message=message,
            status=status,
            retry_at=http.retry_at(response),
        )
    return classify_response(response, host, message)
