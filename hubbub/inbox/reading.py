"""How the inbox reads each channel, and reading on demand: the "Reading" settings page, its
"Read now" button and the `hubbub inbox-poll` / `inbox-backfill` commands share this.

Polling itself is hubbub.inbox.polling's (sources, cursors, claims, failures); this module
says, for people, what is read, when it was and will be, what went wrong and what to do about
it, and which channels cannot be read at all and why. It also reads on demand through the
same `polling.poll_source`, so a source read here is claimed, saved and failed exactly as the
minute's job would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.models import Workspace
from hubbub.inbox import polling
from hubbub.inbox.models import InboxSource, SourceKind
from hubbub.networks.base import Capability, Connector
from hubbub.networks.models import Channel, Health
from hubbub.networks.registry import UnknownNetwork, connector_class
from hubbub.publishing.models import Delivery
from hubbub.publishing.models.deliveries import DeliveryStatus

# What each kind of source needs from a connector (as polling.ensure_sources decides).
READS: dict[str, tuple[Capability, str]] = {
    SourceKind.MENTIONS: (Capability.MENTIONS, "fetch_mentions"),
    SourceKind.MESSAGES: (Capability.DIRECT_MESSAGES, "fetch_messages"),
    SourceKind.COMMENTS: (Capability.READ_COMMENTS, "fetch_comments"),
}
KIND_ORDER: dict[str, int] = {
    SourceKind.MENTIONS: 0,
    SourceKind.MESSAGES: 1,
    SourceKind.COMMENTS: 2,
}
MAX_BACKFILL_DAYS = 90


def _kind_words() -> dict[str, str]:
    return {
        SourceKind.MENTIONS: _("mentions"),
        SourceKind.MESSAGES: _("direct messages"),
        SourceKind.COMMENTS: _("comments"),
    }


def _implements(cls: type[Connector], method: str) -> bool:
    own = getattr(cls, method, None)
    return own is not None and own is not getattr(Connector, method, None)


def readable_kinds(cls: type[Connector]) -> list[str]:
    """The source kinds a connector reads: it has the capability and the method."""
    return [
        kind
        for kind, (capability, method) in READS.items()
        if capability in cls.capabilities and _implements(cls, method)
    ]


def by_webhook(channel: Channel, kind: str) -> bool:
    """Telegram bots in webhook mode get their messages pushed; polling skips them."""
    return (
        kind == SourceKind.MESSAGES
        and channel.network == "telegram"
        and bool((channel.config or {}).get("telegram_webhook"))
    )


def why_unreadable(channel: Channel) -> str:
    """Why the inbox reads nothing from `channel`, or "" when it reads it."""
    if not channel.is_connected:
        return _(
            "Disconnected: nothing is read from it. Connect the account again on the "
            "Channels page to read its comments, mentions and messages."
        )
    if (channel.config or {}).get("demo"):
        return _("A demo channel: it has no account on the network to read.")
    try:
        cls = connector_class(channel.network)
    except UnknownNetwork:
        return _("Hubbub does not know the network “%(network)s” any more.") % {
            "network": channel.network
        }
    if readable_kinds(cls):
        return ""
    from hubbub.networks.views import CAPABILITY_LABELS

    can = [str(CAPABILITY_LABELS.get(c, c)) for c in sorted(cls.capabilities)]
    return _(
        "%(network)s does not let Hubbub read comments, mentions or direct messages; "
        "Hubbub can use it for: %(can)s."
    ) % {"network": cls.label, "can": ", ".join(can) or "—"}


# --- the status page ------------------------------------------------------------------------


@dataclass
class SourceStatus:
    source: InboxSource
    label: str
    active: bool  # still read (comment sources stop after the backfill window)
    next_read: datetime | None  # None: see next_note
    next_note: str  # "" or why there is no next time ("after reconnecting", "by webhook")
    advice: str  # what to do about last_error ("" when none)
    can_read_now: bool
    post_url: str = ""  # comments: the post on the network
    post_id: int | None = None  # comments: the post in Hubbub
    post_label: str = ""

    @property
    def has_cursor(self) -> bool:
        return self.source.cursor is not None

    @property
    def due(self) -> bool:
        return self.next_read is not None and self.next_read <= timezone.now()


@dataclass
class ChannelStatus:
    channel: Channel
    sources: list[SourceStatus] = field(default_factory=list)
    finished: int = 0  # comment sources of older posts, no longer read
    problem: str = ""  # what stops the whole channel being read (needs reconnecting)
    not_read: list[str] = field(default_factory=list)  # kinds the network does not offer
    webhook: list[str] = field(default_factory=list)  # kinds pushed by the network


@dataclass
class ReadingStatus:
    channels: list[ChannelStatus]
    unreadable: list[tuple[Channel, str]]  # (channel, why)


def _needs_reconnect(channel: Channel) -> bool:
    return channel.health == Health.NEEDS_RECONNECT


def advice(source: InboxSource, now: datetime | None = None) -> str:
    """What to do about the source's last error, read afresh (after a failed read)."""
    now = now or timezone.now()
    channel = Channel.objects.get(pk=source.channel_id)
    active = source.active_until is None or source.active_until > now
    return _advice(source, channel, active, now)


