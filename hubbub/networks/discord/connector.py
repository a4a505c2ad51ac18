"""The Discord connector: one channel is one Discord channel, posted to through a webhook."""

from __future__ import annotations

from typing import Any, ClassVar

import pydantic
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    PermanentError,
    TextLimits,
)
from hubbub.networks.discord import posting
from hubbub.networks.discord.client import Webhook, call
from hubbub.networks.discord.limits import (
    IMAGE_FORMATS,
    MAX_ATTACHMENTS,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_UPLOAD_BYTES,
)
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# Webhook Object → Webhook Types: 1 Incoming (posts with a token), 2 Channel Follower and
# 3 Application, which cannot be executed with a token.
INCOMING = 1


class DiscordConfig(pydantic.BaseModel):
    webhook_id: str = ""
    channel_id: str = ""
    guild_id: str = ""


class DiscordConnector(Connector):
    name = "discord"
    label = "Discord"
    can_look_up = False  # a webhook cannot list its channel's messages: see posting.py
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # Execute Webhook, JSON body
            Capability.PUBLISH_IMAGE,  # Execute Webhook, multipart with files[n]
            Capability.DELETE,  # Delete Webhook Message
        }
    )
    # Not declared: threads (a webhook message cannot reply to another message, and posts
    # that merely follow each other are not a thread: others may write in between);
    # comments, mentions, direct messages, metrics and search (a webhook can only write:
    # it cannot read the channel, its reactions, or anything else); video (not yet).
    config_model: ClassVar[type[DiscordConfig]] = DiscordConfig
    config: DiscordConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_CONTENT, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=MAX_ATTACHMENTS,
                max_image_bytes=MAX_UPLOAD_BYTES,
                image_formats=IMAGE_FORMATS,
                max_alt_text=MAX_DESCRIPTION,
            ),
            max_thread_parts=None,
        )

    def webhook(self) -> Webhook:
        return Webhook(
            id=self.stored_secret("webhook_id"), token=self.stored_secret("webhook_token")
        )

    def call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        return call(method, self.webhook(), path, **kwargs)

    def check(self) -> Account:
        return account_from_webhook(self.call("GET"))

    # Publishing: see posting.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)


def account_from_webhook(webhook: Any) -> Account:
    """An Account from Get Webhook with Token's webhook object: the Discord channel it posts
    to (so that reconnecting with a new webhook for the same channel updates that channel)."""
    if not isinstance(webhook, dict) or not webhook.get("id") or not webhook.get("channel_id"):
        raise PermanentError(_("Discord answered without the webhook."))
    if webhook.get("type", INCOMING) != INCOMING:
        raise PermanentError(
            _(
                "This webhook cannot post messages (it follows another channel or belongs to "
                "an app): create a new webhook in Server Settings → Integrations → Webhooks."
            )
        )
    name = str(webhook.get("name") or _("Discord webhook"))
    channel_id, guild_id = str(webhook["channel_id"]), str(webhook.get("guild_id") or "")
    avatar = webhook.get("avatar")
    return Account(
        external_id=channel_id,
        handle=name,
        name=name,
        # "Reference" → Image Formatting, CDN Endpoints: a webhook's avatar is served as a
        # user avatar, under the webhook's id.
        avatar_url=(
            f"https://cdn.discordapp.com/avatars/{webhook['id']}/{avatar}.png" if avatar else ""
        ),
        profile_url=f"https://discord.com/channels/{guild_id}/{channel_id}" if guild_id else "",
    )
