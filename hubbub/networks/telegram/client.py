"""Calls to the Telegram Bot API (https://core.telegram.org/bots/api), and what its error
answers mean.

Every method is `POST {base}/bot<token>/<method>`; the answer is always a JSON object with
`ok`. On success `result` holds the value; on failure `error_code` (mirroring the HTTP
status), `description` (Telegram's own words) and sometimes `parameters.retry_after`
(seconds to wait after a flood limit). The base URL is https://api.telegram.org unless
HUBBUB_TELEGRAM_API_URL names another (a self-hosted telegram-bot-api server, or tests).

The token is part of the path: hubbub.core.http masks `/bot<token>` in its log line, and no
message here ever includes the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
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

NETWORK = "Telegram"
DEFAULT_API_URL = "https://api.telegram.org"

# Telegram's descriptions (Bot API answers, "Bad Request: ..." / "Forbidden: ...") that mean
# the bot can no longer post in the channel: a person must restore its rights, then
# reconnect. Retrying the same call cannot help.
_LOST_ACCESS = (
    "bot was kicked",
    "bot is not a member",
    "chat not found",
    "not enough rights",
    "need administrator rights",
    "have no rights to send",
    "chat_write_forbidden",
)


def api_url() -> str:
    return str(getattr(settings, "HUBBUB_TELEGRAM_API_URL", "") or DEFAULT_API_URL).rstrip("/")


def call(
    token: str,
    method: str,
    *,
    json: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
) -> Any:
    """One Bot API method; its `result`, or a ConnectorError that says what to do."""
    response = network_request(
        NETWORK, "POST", f"{api_url()}/bot{token}/{method}", json=json, data=data, files=files
    )
    body = http.json_object(response)
    if response.is_success and body.get("ok") is True and "result" in body:
        return body["result"]
    raise error_for(response, body)


def error_for(response: httpx.Response, body: dict[str, Any]) -> ConnectorError:
    """The Bot API's errors in the connector vocabulary (https://core.telegram.org/bots/api
    "Making requests": `ok` false, `error_code`, `description`, `parameters`)."""
    status = int(body.get("error_code") or response.status_code)
    if response.is_success and status < 400:  # a 200 without ok/result: not the Bot API
        return PermanentError(
            _("Telegram answered with something that is not a Bot API answer."),
            status=response.status_code,
        )
    description = str(body.get("description") or response.reason_phrase or "")
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    lowered = description.lower()
    if status == 429:
        # "Too Many Requests: retry after N", with parameters.retry_after = N seconds.
        retry_after = parameters.get("retry_after") if parameters else None
        when = (
            timezone.now() + timedelta(seconds=int(retry_after))
            if isinstance(retry_after, int | float)
            else http.retry_at(response)
        )
        return RateLimited(
            _("Telegram's flood limit reached: Hubbub waits until it lifts"),
            when,
            network_message=description,
            status=status,
        )
    if status == 401 or status == 404:
        # 401 "Unauthorized": the token was revoked (/revoke in @BotFather) or never existed;
        # 404 "Not Found": the path, hence the token, is malformed.
        return AuthError(
            _("Telegram does not know this bot token: copy it again from @BotFather"),
            network_message=description,
            status=status,
        )
    if status == 403 or any(words in lowered for words in _LOST_ACCESS):
        return AuthError(
            _(
                "The bot can no longer post in this channel: add it again as an administrator "
                'with the "Post messages" right, then reconnect the channel'
            ),
            network_message=description,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, description, status)
    return PermanentError(
        _("Telegram rejected the request"), network_message=description, status=status
    )