def _advice(source: InboxSource, channel: Channel, active: bool, now: datetime) -> str:
    if not source.last_error:
        return ""
    if _needs_reconnect(channel):
        return _(
            "Reconnect the channel on the Channels page: the network no longer accepts "
            "Hubbub's authorization. Reading then goes on from where it stopped."
        )
    if source.kind == SourceKind.COMMENTS and not active:
        return _(
            "The post is gone from the network or can no longer be read: its comments "
            "are not read any more."
        )
    if source.error_count == 0:  # a rate limit does not count as the source's failure
        return _("The network asked Hubbub to wait; reading resumes by itself at the next read.")
    return _(
        "Hubbub tries again by itself at the next read, waiting longer after each failure. "
        "If the error stays, use “Check now” on the Channels page, or reconnect the channel."
    )


def _posts_of(sources: Iterable[InboxSource]) -> dict[tuple[int, str], tuple[int, str]]:
    """(channel id, post's network id) → (post id, purpose), for the comment sources."""
    wanted = [s for s in sources if s.kind == SourceKind.COMMENTS]
    if not wanted:
        return {}
    rows = Delivery.objects.filter(
        channel_id__in={s.channel_id for s in wanted},
        status=DeliveryStatus.PUBLISHED,
        published_refs__0__external_id__in=[s.ref_external_id for s in wanted],
    ).values_list("channel_id", "published_refs", "post_id", "post__purpose")
    found: dict[tuple[int, str], tuple[int, str]] = {}
    for channel_id, refs, post_id, purpose in rows:
        if isinstance(refs, list) and refs and isinstance(refs[0], dict):
            found[(channel_id, str(refs[0].get("external_id", "")))] = (post_id, purpose)
    return found


def _source_status(
    source: InboxSource, channel: Channel, now: datetime, posts: dict[Any, tuple[int, str]]
) -> SourceStatus:
    words = _kind_words()
    active = source.active_until is None or source.active_until > now
    note = ""
    next_read: datetime | None = source.next_poll_at
    if not active:
        next_read, note = None, _("no longer read")
    elif by_webhook(channel, source.kind):
        next_read, note = None, _("as the network pushes them (webhook)")
    elif _needs_reconnect(channel):
        next_read, note = None, _("after reconnecting")
    label = words.get(source.kind, source.kind).capitalize()
    status = SourceStatus(
        source=source,
        label=label,
        active=active,
        next_read=next_read,
        next_note=note,
        advice=_advice(source, channel, active, now),
        can_read_now=active and not note and not _needs_reconnect(channel),
    )
    if source.kind == SourceKind.COMMENTS:
        ref = source.ref_data if isinstance(source.ref_data, dict) else {}
        status.post_url = str(ref.get("url") or "")
        post = posts.get((source.channel_id, source.ref_external_id))
        if post is not None:
            status.post_id, status.post_label = post
        status.label = _("Comments on a post")
    return status


def reading_status(workspace: Workspace, now: datetime | None = None) -> ReadingStatus:
    """Every channel of `workspace`: its sources as polling sees them, or why it is not read."""
    now = now or timezone.now()
    channels = list(Channel.objects.filter(workspace=workspace).order_by("network", "handle"))
    sources = list(
        InboxSource.objects.filter(workspace=workspace).order_by("kind", "-created_at", "id")
    )
    posts = _posts_of(s for s in sources if s.active_until is None or s.active_until > now)
    words = _kind_words()
    result = ReadingStatus(channels=[], unreadable=[])
    for channel in channels:
        why = why_unreadable(channel)
        if why:
            result.unreadable.append((channel, why))
            continue
        status = ChannelStatus(channel=channel)
        cls = connector_class(channel.network)
        kinds = readable_kinds(cls)
        status.not_read = [words[k] for k in READS if k not in kinds]
        status.webhook = [words[k] for k in kinds if by_webhook(channel, k)]
        if _needs_reconnect(channel):
            status.problem = _(
                "Reading has stopped: %(reason)s Reconnect the channel on the Channels page; "
                "reading then goes on from where it stopped."
            ) % {"reason": channel.health_message or _("the network refused the authorization.")}
        for source in sources:
            if source.channel_id != channel.pk:
                continue
            row = _source_status(source, channel, now, posts)
            if row.active:
                status.sources.append(row)
            else:
                status.finished += 1
        status.sources.sort(key=lambda r: (KIND_ORDER.get(r.source.kind, 9), r.source.pk))
        result.channels.append(status)
    return result


# --- reading now ---------------------------------------------------------------------------


def refuse_unreadable(channel: Channel) -> None:
    why = why_unreadable(channel)
    if why:
        raise ActionError(why)
    if _needs_reconnect(channel):
        raise ActionError(
            _(
                "The channel needs reconnecting: the network no longer accepts Hubbub's "
                "authorization. Reconnect it on the Channels page, then read it again."
            )
        )


