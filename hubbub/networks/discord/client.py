"""Calls to a Discord webhook (https://discord.com/developers/docs/resources/webhook), and
what its error answers mean.

A webhook is addressed by its id and its token, both in the path:
`/api/v10/webhooks/{webhook.id}/{webhook.token}`. The token is the whole secret (anyone who
has the URL can post), so it is stored encrypted, masked by hubbub.core.http in its log
line, and never put into a message here.

Errors are JSON ("Reference" → Error Messages): `{"code": 10015, "message": "Unknown
Webhook"}`; a rate limit ("Topics" → Rate Limits, Exceeding A Rate Limit) answers 429 with
`retry_after` (seconds, a float) and the `X-RateLimit-Reset-After` header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks import webhook_urls
from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    network_request,
    unavailable,
)

NETWORK = "Discord"
API = "https://discord.com/api/v10"

# Discord's JSON error codes ("Opcodes and Status Codes" → JSON Error Codes) that matter here.
UNKNOWN_MESSAGE = 10008
UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027
REQUEST_TOO_LARGE = 40005

# The hosts Discord's clients copy webhook URLs from: the web app, the legacy domain, and
# the Canary and PTB test builds, which address the same API.
_HOSTS = {
    f"{prefix}{domain}"
    for prefix in ("", "canary.", "ptb.")
    for domain in ("discord.com", "discordapp.com")
}
_PATH = re.compile(
    r"^/api(?:/v\d+)?/webhooks/(?P<id>\d{15,21})/(?P<token>[A-Za-z0-9_-]{20,200})/?$"
)


@dataclass(frozen=True)
class Webhook:
    id: str
    token: str

    @property
    def url(self) -> str:
        return f"{API}/webhooks/{self.id}/{self.token}"


def parse_webhook_url(value: str) -> Webhook:
    """`https://discord.com/api/webhooks/{id}/{token}` (or discordapp.com, canary., ptb.)."""
    match = webhook_urls.match(value, _HOSTS, _PATH)
    return Webhook(id=match.group("id"), token=match.group("token"))


def call(
    method: str,
    webhook: Webhook,
    path: str = "",
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    files: Any = None,
) -> Any:
    """One call to the webhook; its JSON answer (None for 204 No Content), or a
    ConnectorError that says what to do."""
    response = network_request(
        NETWORK, method, webhook.url + path, params=params, json=json, data=data, files=files
    )
    if response.is_success:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PermanentError(
                _("Discord answered with something that is not JSON."),
                status=response.status_code,
            ) from None
    raise error_for(response)


def error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    body = http.json_object(response)
    code = body.get("code") if isinstance(body.get("code"), int) else None
    words = str(body.get("message") or response.reason_phrase or "")
    if code is not None and str(code) not in words:
        words = f"{words} ({code})"
    if status == 429:
        return RateLimited(
            _("Discord's rate limit for this webhook reached: Hubbub waits until it lifts"),
            _retry_at(response, body),
            network_message=words,
            status=status,
        )
    if code == UNKNOWN_MESSAGE:
        return PermanentError(
            _("Discord no longer has this message."), network_message=words, status=status
        )
    if status in (401, 404) or code in (UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN):
        # 404 "Unknown Webhook" (10015): someone deleted the webhook in Discord, or the
        # channel it belonged to; 401 "Invalid Webhook Token" (50027): it was reset.
        return AuthError(
            _(
                "The webhook was deleted in Discord (or its URL changed): create a new one in "
                "Server Settings → Integrations → Webhooks, then reconnect the channel with "
                "its URL"
            ),
            network_message=words,
            status=status,
        )
    if status == 403:
        return AuthError(
            _(
                "Discord refuses this webhook the right to post in its channel: check the "
                "channel's permissions, or create a new webhook and reconnect the channel"
            ),
            network_message=words,
            status=status,
        )
    if status == 413 or code == REQUEST_TOO_LARGE:
        return PermanentError(
            _(
                "The images are too large for this Discord server (10 MiB a file unless the "
                "server is boosted): make them smaller"
            ),
            network_message=words,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, words, status)
    return PermanentError(_("Discord rejected the message"), network_message=words, status=status)


def _retry_at(response: httpx.Response, body: dict[str, Any]) -> Any:
    """`retry_after` in the body (seconds, may be fractional), else the Reset-After header."""
    seconds: float | None = None
    value = body.get("retry_after")
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        try:
            seconds = float(response.headers.get("x-ratelimit-reset-after", ""))
        except ValueError:
            seconds = None
    if seconds is None or seconds < 0:
        return http.retry_at(response)
    return timezone.now() + timedelta(seconds=seconds)
