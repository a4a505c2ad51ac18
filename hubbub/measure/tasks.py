"""Measure's background jobs: due post and channel counts read every five minutes; campaign
spend from Facebook/Instagram Ads read once a day (hubbub.measure.adspend)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.measure import adspend, collection

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


# Once a day, early morning UTC: Meta settles the previous day's figures overnight, and
# each sync re-reads the last 28 days anyway (adspend.RESYNC_DAYS).
@db_periodic_task(crontab(hour="5", minute="20"))
@lock_task("measure-ads-sync")
def sync_ad_spend() -> None:
    for campaign_id, result in adspend.sync_all():
        if result.problems:
            log.info("ad spend of campaign %s: %s", campaign_id, "; ".join(result.problems))
