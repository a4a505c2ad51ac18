"""Reports' background job: due scheduled reports e-mailed every five minutes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.reporting import schedules


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reports-send")
def send_reports() -> None:
    schedules.send_due()
