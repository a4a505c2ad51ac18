"""Calls to LinkedIn's versioned REST API (https://api.linkedin.com/rest/...), and what its
error answers mean.

Every call carries `LinkedIn-Version: YYYYMM` (the API version Hubbub was written against;
LinkedIn keeps each version for at least a year, "LinkedIn Marketing API Versioning") and
`X-Restli-Protocol-Version: 2.0.0`. Rest.li 2.0 wants URNs in query strings and paths
percent-encoded (urn%3Ali%3Aorganization%3A123) and lists written List(a,b): the query
strings are built here by hand, so that httpx does not encode the parentheses and commas.

Errors (https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling) are
JSON: {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "..."}.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

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
    rejected,
    unavailable,
)

NETWORK = "LinkedIn"
API = "https://api.linkedin.com/rest"
# The Marketing API version of the documents this connector follows (li-lms-2026-05).
VERSION = "202605"


def headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def urn(value: str) -> str:
    """A URN as Rest.li 2.0 wants it in a path or a query value."""
    return quote(value, safe="")


def query(pairs: Sequence[tuple[str, str]]) -> str:
    """A query string whose values are already encoded (URNs, List(...))."""
    return "&".join(f"{name}={value}" for name, value in pairs)


def call(
    method: str,
    path: str,
    token: str,
    *,
    json: Any = None,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One API call; the response when it succeeded, else a ConnectorError."""
    url = path if path.startswith("https://") else f"{API}{path}"
    sent = {**headers(token), **(extra_headers or {})}
    response = network_request(NETWORK, method, url, headers=sent, json=json)
    if response.is_success:
        return response
    raise error_for(response)


def next_midnight_utc(now: datetime | None = None) -> datetime:
    """LinkedIn's daily limits "reset at midnight UTC every day" (API guide, Rate Limits)."""
    now = now or timezone.now()
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=UTC)


def error_for(response: httpx.Response) -> ConnectorError:
    body = http.json_object(response)
    status = int(body.get("status") or response.status_code)
    code = str(body.get("code") or "")
    message = str(body.get("message") or response.reason_phrase or "")
    said = f"{code}: {message}" if code and code not in message else message
    if status == 401:
        # EXPIRED_ACCESS_TOKEN (the 60 days are over) or REVOKED_ACCESS_TOKEN (the person
        # removed Hubbub in their LinkedIn settings, or changed their password).
        return AuthError(
            _("LinkedIn no longer accepts this channel's authorization: reconnect it."),
            network_message=said,
            status=status,
        )
    if status == 403:
        # ACCESS_DENIED, "Not enough permissions to access ...": the person is no longer an
        # administrator (Super or Content admin) of this page, or the app lost the product.
        return PermanentError(
            _(
                "LinkedIn refuses: the account that connected this page is no longer one of "
                "its administrators (or Hubbub's LinkedIn app lost its permissions). A Super "
                "admin or Content admin of the page should reconnect it."
            ),
            network_message=said,
            status=status,
        )
    if status == 422 and (code == "DUPLICATE_POST" or "duplicate" in message.lower()):
        return PermanentError(
            _("LinkedIn refuses a post identical to one the page already published."),
            network_message=said,
            status=status,
        )
    if status == 429:
        return RateLimited(
            _("LinkedIn's daily limit is reached: Hubbub waits until it resets"),
            http.retry_at(response) or next_midnight_utc(),
            network_message=said,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, said, status)
    return rejected(NETWORK, status, said)