def read_now(access: Access, source: InboxSource, now: datetime | None = None) -> Any:
    """Read one source at once (the page's "Read now"); returns polling's PollResult. A
    failure is recorded on the source as the minute's job would record it."""
    access.require("inbox.configure")
    if source.workspace_id != access.workspace.pk:
        raise ActionError(_("This source is not one of this workspace's."))
    at = now or timezone.now()
    channel = source.channel
    refuse_unreadable(channel)
    if source.active_until is not None and source.active_until <= at:
        raise ActionError(
            _("The comments of this post are no longer read: it was published too long ago.")
        )
    if by_webhook(channel, source.kind):
        raise ActionError(
            _("This bot's messages arrive by webhook as they are sent: there is nothing to read.")
        )
    source = InboxSource.objects.select_related("channel", "channel__workspace").get(pk=source.pk)
    return polling.poll_source(source, now)


@dataclass(frozen=True)
class SourceRun:
    """One source read by the CLI: polling's result for it."""

    source: InboxSource
    result: Any  # polling.PollResult

    @property
    def updated(self) -> int | None:
        # Edits and deletions picked up; None while PollResult does not count them.
        value = getattr(self.result, "updated", None)
        return value if isinstance(value, int) else None

    @property
    def error(self) -> str:
        return "; ".join(self.result.errors)

    @property
    def read(self) -> bool:
        return bool(self.result.polled)


def describe(source: InboxSource) -> str:
    """One line naming a source, for the CLI's table: "mentions", "comments on <post>"."""
    words = _kind_words()
    if source.kind == SourceKind.COMMENTS:
        ref = source.ref_data if isinstance(source.ref_data, dict) else {}
        where = str(ref.get("url") or source.ref_external_id)
        return _("comments on %(post)s") % {"post": where}
    return words.get(source.kind, source.kind)


def due_sources(
    now: datetime, workspace: Workspace | None = None, channel: Channel | None = None
) -> list[InboxSource]:
    """Set up the sources of the chosen channels (as the minute's sync does), then the ones
    due now, as polling.poll_due picks them."""
    channels = Channel.objects.connected().exclude(health=Health.NEEDS_RECONNECT)
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
    if channel is not None:
        channels = channels.filter(pk=channel.pk)
    for each in channels:
        polling.ensure_sources(each, now)
    due = InboxSource.objects.filter(polling._due(now))
    if workspace is not None:
        due = due.filter(workspace=workspace)
    if channel is not None:
        due = due.filter(channel=channel)
    return list(
        due.select_related("channel", "channel__workspace").order_by("channel_id", "kind", "id")
    )


def read_sources(
    sources: Sequence[InboxSource],
    now: datetime | None = None,
    progress: Callable[[SourceRun], None] | None = None,
) -> list[SourceRun]:
    runs = []
    for source in sources:
        run = SourceRun(source, polling.poll_source(source, now))
        runs.append(run)
        if progress is not None:
            progress(run)
    return runs


def backfill_sources(channel: Channel, days: int | None, now: datetime) -> list[InboxSource]:
    """Prepare a backfill of `channel`: with `days`, its streams are read again from the
    network's first answer (cursors forgotten: what is stored already is recognised, nothing
    doubles), cut to the last `days` days, and the comments of its posts of those days are
    read too. Without, as polling.backfill: new sources from the network's first answer cut
    to the usual window, the others on from their cursor. Returns the sources to read."""
    refuse_unreadable(channel)
    if days is not None:
        if not 1 <= days <= MAX_BACKFILL_DAYS:
            raise ActionError(
                _("Give a number of days from 1 to %(max)s.") % {"max": MAX_BACKFILL_DAYS},
                field="days",
            )
        with override_settings(HUBBUB_INBOX_BACKFILL_DAYS=days):
            polling.ensure_sources(channel, now)
        _active(channel, now).update(cursor=None)
    else:
        polling.ensure_sources(channel, now)
    return list(_active(channel, now).select_related("channel", "channel__workspace"))


def _active(channel: Channel, now: datetime) -> Any:
    return InboxSource.objects.filter(channel=channel).filter(
        Q(active_until__isnull=True) | Q(active_until__gt=now)
    )


def backfill(
    channel: Channel,
    days: int | None = None,
    now: datetime | None = None,
    progress: Callable[[SourceRun], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[SourceRun]:
    """Read `channel`'s last `days` days now (see backfill_sources). `on_start` is told how
    many sources will be read, `progress` each one read (the CLI's progress bar)."""
    at = now or timezone.now()
    sources = backfill_sources(channel, days, at)
    if on_start is not None:
        on_start(len(sources))
    if days is None:
        return read_sources(sources, now, progress)
    # The window is a setting polling reads as it goes; a one-off run widens it for itself.
    with override_settings(HUBBUB_INBOX_BACKFILL_DAYS=days):
        runs = read_sources(sources, now, progress)
    # Comment sources made for this run keep the usual reading period afterwards.
    usual, wide = polling.backfill_window(), timedelta(days=days)
    for source in InboxSource.objects.filter(
        channel=channel, kind=SourceKind.COMMENTS, created_at__gte=at, active_until__isnull=False
    ):
        assert source.active_until is not None
        InboxSource.objects.filter(pk=source.pk).update(
            active_until=source.active_until - wide + usual
        )
    return runs
