"""Background jobs of the pushed webhooks (hubbub.networks.meta_webhooks, hubbub.networks.
telegram.webhook): what needs a call to the network, kept out of the answer to the push.

Imported by hubbub.networks.tasks, so that the worker knows these jobs.
"""

from __future__ import annotations

import logging

from django.db import transaction
from huey.contrib.djhuey import db_task

from hubbub.inbox.ingest import ingest
from hubbub.networks.base import ConnectorError
from hubbub.networks.models import Channel

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=60)
def instagram_mention_task(channel_id: int, media_id: str, comment_id: str) -> None:
    """Read the comment or caption an Instagram "mentions" webhook points at, and store it
    as a mention. A network error is retried twice, a minute apart, then logged."""
    from hubbub.networks.instagram.webhooks import fetch_mention

    channel = Channel.objects.connected().filter(pk=channel_id, network="instagram").first()
    if channel is None:
        return
    try:
        item = fetch_mention(channel, media_id, comment_id)
    except ConnectorError as exc:
        if exc.permanent:
            log.warning(
                "Instagram mention %s of channel %s could not be read: %s",
                comment_id or media_id,
                channel_id,
                exc,
            )
            return
        raise
    if item is not None:
        ingest(channel, "mentions", [item])


def instagram_mention(channel_id: int, media_id: str, comment_id: str) -> None:
    """Queue the lookup once the current transaction commits."""
    transaction.on_commit(lambda: instagram_mention_task(channel_id, media_id, comment_id))


@db_task(retries=2, retry_delay=60)
def after_connect_task(channel_id: int) -> None:
    from hubbub.networks.hooks import after_connect

    channel = Channel.objects.connected().filter(pk=channel_id).first()
    if channel is not None:
        after_connect(channel)
