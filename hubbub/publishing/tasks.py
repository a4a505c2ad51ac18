"""Background jobs: each delivery runs at its due time, and a sweep every minute catches the rest.

`deliver_task` is enqueued with eta=due_at when a post is scheduled, so posts go out on time
without waiting for the sweep. The sweep is the safety net (a lost queue message, a worker
that was down, a retry time that came): it hands every due, unclaimed delivery to the
workers, and raises the missed-post alarm for any more than five minutes late. Enqueuing the
same delivery twice is harmless: only one claim succeeds.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.publishing import dispatcher

log = logging.getLogger(__name__)


@db_task(retries=0)
def deliver_task(delivery_id: int) -> None:
    # With it goes whatever else is due: a minute with thousands of posts is sent in
    # concurrent batches, and the later jobs find their delivery already out.
    dispatcher.deliver_due(delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("publishing-sweep")  # one sweep at a time, whatever the number of workers
def sweep() -> None:
    dispatcher.report_missed()
    for delivery_id in dispatcher.due_ids():
        deliver_task(delivery_id)


def enqueue(delivery_id: int, eta: datetime | None = None) -> None:
    """After the current transaction commits (the worker must see the row), run the delivery
    at `eta`, or now."""

    def send() -> None:
        if eta is None:
            deliver_task(delivery_id)
        else:
            deliver_task.schedule(args=(delivery_id,), eta=eta)

    transaction.on_commit(send)
