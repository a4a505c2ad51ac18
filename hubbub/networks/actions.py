"""Connect, check and disconnect channels. Network packages call these after their own
connect flow has verified the credentials, so a half-connected channel is never saved."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

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
    expires_at = channel.token_expires_at
    try:
        stored = channel.credentials
    except DecryptionError:  # unreadable: the health check says so, not this warning
        stored = {}
    if stored.get("refresh_token"):
        # A short-lived access token that Hubbub refreshes on its own: what ends the
        # authorization is the refresh token's expiry, when the network gives one.
        raw = stored.get("refresh_expires_at")
        if not raw:
            return None
        try:
            expires_at = datetime.fromisoformat(str(raw))
        except ValueError:
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
