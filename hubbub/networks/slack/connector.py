"""The Slack connector: one channel is the Slack channel an incoming webhook posts to."""

from __future__ import annotations

from typing import ClassVar

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    TextLimits,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.slack import posting
from hubbub.networks.slack.client import Webhook, parse_webhook_url
from hubbub.networks.slack.limits import MAX_TEXT
from hubbub.networks.webhook_urls import NotAWebhookURL


class SlackConfig(pydantic.BaseModel):
    team_id: str = ""  # T…, the Slack workspace
    hook_id: str = ""  # B…, the webhook
    label: str = ""  # what the person called the channel when connecting, e.g. #news


class SlackConnector(Connector):
    name = "slack"
    label = "Slack"
    can_look_up = False  # a webhook answers "ok" and cannot read: see posting.py
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLISH_TEXT})
    # Not declared: images (an incoming webhook cannot upload a file; it can only show an
    # image that is already at a public URL, and Hubbub's media are private), threads (the
    # webhook does not say which message it created, so nothing can be replied to), delete
    # (same reason), and everything that reads (comments, mentions, direct messages,
    # metrics, search): an incoming webhook can only write.
    config_model: ClassVar[type[SlackConfig]] = SlackConfig
    config: SlackConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_TEXT, counting=Counting.CODE_POINTS),
            media=MediaLimits(),  # no images, no video: see above
            max_thread_parts=None,
        )

    def webhook(self) -> Webhook:
        try:
            return parse_webhook_url(self.stored_secret("webhook_url"))
        except NotAWebhookURL:
            raise AuthError(_("The channel has no Slack webhook URL: reconnect it.")) from None

    def check(self) -> Account:
        """Slack has no way to ask about an incoming webhook without posting through it:
        this only proves the stored URL is readable. A post that fails because the webhook
        is gone marks the channel for reconnection."""
        return account_for(self.webhook(), self.config.label)

    # Publishing: see posting.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)


def account_for(webhook: Webhook, label: str) -> Account:
    name = label.strip() or _("Slack webhook %(id)s") % {"id": webhook.hook_id}
    return Account(
        # The webhook, within its workspace: Slack does not tell a webhook's URL which
        # channel it posts to, so the webhook stands for the channel.
        external_id=f"{webhook.team_id}/{webhook.hook_id}",
        handle=name,
        name=name,
    )
