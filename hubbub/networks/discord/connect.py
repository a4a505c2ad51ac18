"""Connect a Discord channel to a workspace: the one action the page and the API call.

The person created a webhook in the channel (Server Settings → Integrations → Webhooks, or
the channel's own Edit Channel → Integrations) and pasted its URL. We ask Discord for that
webhook (Get Webhook with Token, which needs no other authorization): only when it answers
is the channel saved, with the webhook's token encrypted.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Connection, ConnectorError
from hubbub.networks.discord.client import call, parse_webhook_url
from hubbub.networks.discord.connector import (
    DiscordConfig,
    DiscordConnector,
    account_from_webhook,
)
from hubbub.networks.models import Channel
from hubbub.networks.webhook_urls import NotAWebhookURL


class ConnectFailed(ActionError):
    """Discord refused or could not be reached; `error` keeps its details (retry_at...)."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error


def connect_discord(access: Access, webhook_url: str) -> Channel:
    """Check the webhook with Discord, then save the channel; nothing is saved on failure.
    Raises ActionError with the form field at fault."""
    access.require("channels.connect")
    try:
        webhook = parse_webhook_url(webhook_url)
    except NotAWebhookURL:
        raise ActionError(
            _(
                "This is not a Discord webhook URL. In Discord, open Server Settings → "
                "Integrations → Webhooks, choose the webhook of your channel (or create one) "
                "and click Copy Webhook URL; it starts with https://discord.com/api/webhooks/."
            ),
            field="webhook_url",
        ) from None
    try:
        answer = call("GET", webhook)
        account = account_from_webhook(answer)
    except ConnectorError as exc:
        if exc.permanent:
            raise ConnectFailed(str(exc), "webhook_url", exc) from exc
        raise ConnectFailed(
            _("Discord could not be reached or is busy: try again in a minute (%(error)s).")
            % {"error": exc},
            None,
            exc,
        ) from exc
    connection = Connection(
        account=account,
        credentials={"webhook_id": webhook.id, "webhook_token": webhook.token},
        config=DiscordConfig(
            webhook_id=webhook.id,
            channel_id=str(answer["channel_id"]),
            guild_id=str(answer.get("guild_id") or ""),
        ).model_dump(),
        token_expires_at=None,  # webhook tokens do not expire; deleting the webhook ends them
    )
    return save_connection(access, DiscordConnector.name, connection)
