"""Background jobs for channels: refresh sessions before they expire, keep health current."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from hubbub.networks.actions import check_channel, warn_expiring
from hubbub.networks.models import Channel

log = logging.getLogger(__name__)


@db_task(retries=0)
def check_channel_task(channel_id: int) -> None:
    channel = Channel.objects.connected().filter(pk=channel_id).first()
    if channel is not None:
        check_channel(channel)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("check-all-channels")  # one run at a time, whatever the number of workers
def check_all_channels() -> None:
    """Every 15 minutes: refresh short-lived sessions (Bluesky's last about two hours) and
    record each channel's health, so a broken channel shows before a post fails on it."""
    for channel in Channel.objects.connected().select_related("workspace"):
        try:
            check_channel(channel)
        except Exception:  # one broken channel must not stop the others
            log.exception("checking channel %s failed", channel.pk)


@db_periodic_task(crontab(minute="7"))
@lock_task("warn-expiring-channels")
def warn_expiring_channels() -> None:
    """Hourly: tell the people who can reconnect a channel a week before its authorization
    ends (once per expiry), so scheduled posts never meet an expired token."""
    warn_expiring()


from hubbub.networks import tasks_hooks  # noqa: E402, F401  (webhooks in: subscribe, look up)
