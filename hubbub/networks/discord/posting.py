"""Publishing on a Discord channel through its webhook: one part is one message.

publish: Execute Webhook (`POST /webhooks/{id}/{token}?wait=true`) with a JSON body for
text, or multipart/form-data for images (`payload_json` plus `files[n]`, each file's alt
text in `attachments[n].description`). `wait=true` makes Discord answer with the message it
created, whose id lets Hubbub link to it and delete it later.

Mentions: `allowed_mentions: {"parse": []}` on every message, so text that happens to say
@everyone, @here, or a <@user> or <@&role> mention shows it without notifying anyone: a
scheduled post must never ping a whole server by accident.

Idempotency: Execute Webhook has no idempotency key or nonce, and a webhook cannot list its
channel's messages (Get Webhook Message needs the message's id, which is exactly what an
unknown outcome lacks). So after a time-out once the request was sent, find_published
refuses with a permanent error rather than answering "not found": the delivery waits for a
person instead of risking a duplicate, as for Telegram.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, upload_file
from hubbub.networks.discord.limits import MAX_ATTACHMENTS, MAX_CONTENT
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.discord.connector import DiscordConnector

# "Message Resource" → Allowed Mentions Object: an empty `parse` list suppresses all
# mentions (users, roles, @everyone and @here).
NO_MENTIONS: dict[str, list[str]] = {"parse": []}


def publish(conn: DiscordConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None:
        raise PermanentError(
            _("A Discord webhook cannot reply to a message: publish this part as its own post.")
        )
    if len(part.text) > MAX_CONTENT:
        raise PermanentError(
            _(
                "Discord allows %(max)s characters in a message; this one has %(length)s: "
                "shorten it by %(over)s."
            )
            % {"max": MAX_CONTENT, "length": len(part.text), "over": len(part.text) - MAX_CONTENT}
        )
    if len(part.media) > MAX_ATTACHMENTS:
        raise PermanentError(
            _("Discord takes %(max)s images a message: remove %(over)s.")
            % {"max": MAX_ATTACHMENTS, "over": len(part.media) - MAX_ATTACHMENTS}
        )
    payload: dict[str, Any] = {"content": part.text, "allowed_mentions": NO_MENTIONS}
    params = {"wait": "true"}
    if part.media:
        payload["attachments"] = [
            _attachment(index, media) for index, media in enumerate(part.media)
        ]
        files = [(f"files[{index}]", upload_file(media)) for index, media in enumerate(part.media)]
        message = conn.call(
            "POST",
            params=params,
            data={"payload_json": json.dumps(payload)},
            files=files,
        )
    else:
        message = conn.call("POST", params=params, json=payload)
    return published_ref(conn, message)


def find_published(conn: DiscordConnector, part: OutgoingPart) -> PublishedRef | None:
    raise PermanentError(
        _(
            "Hubbub does not know whether Discord received this message (the connection "
            "broke after it was sent), and a webhook cannot read its channel to check. Look "
            "in the channel: if the message is missing, send it again."
        )
    )


def delete(conn: DiscordConnector, ref: PublishedRef) -> None:
    webhook = conn.webhook()
    posted_by = str(ref.data.get("webhook_id") or webhook.id)
    if posted_by != webhook.id:
        raise PermanentError(
            _(
                "This message was posted through an earlier webhook of this channel, and a "
                "webhook can only delete its own messages: delete it in Discord."
            )
        )
    try:
        conn.call("DELETE", f"/messages/{ref.external_id}")
    except PermanentError as exc:
        if exc.status == 404 and not exc.needs_reconnect:
            return  # Unknown Message: already gone, which is what a delete wants
        raise


def published_ref(conn: DiscordConnector, message: Any) -> PublishedRef:
    if not isinstance(message, dict) or not message.get("id"):
        raise PermanentError(_("Discord answered without the message it published."))
    message_id = str(message["id"])
    channel_id = str(message.get("channel_id") or conn.config.channel_id)
    guild_id = str(message.get("guild_id") or conn.config.guild_id)
    return PublishedRef(
        external_id=message_id,
        url=message_url(guild_id, channel_id, message_id),
        data={
            "channel_id": channel_id,
            "webhook_id": str(message.get("webhook_id") or conn.webhook().id),
        },
    )


def message_url(guild_id: str, channel_id: str, message_id: str) -> str:
    """The link Discord's "Copy Message Link" gives; it opens for the server's members."""
    if not guild_id or not channel_id:
        return ""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _attachment(index: int, media: MediaFile) -> dict[str, Any]:
    # "Reference" → Uploading Files: each files[n] is described by the attachment whose id
    # is n; description is the alt text screen readers announce.
    attachment: dict[str, Any] = {"id": index, "filename": media.path.name}
    if media.alt_text:
        attachment["description"] = media.alt_text
    return attachment
