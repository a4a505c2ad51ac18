"""Connect a Slack channel to a workspace: the one action the page and the API call.

The person created a Slack app with an incoming webhook for the channel and pasted the
webhook's URL. Slack offers no way to ask about an incoming webhook without posting through
it, so Hubbub checks the URL's form, and, only when the person asks for it, posts "Hubbub is
connected" to prove it works before saving. Otherwise the first post proves it: should the
webhook be gone by then, that post fails and the channel asks to be reconnected.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import Connection, ConnectorError
from hubbub.networks.models import Channel
from hubbub.networks.slack.client import parse_webhook_url, post
from hubbub.networks.slack.connector import SlackConfig, SlackConnector, account_for
from hubbub.networks.slack.posting import escape
from hubbub.networks.webhook_urls import NotAWebhookURL


class ConnectFailed(ActionError):
    """The test message failed; `error` keeps Slack's details (retry_at...)."""

    def __init__(self, message: str, field: str | None, error: ConnectorError) -> None:
        super().__init__(message, field)
        self.error = error


def connect_slack(
    access: Access, webhook_url: str, label: str = "", send_test_message: bool = False
) -> Channel:
    """Check the URL (and post a test message when asked), then save the channel; nothing is
    saved on failure. Raises ActionError with the form field at fault."""
    access.require("channels.connect")
    try:
        webhook = parse_webhook_url(webhook_url)
    except NotAWebhookURL:
        raise ActionError(
            _(
                "This is not a Slack incoming webhook URL. In your Slack app's settings "
                "(api.slack.com/apps), open Incoming Webhooks, add a webhook to the channel "
                "and copy its URL; it starts with https://hooks.slack.com/services/."
            ),
            field="webhook_url",
        ) from None
    label = label.strip()
    if send_test_message:
        try:
            post(webhook, {"text": escape(_("Hubbub is connected."))})
        except ConnectorError as exc:
            if exc.permanent:
                raise ConnectFailed(str(exc), "webhook_url", exc) from exc
            raise ConnectFailed(
                _("Slack could not be reached or is busy: try again in a minute (%(error)s).")
                % {"error": exc},
                None,
                exc,
            ) from exc
    connection = Connection(
        account=account_for(webhook, label),
        credentials={"webhook_url": webhook.url},
        config=SlackConfig(
            team_id=webhook.team_id, hook_id=webhook.hook_id, label=label
        ).model_dump(),
        token_expires_at=None,  # webhook URLs do not expire; removing the webhook ends them
    )
    return save_connection(access, SlackConnector.name, connection)
