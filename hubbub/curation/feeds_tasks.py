"""Reading subscribed feeds on their schedule: every minute, each due feed is claimed (a
conditional update, so two workers never read the same one) and read; a failing feed keeps
its error and backs off while the others go on (hubbub.curation.feeds.read_due)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.curation import feeds

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("curation-feeds-read")
def read_feeds() -> None:
    result = feeds.read_due()
    if result.failed:
        log.info("feeds: %s read, %s failed", result.read, result.failed)
