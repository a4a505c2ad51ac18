"""Publishing on a Slack channel through its incoming webhook: one part is one message.

publish: `POST <webhook URL>` with `{"text": ...}`. Slack reads `text` as mrkdwn, where `&`,
`<` and `>` are control characters (`<https://…|label>` links, `<!channel>` pings): they are
escaped as Slack's "Formatting text for app surfaces" → "Escaping text" says, so that what
the person wrote is shown as written and never notifies a whole channel by accident.

What the webhook answers is `ok`, nothing more: no message id, no timestamp, no link. The
PublishedRef's external_id is therefore Hubbub's own (`slack:` and the part's idempotency
key), and its url is empty.

Idempotency: a webhook has no idempotency key and cannot read its channel. After a
time-out once the request was sent, find_published refuses with a permanent error rather
than answering "not found": the delivery waits for a person who looks in the channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.slack.client import post
from hubbub.networks.slack.limits import MAX_TEXT

if TYPE_CHECKING:
    from hubbub.networks.slack.connector import SlackConnector


def escape(text: str) -> str:
    """Slack's three control characters, as entities; & first, or it would be doubled."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def publish(conn: SlackConnector, part: OutgoingPart) -> PublishedRef:
    if part.media:
        raise PermanentError(
            _(
                "A Slack incoming webhook cannot upload images: remove the image, or put a "
                "link to it in the text."
            )
        )
    if part.reply_to is not None:
        raise PermanentError(
            _("A Slack incoming webhook cannot reply to a message: publish this part alone.")
        )
    if len(part.text) > MAX_TEXT:
        raise PermanentError(
            _(
                "Slack shows up to %(max)s characters of a message in full; this one has "
                "%(length)s: shorten it by %(over)s."
            )
            % {"max": MAX_TEXT, "length": len(part.text), "over": len(part.text) - MAX_TEXT}
        )
    webhook = conn.webhook()
    post(webhook, {"text": escape(part.text)})
    return PublishedRef(
        external_id=f"slack:{part.idempotency_key}", url="", data={"hook_id": webhook.hook_id}
    )


def find_published(conn: SlackConnector, part: OutgoingPart) -> PublishedRef | None:
    raise PermanentError(
        _(
            "Hubbub does not know whether Slack received this message (the connection broke "
            "after it was sent), and an incoming webhook cannot read its channel to check. "
            "Look in the channel: if the message is missing, send it again."
        )
    )
