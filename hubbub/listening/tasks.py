"""Listening's background jobs: sources read every minute (each when its interval is due),
spike checks every minute, and the follow-up check of a burst that just started."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.listening import alerts, sources

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("listening-read")
def read_sources() -> None:
    result = sources.read_due()
    if result.errors:
        log.info("listening: %s sources read, %s failed", result.read, result.failed)


@db_periodic_task(crontab(minute="*"))
@lock_task("listening-alerts")
def check_alerts() -> None:
    alerts.check_all()


@db_task(retries=0)
def check_queries_task(workspace_id: int, query_ids: list[int]) -> None:
    alerts.check_queries(workspace_id, query_ids)


@db_task(retries=0)
def read_source_task(source_id: int) -> None:
    from hubbub.listening.models import ListeningSource

    source = (
        ListeningSource.objects.filter(pk=source_id).select_related("workspace", "channel").first()
    )
    if source is not None:
        sources.read_source(source)


@db_task(retries=0)
def remeasure_task(workspace_id: int) -> None:
    from hubbub.listening import feelings

    feelings.remeasure(workspace_id, only_if_stale=True)


def remeasure_later(workspace_id: int) -> None:
    """Measure learning again in a minute: corrections come in runs (a person going down the
    list), and each measure retrains the model several times."""
    remeasure_task.schedule((workspace_id,), delay=60)


def check_later(workspace_id: int, query_ids: list[int], delay: timedelta) -> None:
    """Check these queries again after `delay` (a burst must last to alert)."""
    check_queries_task.schedule((workspace_id, query_ids), delay=int(delay.total_seconds()) + 1)
