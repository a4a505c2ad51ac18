"""Calls to the YouTube Data API v3, and what Google's error answers mean.

Errors are Google's JSON error object
(https://developers.google.com/youtube/v3/docs/errors):
{"error": {"code": 403, "message": "...", "errors": [{"reason": "quotaExceeded",
"domain": "youtube.quota", "message": "..."}]}}. The `reason` says what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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

NETWORK = "YouTube"
API = "https://www.googleapis.com/youtube/v3"
UPLOAD = "https://www.googleapis.com/upload/youtube/v3/videos"
PACIFIC = ZoneInfo("America/Los_Angeles")

# Reasons that mean "over a limit that lifts by itself".
_QUOTA = {"quotaExceeded", "dailyLimitExceeded"}
_RATE = {"rateLimitExceeded", "userRateLimitExceeded"}


def call(
    method: str,
    path: str,
    token: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    timeout: float | None = None,
) -> httpx.Response:
    """One API call (path under /youtube/v3, or a full https:// URL); the response when it
    succeeded, else a ConnectorError."""
    url = path if path.startswith("https://") else f"{API}{path}"
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    response = network_request(
        NETWORK,
        method,
        url,
        headers=sent,
        params=params,
        json=json,
        content=content,
        timeout=timeout,
    )
    if response.is_success:
        return response
    raise error_for(response)


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """ "Daily quotas reset at midnight Pacific Time (PT)" (YouTube Data API, "Quota and
    Compliance Audits" and the quota calculator)."""
    now = (now or timezone.now()).astimezone(PACIFIC)
    return datetime.combine(now.date() + timedelta(days=1), time(0, 0), tzinfo=PACIFIC)


def reasons(body: dict[str, Any]) -> tuple[set[str], str]:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    found = {
        str(e.get("reason"))
        for e in (error or {}).get("errors") or ()
        if isinstance(e, dict) and e.get("reason")
    }
    return found, str((error or {}).get("message") or "")


def error_for(response: httpx.Response) -> ConnectorError:
    body = http.json_object(response)
    why, message = reasons(body)
    status = response.status_code
    said = message or response.reason_phrase
    if why & _QUOTA:
        return RateLimited(
            _(
                "The Hubbub server's YouTube API quota for today is used up: uploads resume "
                "after midnight Pacific Time, when Google resets it (the operator can ask "
                "Google for more quota)."
            ),
            next_pacific_midnight(),
            network_message=said,
            status=status,
        )
    if status == 429 or why & _RATE:
        return RateLimited(
            _("YouTube asks Hubbub to slow down: Hubbub waits a moment"),
            http.retry_at(response) or timezone.now() + timedelta(minutes=1),
            network_message=said,
            status=status,
        )
    if "uploadLimitExceeded" in why:
        return PermanentError(
            _(
                "This YouTube channel has reached the number of videos it may upload for "
                "now: publish this video later, or from YouTube Studio."
            ),
            network_message=said,
            status=status,
        )
    if "youtubeSignupRequired" in why:
        return PermanentError(
            _("This Google account has no YouTube channel: create one, then reconnect."),
            network_message=said,
            status=status,
        )
    if status == 401:
        return AuthError(
            _("YouTube no longer accepts this channel's authorization: reconnect it."),
            network_message=said,
            status=status,
        )
    if status == 403:
        # forbidden, insufficientPermissions, channelClosed, accountClosed...
        return PermanentError(
            _(
                "YouTube refuses: the connected Google account may not do this on the "
                "channel (it was removed as a manager, or Hubbub was not allowed every "
                "permission when it was connected)."
            ),
            network_message=said,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, said, status)
    return rejected(NETWORK, status, said)
