"""A mention brought into the inbox: a conversation on the channel whose search found it, so
that the team answers it from there with that account (hubbub.inbox.ingest does the rest:
the author's identity, response targets, rules).

Feed items (news articles, blog posts) have no account to answer with: they cannot become
conversations, and the action says so.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.inbox.ingest import ingest
from hubbub.inbox.models import Conversation, Message, SourceKind
from hubbub.listening.models import ListeningAlert, Mention
from hubbub.networks.incoming import Author, Incoming

if TYPE_CHECKING:
    from hubbub.networks.models import Channel

log = logging.getLogger(__name__)

CRISIS_TAG = "crisis"
MAX_CRISIS_MENTIONS = 500


def _channel(mention: Mention) -> Channel:
    source = mention.source
    channel = source.channel if source is not None else None
    if channel is None or channel.disconnected_at is not None:
        if mention.network == "rss":
            raise ActionError(
                _("A feed item has no account to answer: open it on its site instead.")
            )
        raise ActionError(
            _("The channel that found this mention is gone: it cannot be answered from Hubbub.")
        )
    return channel


def _incoming(mention: Mention) -> Incoming:
    data = dict(mention.data or {})
    author_id = str(data.pop("author_id", "") or mention.author_handle)
    in_reply_to = str(data.pop("in_reply_to", "") or "")
    data.pop("shares", None)
    return Incoming(
        external_id=mention.external_id,
        text=mention.text,
        author=Author(
            external_id=author_id,
            handle=mention.author_handle,
            name=mention.author_name,
            profile_url=mention.author_url,
            followers_count=mention.author_reach,
        ),
        created_at=mention.published_at,
        url=mention.url,
        in_reply_to=in_reply_to,
        data=data,
    )


def conversation_for(mention: Mention) -> Conversation:
    """The mention's conversation, created the first time."""
    if mention.conversation_id is not None:
        found = Conversation.objects.filter(pk=mention.conversation_id).first()
        if found is not None:
            return found
    channel = _channel(mention)
    with transaction.atomic():
        ingest(channel, SourceKind.MENTIONS, [_incoming(mention)])
        message = (
            Message.objects.filter(channel=channel, external_id=mention.external_id)
            .select_related("conversation")
            .first()
        )
        if message is None:  # ingest refused it (its errors are logged): say so
            raise ActionError(_("The inbox could not take this mention in."))
        Mention.objects.filter(pk=mention.pk).update(conversation=message.conversation)
    mention.conversation = message.conversation
    return message.conversation


def crisis_conversations(access: Access, alert: ListeningAlert) -> list[Conversation]:
    """The alert's mentions that can be answered, as conversations tagged CRISIS_TAG."""
    from hubbub.inbox.actions_conversation import set_tags

    mentions = (
        Mention.objects.filter(
            matches__query_id=alert.query_id,
            published_at__gt=alert.window_start - timedelta(minutes=5),
            published_at__lte=alert.window_end + timedelta(minutes=30),
            duplicate_of__isnull=True,
        )
        .exclude(network="rss")
        .select_related("source", "source__channel")
        .order_by("published_at", "pk")[:MAX_CRISIS_MENTIONS]
    )
    conversations: dict[int, Conversation] = {}
    for mention in mentions:
        try:
            conversation = conversation_for(mention)
        except ActionError:
            continue  # its channel is gone: it stays in listening
        conversations[conversation.pk] = conversation
    for conversation in conversations.values():
        set_tags(access, conversation, [CRISIS_TAG])
    return list(conversations.values())


def bring_in(mention_ids: list[int]) -> int:
    """The queries' inbox rule: these new mentions become conversations, a batch per
    channel (one ingestion each); mentions of a feed or an import, with no channel to answer
    from, stay in listening. Returns how many became conversations. A failure is logged and
    leaves the mentions in listening: they are stored, and "To inbox" still works."""
    mentions = list(
        Mention.objects.filter(pk__in=mention_ids, conversation__isnull=True)
        .exclude(network="rss")
        .select_related("source", "source__channel")
        .order_by("published_at", "pk")
    )
    by_channel: dict[int, list[Mention]] = defaultdict(list)
    channels = {}
    for mention in mentions:
        source = mention.source
        channel = source.channel if source is not None else None
        if channel is None or channel.disconnected_at is not None:
            continue
        by_channel[channel.pk].append(mention)
        channels[channel.pk] = channel
    brought = 0
    for channel_id, found in by_channel.items():
        channel = channels[channel_id]
        try:
            with transaction.atomic():
                ingest(channel, SourceKind.MENTIONS, [_incoming(m) for m in found])
                messages = dict(
                    Message.objects.filter(
                        channel=channel, external_id__in=[m.external_id for m in found]
                    ).values_list("external_id", "conversation_id")
                )
                by_conversation: dict[int, list[int]] = defaultdict(list)
                for mention in found:
                    conversation_id = messages.get(mention.external_id)
                    if conversation_id is not None:
                        by_conversation[conversation_id].append(mention.pk)
                for conversation_id, pks in by_conversation.items():  # one UPDATE each
                    brought += Mention.objects.filter(pk__in=pks).update(
                        conversation_id=conversation_id
                    )
        except Exception:
            log.exception("listening: mentions could not go to the inbox of %s", channel)
    return brought
