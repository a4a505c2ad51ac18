"""Response-time targets' periodic job: every minute, warn before breaches and record them
(hubbub.inbox.sla.check_targets). Imported by hubbub.inbox.tasks so Huey registers it."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.inbox import sla

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("inbox-check-targets")  # one run at a time; the claims make overlaps safe anyway
def check_targets() -> None:
    result = sla.check_targets()
    if result.warned or result.breached or result.errors:
        log.info(
            "targets: %s warned, %s breached, %s errors",
            result.warned,
            result.breached,
            len(result.errors),
        )
