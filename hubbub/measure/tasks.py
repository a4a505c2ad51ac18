"""Measure's background job: due post and channel counts read every five minutes."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.measure import collection

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("measure-collect")
def collect_metrics() -> None:
    result = collection.collect_due()
    if result.problems:
        log.info(
            "metrics: %s posts and %s channels read; %s",
            result.posts,
            result.channels,
            "; ".join(result.problems),
        )
