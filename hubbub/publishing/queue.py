"""Per-channel weekly queue slots, and the next free slot among them.

A slot is a weekday and a wall-clock time in the workspace's time zone ("Tuesday 09:00"), so
it stays at 09:00 local across daylight-saving changes. On the day the clocks skip the slot's
time (02:30 on the spring-forward night) the slot falls on the next time that exists; in the
repeated autumn hour it is the first of the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.networks.models import Channel
from hubbub.publishing.models import PostKind, PostStatus, PostVariant, QueueSlot
from hubbub.publishing.tz import next_valid

SEARCH_WEEKS = 8  # how far ahead "next free slot" looks before saying there is none
MAX_SLOTS = 100  # a channel's slots a week: more is a mistake (a script gone wrong)
# A post in these states takes its slot; a cancelled or failed one frees it.
TAKING = (
    PostStatus.DRAFT,
    PostStatus.IN_REVIEW,
    PostStatus.APPROVED,
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.PARTLY_FAILED,
)


def _check_channel(access: Access, channel: Channel) -> None:
    if channel.workspace_id != access.workspace.pk:
        raise ActionError(_("That channel belongs to another workspace."), field="channel")


def slots_of(channel: Channel) -> list[QueueSlot]:
    return list(QueueSlot.objects.filter(channel=channel).order_by("weekday", "time"))


def set_slots(
    access: Access, channel: Channel, slots: Iterable[tuple[int, time]]
) -> list[QueueSlot]:
    """Replace a channel's weekly slots (weekday 0 = Monday … 6 = Sunday, local time)."""
    access.require("queue.manage")
    _check_channel(access, channel)
    wanted: set[tuple[int, time]] = set()
    for weekday, moment in slots:
        if not 0 <= weekday <= 6:
            raise ActionError(
                _("Day %(day)s does not exist: use 0 (Monday) to 6 (Sunday).") % {"day": weekday},
                field="weekday",
            )
        wanted.add((weekday, moment.replace(second=0, microsecond=0, tzinfo=None)))
    if len(wanted) > MAX_SLOTS:
        raise ActionError(
            _("%(n)s slots a week is too many: keep at most %(max)s.")
            % {"n": len(wanted), "max": MAX_SLOTS},
            field="slots",
        )
    with transaction.atomic():
        before = [_label(s.weekday, s.time) for s in slots_of(channel)]
        QueueSlot.objects.filter(channel=channel).delete()
        QueueSlot.objects.bulk_create(
            QueueSlot(channel=channel, weekday=d, time=t) for d, t in sorted(wanted)
        )
        after = slots_of(channel)
        record(
            "queue.update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=channel,
            before={"slots": before},
            after={"slots": [_label(s.weekday, s.time) for s in after]},
        )
    return after


def add_slot(access: Access, channel: Channel, weekday: int, moment: time) -> list[QueueSlot]:
    current = [(s.weekday, s.time) for s in slots_of(channel)]
    return set_slots(access, channel, [*current, (weekday, moment)])


def remove_slot(access: Access, channel: Channel, slot_id: int) -> list[QueueSlot]:
    current = slots_of(channel)
    if not any(s.pk == slot_id for s in current):
        raise ActionError(_("That slot no longer exists: reload the page."), field="slot")
    return set_slots(access, channel, [(s.weekday, s.time) for s in current if s.pk != slot_id])


def _label(weekday: int, moment: time) -> str:
    return f"{weekday} {moment:%H:%M}"


def slot_instant(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a slot's wall-clock time on a local day, DST-safe (see above)."""
    local = datetime.combine(day, moment)
    exists = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local
    if not exists:
        local = next_valid(local, tz)
    # fold=0: in the repeated autumn hour, the first of the two.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _taken(channel_ids: Sequence[int], start: datetime, end: datetime) -> set[datetime]:
    """Minutes (UTC) at which one of the channels already has a post planned or out."""
    times = PostVariant.objects.filter(
        channel_id__in=channel_ids,
        post__scheduled_at__gte=start,
        post__scheduled_at__lt=end,
        post__status__in=TAKING,
        post__kind=PostKind.POST,  # an inbox reply takes no slot
    ).values_list("post__scheduled_at", flat=True)
    return {t.replace(second=0, microsecond=0) for t in times if t is not None}


def upcoming_slots(
    access: Access,
    channels: Sequence[Channel],
    after: datetime | None = None,
    *,
    limit: int = 1,
    weeks: int = SEARCH_WEEKS,
) -> list[datetime]:
    """The first `limit` free slot times (UTC) after `after` (default: now).

    A time is a candidate when it is a slot of at least one of the channels; it is free when
    none of the channels has a post at that minute. So a post for several channels goes out
    in the first slot any of them has, without doubling up on another channel's post.
    """
    access.require("posts.view")
    for channel in channels:
        _check_channel(access, channel)
    if not channels:
        raise ActionError(_("Choose at least one channel."), field="channel")
    tz = access.workspace.tz
    after = after or timezone.now()
    slots = QueueSlot.objects.filter(channel__in=channels).values_list("weekday", "time")
    by_weekday: dict[int, set[time]] = {}
    for weekday, moment in slots:
        by_weekday.setdefault(weekday, set()).add(moment)
    if not by_weekday:
        return []
    first_day = after.astimezone(tz).date()
    end = after + timedelta(weeks=weeks, days=1)
    taken = _taken([c.pk for c in channels], after, end)
    found: list[datetime] = []
    for offset in range(weeks * 7 + 1):
        day = first_day + timedelta(days=offset)
        for moment in sorted(by_weekday.get(day.weekday(), ())):
            instant = slot_instant(day, moment, tz)
            if instant > after and instant not in taken and instant not in found:
                found.append(instant)
                if len(found) >= limit:
                    return found
    return found


def next_free_slot(
    access: Access, channels: Sequence[Channel], after: datetime | None = None
) -> datetime | None:
    """The first free slot (UTC) of these channels after `after`, or None within 8 weeks."""
    found = upcoming_slots(access, channels, after, limit=1)
    return found[0] if found else None
