"""Connect, check and disconnect channels. Network packages call these after their own
connect flow has verified the credentials, so a half-connected channel is never saved."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.crypto import DecryptionError
from hubbub.networks.base import Connection, ConnectorError, RateLimited
from hubbub.networks.models import Channel, Health
from hubbub.networks.registry import connector_for
from hubbub.publishing.holds import release_held

log = logging.getLogger(__name__)

# A warning is shown this long before a token that cannot be refreshed expires.
EXPIRY_WARNING = timedelta(days=7)


def save_connection(access: Access, network: str, connection: Connection) -> Channel:
    access.require("channels.connect")
    account = connection.account
    with transaction.atomic():
        channel = (
            Channel.objects.select_for_update()
            .filter(workspace=access.workspace, network=network, external_id=account.external_id)
            .first()
        )
        action = "channel.connect"
        if channel is None:
            channel = Channel(
                workspace=access.workspace, network=network, external_id=account.external_id
            )
        elif channel.disconnected_at is None:
            action = "channel.reconnect"
        channel.handle = account.handle
        channel.name = account.name
        channel.avatar_url = account.avatar_url
        channel.profile_url = account.profile_url
        channel.config = connection.config
        channel.credentials = connection.credentials
        channel.token_expires_at = connection.token_expires_at
        channel.health = Health.OK
        channel.health_message = ""
        channel.rate_limited_until = None
        channel.last_checked_at = timezone.now()
        channel.connected_by = access.user
        channel.disconnected_at = None
        channel.save()
        record(
            action,
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=channel,
            after={"network": network, "handle": account.handle},
        )
    # Deliveries held while the channel needed reconnecting go out now (or wait for a person
    # when later than the workspace's cutoff).
    release_held(channel)
    # The inbox reads the last days of comments, mentions and messages once this commits.
    from hubbub.inbox.tasks_polling import backfill_after_connect

    backfill_after_connect(channel)
    # Networks that push (Meta's webhooks, a Telegram webhook) are told where, once committed.
    from hubbub.networks.tasks_hooks import after_connect_task

    channel_id = channel.pk
    transaction.on_commit(lambda: after_connect_task(channel_id))
    return channel


def disconnect(access: Access, channel: Channel) -> None:
    """Forget the credentials; the row stays so history (posts, messages) keeps its channel."""
    access.require("channels.disconnect")
    if channel.workspace_id != access.workspace.pk:
        raise ActionError(_("That channel belongs to another workspace."))
    if channel.disconnected_at is not None:
        return
    with transaction.atomic():
        before = channel.health
        channel.credentials = {}
        channel.disconnected_at = timezone.now()
        channel.health = Health.DISCONNECTED
        channel.save()
        record(
            "channel.disconnect",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=channel,
            before={"health": before},
            after={"health": Health.DISCONNECTED},
        )


def _set_health(channel: Channel, health: str, message: str, until: object = None) -> None:
    before = (channel.health, channel.health_message)
    channel.health = health
    channel.health_message = message
    channel.rate_limited_until = until  # type: ignore[assignment]
    channel.last_checked_at = timezone.now()
    channel.save(
        update_fields=[
            "health",
            "health_message",
            "rate_limited_until",
            "last_checked_at",
            "updated_at",
        ]
    )
    if before[0] != health:
        record(
            "channel.health",
            workspace=channel.workspace,
            actor=None,
            via="system",
            obj=channel,
            before={"health": before[0], "message": before[1]},
            after={"health": health, "message": message},
        )


def check_channel(channel: Channel) -> Channel:
    """Ask the network whether the channel still works, and record what it says."""
    if channel.disconnected_at is not None or channel.config.get("demo"):
        return channel  # demo channels (hubbub demo) have no account to ask
    connector = connector_for(channel)
    try:
        connector.refresh_if_due()
        account = connector.check()
    except RateLimited as exc:
        _set_health(channel, Health.RATE_LIMITED, str(exc), exc.retry_at)
    except ConnectorError as exc:
        _set_health(
            channel, Health.NEEDS_RECONNECT if exc.needs_reconnect else Health.ERROR, str(exc)
        )
    else:
        changed = []
        for name in ("handle", "name", "avatar_url", "profile_url"):
            if getattr(channel, name) != getattr(account, name):
                setattr(channel, name, getattr(account, name))
                changed.append(name)
        if changed:
            channel.save(update_fields=[*changed, "updated_at"])
        _set_health(channel, Health.OK, "")
    return channel


def expiry_warning(channel: Channel) -> str | None:
    """A sentence when the channel's authorization ends within a week, else None."""
    if channel.token_expires_at is None or channel.disconnected_at is not None:
        return None
    expires_at = _authorization_end(channel)
    if expires_at is None:
        return None
    left = expires_at - timezone.now()
    if left > EXPIRY_WARNING:
        return None
    if left.total_seconds() <= 0:
        return _("The authorization has expired: reconnect this channel.")
    days = max(1, left.days)
    return ngettext(
        "The authorization expires in %(n)s day: reconnect before then.",
        "The authorization expires in %(n)s days: reconnect before then.",
        days,
    ) % {"n": days}


def _authorization_end(channel: Channel) -> datetime | None:
    """When the channel stops working unless someone reconnects it (None: never, or Hubbub
    renews it alone)."""
    if channel.token_expires_at is None:
        return None
    try:
        stored = channel.credentials
    except DecryptionError:
        return None
    if not stored.get("refresh_token"):
        return channel.token_expires_at
    raw = stored.get("refresh_expires_at")
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def warn_expiring(now: datetime | None = None) -> list[Channel]:
    """Tell the people who can reconnect a channel, in the app and by e-mail, once per
    expiry, when its authorization ends within EXPIRY_WARNING. Returns the channels warned."""
    from django.urls import reverse

    from hubbub.core.models import Membership
    from hubbub.core.notifications import notify
    from hubbub.core.permissions import role_can

    now = now or timezone.now()
    warned = []
    managers_of: dict[int, list[Any]] = {}
    candidates = Channel.objects.connected().filter(
        token_expires_at__isnull=False, disconnected_at__isnull=True
    )
    for channel in candidates.select_related("workspace"):
        end = _authorization_end(channel)
        if end is None or end - now > EXPIRY_WARNING or channel.expiry_warned_for == end:
            continue
        if channel.workspace_id not in managers_of:  # one query a workspace, not a channel
            managers_of[channel.workspace_id] = [
                m.user
                for m in Membership.objects.filter(
                    workspace_id=channel.workspace_id
                ).select_related("user")
                if role_can(m.role, "channels.connect")
            ]
        managers = managers_of[channel.workspace_id]
        name, network = channel.name or channel.handle, channel.network_label

        def text(end: datetime = end, name: str = name, network: str = network) -> str:
            left = end - now
            if left.total_seconds() <= 0:
                return _(
                    "The %(network)s channel %(name)s has lost its authorization: reconnect it "
                    "so its scheduled posts go out."
                ) % {"network": network, "name": name}
            days = max(1, left.days)
            return ngettext(
                "The %(network)s channel %(name)s stops working in %(n)s day unless someone "
                "reconnects it.",
                "The %(network)s channel %(name)s stops working in %(n)s days unless someone "
                "reconnects it.",
                days,
            ) % {"network": network, "name": name, "n": days}

        notify(
            managers,
            channel.workspace,
            "channel.expiring",
            text,
            reverse("networks:list", args=[channel.workspace.slug]),
        )
        Channel.objects.filter(pk=channel.pk).update(expiry_warned_for=end)
        warned.append(channel)
    return warned
