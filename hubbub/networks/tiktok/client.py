"""Calls to TikTok's API v2 (open.tiktokapis.com), and what its error answers mean.

Every answer carries an error object, also on success
(https://developers.tiktok.com/doc/tiktok-api-v2-error-handling):
{"data": {...}, "error": {"code": "ok", "message": "", "log_id": "2022..."}}. A code other
than "ok" says what went wrong; the HTTP status agrees with it (401 for the token, 429 for
the rate limit, 400 for the request). The codes mapped here are those of the Content
Posting API's references (Direct Post, Query Creator Info, Get Post Status) and of the
v2 error handling page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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

NETWORK = "TikTok"
API = "https://open.tiktokapis.com/v2"
# "The rate limit is ... per 1-minute sliding window" (API v2 Rate Limits): without a
# Retry-After header, a minute from now is when the window has room again.
RATE_WINDOW = timedelta(minutes=1)


def profile_url(username: str) -> str:
    return f"https://www.tiktok.com/@{username}" if username else ""


class TokenInvalid(AuthError):
    """access_token_invalid: expired or revoked; refreshing once may cure it."""


def call(
    method: str,
    path: str,
    token: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
) -> dict[str, Any]:
    """One API call (path under /v2); its `data` object when TikTok said "ok", else a
    ConnectorError."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json; charset=UTF-8",
    }
    response = network_request(
        NETWORK, method, f"{API}{path}", headers=headers, params=params, json=json
    )
    body = http.json_object(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = str((error or {}).get("code") or "")
    if response.is_success and code in ("", "ok"):
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    raise error_for(response)


def error_parts(response: httpx.Response) -> tuple[str, str]:
    """TikTok's error code and its words (with the log id its support asks for)."""
    error = http.json_object(response).get("error")
    if not isinstance(error, dict):
        return "", response.reason_phrase
    code = str(error.get("code") or "")
    words = str(error.get("message") or code or response.reason_phrase)
    log_id = str(error.get("log_id") or "")
    return code, f"{words} (log_id {log_id})" if log_id else words


# Documented codes that retrying cannot cure, each with what a person does about it (marked
# for translation here, translated when raised).
_PERMANENT: dict[str, str] = {
    "privacy_level_option_mismatch": gettext_noop(
        "TikTok refused the channel's privacy level: choose one of the creator's privacy "
        "options in the channel's TikTok settings."
    ),
    "unaudited_client_can_only_post_to_private_accounts": gettext_noop(
        "Hubbub's TikTok app has not passed TikTok's audit yet, so TikTok accepts only "
        'private posts from it: choose "Only me" in the channel\'s TikTok settings, or ask '
        "the operator to have the app audited."
    ),
    "spam_risk_too_many_posts": gettext_noop(
        "This TikTok account has reached the number of posts TikTok allows it a day "
        "through apps: publish this one later."
    ),
    "spam_risk_user_banned_from_posting": gettext_noop(
        "TikTok does not let this account post at the moment: see the notices in the TikTok app."
    ),
    "spam_risk_too_many_pending_share": gettext_noop(
        "This TikTok account has too many posts waiting in its TikTok inbox: finish or "
        "delete them in the TikTok app, then publish again."
    ),
    "reached_active_user_cap": gettext_noop(
        "Hubbub's TikTok app has reached the number of accounts TikTok lets it post for "
        "today: publish this later (the operator can ask TikTok for a larger quota)."
    ),
    "url_ownership_unverified": gettext_noop(
        "TikTok will not fetch the files from this Hubbub server: the operator must "
        "verify the domain of HUBBUB_BASE_URL in the TikTok developer portal."
    ),
}


def error_for(response: httpx.Response) -> ConnectorError:
    code, said = error_parts(response)
    status = response.status_code
    if code == "rate_limit_exceeded" or status == 429:
        return RateLimited(
            _("TikTok asks Hubbub to slow down: Hubbub tries again in a minute"),
            http.retry_at(response) or timezone.now() + RATE_WINDOW,
            network_message=said,
            status=status,
        )
    if code == "access_token_invalid":
        return TokenInvalid(
            _("TikTok no longer accepts this account's authorization: reconnect it."),
            network_message=said,
            status=status,
        )
    if code in ("scope_not_authorized", "scope_permission_missed"):
        return AuthError(
            _(
                "The TikTok account did not allow Hubbub everything it needs: reconnect it "
                "and allow every permission TikTok lists (posting needs video.publish)."
            ),
            network_message=said,
            status=status,
        )
    if code in _PERMANENT:
        return PermanentError(_(_PERMANENT[code]), network_message=said, status=status)
    if status == 401:
        return TokenInvalid(
            _("TikTok no longer accepts this account's authorization: reconnect it."),
            network_message=said,
            status=status,
        )
    if code == "internal_error" or http.is_transient_status(status):
        return unavailable(response, NETWORK, said, status)
    return rejected(NETWORK, status, said)
