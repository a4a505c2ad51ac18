"""Calls to a Slack incoming webhook ("Sending messages using incoming webhooks",
https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks), and what its
error answers mean.

The webhook's URL is `https://hooks.slack.com/services/T<team>/B<hook>/<secret>`: the last
segment is the whole secret (anyone who has the URL can post), so it is stored encrypted,
masked by hubbub.core.http in its log line, and never put into a message here.

A webhook answers `200 ok` as plain text, and nothing else: no message id, no timestamp.
Errors are plain text too ("Handling errors"): an HTTP status with a short code as body,
e.g. `404 no_service`, `410 channel_is_archived`, `403 action_prohibited`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

NETWORK = "Slack"
HOST = "hooks.slack.com"
_PATH = re.compile(
    r"^/services/(?P<team>T[A-Z0-9]{6,15})/(?P<hook>B[A-Z0-9]{6,15})/(?P<secret>[A-Za-z0-9]{20,40})/?$"
)


@dataclass(frozen=True)
class Webhook:
    team_id: str
    hook_id: str
    secret: str

    @property
    def url(self) -> str:
        return f"https://{HOST}/services/{self.team_id}/{self.hook_id}/{self.secret}"


def parse_webhook_url(value: str) -> Webhook:
    """`https://hooks.slack.com/services/T…/B…/<secret>`."""
    match = webhook_urls.match(value, {HOST}, _PATH)
    return Webhook(match.group("team"), match.group("hook"), match.group("secret"))


# Slack's error codes ("Handling errors" in "Sending messages using incoming webhooks") that
# mean the webhook can no longer post where it did: a person must act in Slack (create a new
# webhook, or unarchive the channel), then reconnect the channel in Hubbub.
_GONE: dict[str, Any] = {
    "invalid_token": gettext_lazy(
        "The Slack webhook's URL is no longer valid (it was regenerated or "
        "revoked): add a new webhook to the channel and reconnect it with its URL"
    ),
    "no_service": gettext_lazy(
        "The webhook was removed or disabled in Slack (or its app was "
        "uninstalled): add a new webhook to the channel and reconnect it with its URL"
    ),
    "no_team": gettext_lazy(
        "The Slack workspace of this webhook no longer exists: reconnect the channel "
        "with a webhook of another workspace"
    ),
    "team_disabled": gettext_lazy(
        "The Slack workspace of this webhook is disabled: reconnect the channel "
        "once it is active again"
    ),
    "channel_not_found": gettext_lazy(
        "The Slack channel of this webhook was deleted: add a webhook to "
        "another channel and reconnect with its URL"
    ),
    "channel_is_archived": gettext_lazy(
        "The Slack channel of this webhook is archived: unarchive it in "
        "Slack, then reconnect the channel in Hubbub"
    ),
}
# Codes that refuse this message, or every message, for reasons reconnecting cannot fix.
_REFUSED: dict[str, Any] = {
    "action_prohibited": gettext_lazy(
        "A Slack administrator has restricted posting in this channel: "
        "ask them to allow the app to post there"
    ),
    "posting_to_general_channel_denied": gettext_lazy(
        "Only Slack administrators may post in this "
        "channel (#general): use a webhook for another channel"
    ),
    "invalid_payload": gettext_lazy("Slack could not read the message Hubbub sent"),
    "user_not_found": gettext_lazy("Slack could not find the person this webhook posts to"),
    "too_many_attachments": gettext_lazy("Slack refused the message: too many attachments"),
}


def post(webhook: Webhook, payload: dict[str, Any]) -> None:
    """Send one message; return when Slack answered `ok`, else raise a ConnectorError."""
    response = network_request(NETWORK, "POST", webhook.url, json=payload)
    if response.is_success:
        return
    raise error_for(response)


def error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    code = response.text.strip()[:200] or response.reason_phrase
    if status == 429:
        # "Rate limits": one message a second per webhook, short bursts allowed; the 429
        # carries Retry-After in seconds.
        return RateLimited(
            _("Slack's rate limit for this webhook reached: Hubbub waits until it lifts"),
            http.retry_at(response),
            network_message=code,
            status=status,
        )
    if code in _GONE:
        return AuthError(str(_GONE[code]), network_message=code, status=status)
    if code in _REFUSED:
        return PermanentError(str(_REFUSED[code]), network_message=code, status=status)
    if status in (403, 404, 410):
        return AuthError(
            _(
                "Slack no longer accepts this webhook: add a new webhook to the channel and "
                "reconnect it with its URL"
            ),
            network_message=code,
            status=status,
        )
    if http.is_transient_status(status):
        return unavailable(response, NETWORK, code, status)
    return PermanentError(_("Slack rejected the message"), network_message=code, status=status)
