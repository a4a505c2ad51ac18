"""Calls to the Pinterest API v5 and what its errors mean.

Every call goes through hubbub.core.http with the access token as a Bearer header. Errors
("Errors" in the v5 reference) are {"code": <int>, "message": <string>}, and the HTTP status
says what to do: 401 the token is expired or revoked (the connector refreshes once, then
asks for a reconnect), 403 a permission or board Hubbub may not use, 404 a board or Pin
that is gone, 429 a rate limit (x-ratelimit-reset / Retry-After when Pinterest sends them;
its limits are per minute, so a minute otherwise), 408 and 5xx temporary.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    network_request,
    unavailable,
)
from hubbub.networks.pinterest.oauth import API, NETWORK

# "Rate limits": Standard access counts per minute (Trial per day, which a retry an hour
# later would still meet; the answer's headers win when present).
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=1)


class Missing(PermanentError):
    """404: the board or Pin does not exist (any more), or the account cannot see it."""


def url(path: str) -> str:
    return f"{API}/{path.lstrip('/')}"


def send(
    method: str,
    path: str,
    *,
    token: str,
    params: dict[str, Any] | None = None,
    json: Any = None,
    timeout: float | None = None,
) -> httpx.Response:
    return network_request(
        NETWORK,
        method,
        url(path),
        params=params or None,
        json=json,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=timeout,
    )


def error_for(response: httpx.Response) -> ConnectorError:
    body = http.json_object(response)
    status = response.status_code
    words = str(body.get("message") or response.reason_phrase)
    if "code" in body:
        words = f"{words} (code {body['code']})"
    if status == 401:
        return AuthError(
            _(
                "Pinterest no longer accepts this authorization (expired, or Hubbub's access "
                "was removed in the account's settings): connect the account again."
            ),
            network_message=words,
            status=status,
        )
    if status == 403:
        return PermanentError(
            _(
                "Pinterest refuses: this account may not do that on this board (a board it "
                "no longer owns or collaborates on, or a permission it did not grant)."
            ),
            network_message=words,
            status=status,
        )
    if status == 404:
        return Missing(
            _("Pinterest says this board or Pin does not exist, or the account cannot see it."),
            network_message=words,
            status=status,
        )
    if status == 429:
        return RateLimited(
            _("Pinterest's rate limit reached: Hubbub waits until it lifts."),
            http.retry_at(response) or timezone.now() + DEFAULT_RATE_LIMIT_WAIT,
            network_message=words,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, words, status)
    return PermanentError(
        _("Pinterest rejected the request."), network_message=words, status=status
    )
