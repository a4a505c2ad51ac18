"""Sending alerts in the background (registered with Huey when the app loads).

One job per destination and alert, so a destination that is down or slow never holds up
the others. A failure worth retrying schedules the next attempt with a growing delay
(sending.BACKOFF); the destination's `last_error` says what went wrong meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from huey.contrib.djhuey import db_task

from hubbub.notify import sending

log = logging.getLogger(__name__)


@db_task(retries=0)
def send_alert_task(destination_id: int, alert: dict[str, Any], attempt: int = 1) -> None:
    outcome = sending.deliver(destination_id, sending.Alert.from_dict(alert))
    if not outcome.retry:
        return
    if attempt >= sending.MAX_ATTEMPTS:
        log.warning(
            "alert %s to destination %s: gave up after %s attempts",
            alert.get("id"),
            destination_id,
            attempt,
        )
        return
    delay = sending.retry_delay(attempt, outcome.retry_at)
    send_alert_task.schedule(
        args=(destination_id, alert, attempt + 1), delay=int(delay.total_seconds())
    )


def enqueue(destination_id: int, alert: sending.Alert) -> None:
    """Send once the current transaction commits (the worker must see what it reports)."""
    data = alert.as_dict()
    transaction.on_commit(lambda: send_alert_task(destination_id, data))
