"""Background jobs: each message is sent as soon as it is written; a sweep every minute makes
the retries that came due (and catches a message whose job was lost), and forgets finished
messages older than 30 days."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.webhooks import sending


@db_task(retries=0)
def send_task(message_id: int) -> None:
    sending.attempt(message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("webhooks-sweep")  # one sweep at a time, whatever the number of workers
def sweep() -> None:
    for message_id in sending.due_ids():
        send_task(message_id)
    sending.prune()


def enqueue(message_ids: Iterable[int]) -> None:
    """Send these messages once the current transaction commits (the worker must see them)."""
    ids = list(message_ids)

    def send() -> None:
        for message_id in ids:
            send_task(message_id)

    if ids:
        transaction.on_commit(send)
