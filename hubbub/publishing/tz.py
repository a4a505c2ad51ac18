"""Turning a local wall-clock time of a workspace into UTC, across daylight-saving changes.

A time inside the spring-forward gap does not exist (02:30 on 2026-03-29 in Paris): it is
refused with the next time that does. A time in the repeated autumn hour happens twice: the
person chooses which (fold=0 the first, fold=1 the second), we never guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from hubbub.core.access import ActionError


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local


def is_ambiguous(local: datetime, tz: ZoneInfo) -> bool:
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    return _exists(local, tz) and first.utcoffset() != second.utcoffset()


def next_valid(local: datetime, tz: ZoneInfo) -> datetime:
    """The first whole minute after `local` that exists on the clocks of `tz`."""
    candidate = local.replace(second=0, microsecond=0)
    for _minute in range(60 * 24):  # no zone has ever skipped a whole day at once but Samoa
        candidate += timedelta(minutes=1)
        if _exists(candidate, tz):
            return candidate
    raise ValueError(f"no valid local time within a day after {local}")  # pragma: no cover


def _offset(aware: datetime) -> str:
    offset = aware.utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_to_utc(local: datetime, tz: ZoneInfo, fold: int | None = None) -> datetime:
    """`local` is a naive wall-clock time in `tz`; an aware one is taken as it is."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    if not _exists(local, tz):
        later = next_valid(local, tz)
        raise ActionError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks skip that hour for daylight "
                "saving. The next valid time is %(next)s."
            )
            % {
                "time": local.strftime("%Y-%m-%d %H:%M"),
                "zone": tz.key,
                "next": later.strftime("%Y-%m-%d %H:%M"),
            },
            field="scheduled_at",
        )
    if is_ambiguous(local, tz):
        if fold not in (0, 1):
            first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
            raise ActionError(
                _(
                    "%(time)s happens twice in %(zone)s, when the clocks go back: choose the "
                    "first one (%(first)s, fold=0) or the second one (%(second)s, fold=1)."
                )
                % {
                    "time": local.strftime("%Y-%m-%d %H:%M"),
                    "zone": tz.key,
                    "first": _offset(first),
                    "second": _offset(second),
                },
                field="fold",
            )
        return local.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    return local.replace(tzinfo=tz).astimezone(UTC)
