"""The inbox's reading jobs: polling every minute, edits and deletions every 15 minutes, and
the backfill of a channel just connected (imported by hubbub.inbox.tasks)."""

from __future__ import annotations

import logging

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.inbox import polling, reconcile
from hubbub.networks.models import Channel

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("inbox-poll")  # one run at a time; a source is read by one worker anyway (claims)
def poll_inbox() -> None:
    polling.sync_sources()
    result = polling.poll_due()
    if result.errors:
        log.info("inbox polling: %s sources read, %s failed", result.polled, result.failed)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("inbox-reconcile")
def reconcile_inbox() -> None:
    reconcile.reconcile_due()


@db_task(retries=0)
def backfill_task(channel_id: int) -> None:
    channel = Channel.objects.filter(pk=channel_id).select_related("workspace").first()
    if channel is not None:
        polling.backfill(channel)


def backfill_after_connect(channel: Channel) -> None:
    """Call when a channel is connected or reconnected: its inbox is read once the
    connection is committed (the minute's polling would do it too, a little later)."""
    channel_id = channel.pk
    transaction.on_commit(lambda: backfill_task(channel_id))
