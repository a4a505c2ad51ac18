"""Periodic jobs of coverage: handing off absences as they begin, and the overnight digests.
(hubbub.inbox.tasks imports this module so Huey registers them.)"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.inbox import coverage, digest


@db_periodic_task(crontab(minute="*/5"))
@lock_task("inbox-handoff")  # one run at a time, whatever the number of workers
def hand_off_absences() -> None:
    """Every 5 minutes: an absence that has begun hands its person's conversations over to
    whoever is on duty (each absence once)."""
    from django.utils import timezone

    coverage.hand_off_due(timezone.now())


@db_periodic_task(crontab(minute="*/15"))
@lock_task("inbox-digests")
def send_inbox_digests() -> None:
    """Every 15 minutes: the digest of each member whose off period just ended."""
    digest.send_digests()
