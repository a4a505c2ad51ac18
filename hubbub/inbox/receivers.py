"""What the inbox does when publishing reports on a reply's delivery.

Connected when the app loads (hubbub.inbox.apps). Publishing sends these after commit and
with send_robust; a receiver here must still never raise into the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils.translation import gettext as _

from hubbub.core.notifications import notify
from hubbub.inbox.actions_common import conversation_url, who
from hubbub.inbox.models import Conversation, Direction, Message
from hubbub.publishing import signals
from hubbub.publishing.models import Delivery, PostKind

log = logging.getLogger(__name__)


def _reply_message(delivery: Delivery) -> Message | None:
    if delivery.post.kind != PostKind.REPLY:
        return None
    return (
        Message.objects.filter(delivery_id=delivery.pk)
        .select_related("conversation", "conversation__workspace", "conversation__identity")
        .first()
    )


@receiver(signals.delivery_published, dispatch_uid="inbox.reply_published")
def reply_published(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
    """The reply is out: its message gets the network's id and address (so polling knows it
    for ours, and it can be liked, hidden or deleted like any other)."""
    message = _reply_message(delivery)
    if message is None or not delivery.published_refs:
        return
    first = delivery.published_refs[0]
    external_id = str(first.get("external_id", ""))[:1000]
    url = str(first.get("url", ""))[:2000]
    data = first.get("data") if isinstance(first.get("data"), dict) else {}
    try:
        with transaction.atomic():
            # Polling may have read our reply back before this ran: that copy is this one.
            seen = Message.objects.filter(
                channel_id=message.channel_id,
                external_id=external_id,
                direction=Direction.OUTBOUND,
                delivery__isnull=True,
            ).exclude(pk=message.pk)
            for copy in seen:
                copy.delete()
                Conversation.objects.filter(pk=copy.conversation_id).update(
                    message_count=F("message_count") - 1
                )
            Message.objects.filter(pk=message.pk).update(
                external_id=external_id, url=url, data={**message.data, **data}
            )
    except IntegrityError:
        log.exception("reply %s is out as %s, already an inbound message", message.pk, external_id)


@receiver(signals.delivery_needs_attention, dispatch_uid="inbox.reply_needs_attention")
def reply_needs_attention(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
    """The reply could not go out: its author is told, with a link to the conversation
    (where it shows as failed, with the network's words)."""
    message = _reply_message(delivery)
    author = delivery.post.author
    if message is None or author is None:
        return
    conversation = message.conversation
    name, error = who(conversation), delivery.last_error

    def text() -> str:
        return _("Your reply to %(who)s could not be sent: %(error)s") % {
            "who": name,
            "error": error or _("the network refused it"),
        }

    notify(
        [author], conversation.workspace, "inbox.reply_failed", text, conversation_url(conversation)
    )


@receiver(signals.delivery_published, dispatch_uid="inbox.comments_source")
def comments_source(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
    """A post just published: its comments are read from the next minute on."""
    if delivery.post.kind == PostKind.REPLY:
        return
    try:
        from hubbub.inbox.polling import source_for_delivery

        source_for_delivery(delivery)
    except Exception:
        log.exception("comments of delivery %s will be read from the next sync", delivery.pk)
