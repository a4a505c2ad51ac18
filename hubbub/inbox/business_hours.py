"""Business-time arithmetic for response-time targets: pure, no database.

A `Calendar` knows the weekly opening hours of a workspace (local wall-clock intervals per
ISO weekday), its holidays (dates closed all day) and its time zone. `add(start, minutes)`
says when `minutes` of business time will have passed after `start`; `between(a, b)` how
much business time lies between two moments. Both take and return aware datetimes and work
in UTC, so a day with 23 or 25 hours (daylight-saving changes) counts what the clock on the
wall says: an interval 09:00-17:00 is 8 hours on either day, and 00:00-24:00 is 23 or 25.

Local times the change makes strange follow one rule for starts and ends alike, so adjacent
intervals still tile without gap or overlap:
- a time that does not exist (02:30 on the spring-forward night in Paris) is the moment the
  clock jumps (02:00 CET = 03:00 CEST);
- a time that exists twice (02:30 on the fall-back night) is its first occurrence.

Due times fall at a closing time when the business time runs out exactly there (a message
at 16:00 with a one-hour target is due at 17:00, not at 09:00 the next morning: that is when
the team can last answer in time). A start outside opening hours starts the clock at the next
opening.

A calendar with no opening hour at all (every weekday empty) counts around the clock, as if
business_hours_only were off: otherwise no target would ever fall due.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# How far add() and next_open() look ahead for an opening: a calendar whose hours are all
# covered by holidays for ten years is treated as closed for good (they raise).
HORIZON_DAYS = 3660
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class CalendarError(ValueError):
    """Opening hours that cannot be read (the settings form says what to fix)."""


def parse_time(value: str) -> int:
    """'HH:MM' (00:00 … 24:00) as minutes after midnight."""
    match = _HHMM.match(str(value).strip())
    if match is None:
        raise CalendarError(f"{value!r} is not a time like 09:00")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > DAY_MINUTES:
        raise CalendarError(f"{value!r} is after 24:00")
    return minutes


def parse_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[tuple[int, int]]]:
    """{"1": [["09:00", "12:00"], ["13:00", "17:00"]], …} as sorted, merged minute intervals
    per ISO weekday (1 Monday … 7 Sunday). Empty intervals are dropped; overlapping or
    touching ones are merged."""
    parsed: dict[int, list[tuple[int, int]]] = {}
    for key, intervals in (hours or {}).items():
        try:
            day = int(key)
        except (TypeError, ValueError):
            raise CalendarError(f"{key!r} is not an ISO weekday (1-7)") from None
        if not 1 <= day <= 7:
            raise CalendarError(f"{key!r} is not an ISO weekday (1-7)")
        spans = []
        for interval in intervals or ():
            if len(interval) != 2:
                raise CalendarError(f"{interval!r} is not a [start, end] pair")
            start, end = parse_time(interval[0]), parse_time(interval[1])
            if end < start:
                raise CalendarError(f"{interval[0]}-{interval[1]} ends before it starts")
            if end > start:
                spans.append((start, end))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        if merged:
            parsed[day] = merged
    return parsed


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    hours: Mapping[str, Sequence[Sequence[str]]]
    holidays: frozenset[date] | set[date] = frozenset()
    business_hours_only: bool = True
    _weekly: dict[int, list[tuple[int, int]]] = field(init=False, repr=False, compare=False)
    # intervals() by day: a calendar is read once for a batch of conversations, whose due
    # times all walk through the same few days (and each day costs time-zone arithmetic).
    _days: dict[date, list[tuple[datetime, datetime]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weekly", parse_hours(self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_days", {})

    @property
    def around_the_clock(self) -> bool:
        return not self.business_hours_only or not self._weekly

    # --- local wall-clock → UTC ---------------------------------------------------------

    def local_to_utc(self, day: date, minutes: int) -> datetime:
        """The UTC moment when the clock in `tz` shows `minutes` after midnight on `day`
        (24:00 is the next day's 00:00), by the rule in the module's docstring."""
        naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
        first = naive.replace(tzinfo=self.tz, fold=0).astimezone(UTC)
        # (Through UTC: astimezone() to the datetime's own tzinfo changes nothing.)
        if first.astimezone(self.tz).replace(tzinfo=None) == naive:
            return first  # exists (fold=0: the first of two occurrences)
        # In the gap: fold=1 reads it with the offset after the change, fold=0 before, so
        # the jump happened between the two readings; find it to the second.
        low = naive.replace(tzinfo=self.tz, fold=1).astimezone(UTC)
        high = first
        if low > high:
            low, high = high, low
        before = low.astimezone(self.tz).utcoffset()
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(self.tz).utcoffset() == before:
                low = middle
            else:
                high = middle
        return high.replace(microsecond=0) if high.microsecond else high

    # --- the opening intervals --------------------------------------------------------------

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening intervals of one local date, as UTC [start, end) pairs."""
        known = self._days.get(day)
        if known is not None:
            return known
        spans = []
        if day not in self.holidays:
            for start, end in self._weekly.get(day.isoweekday(), ()):
                utc_start, utc_end = self.local_to_utc(day, start), self.local_to_utc(day, end)
                if utc_end > utc_start:  # an interval inside a skipped hour has no length
                    spans.append((utc_start, utc_end))
        if len(self._days) < 4096:  # a ten-year walk must not grow it without bound
            self._days[day] = spans
        return spans

    def _from(
        self, moment: datetime, days: int = HORIZON_DAYS
    ) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals that end after `moment`, in order (the local day before is
        included: its 24:00 may be after `moment` in UTC terms)."""
        day = moment.astimezone(self.tz).date() - timedelta(days=1)
        for offset in range(days + 2):
            for start, end in self.intervals(day + timedelta(days=offset)):
                if end > moment:
                    yield start, end

    # --- the contract -------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _utc(at)
        if self.around_the_clock:
            return True
        for start, _end in self._from(at, days=1):
            return start <= at
        return False

    def next_open(self, at: datetime) -> datetime:
        """`at` when open, else the next opening."""
        at = _utc(at)
        if self.around_the_clock:
            return at
        for start, _end in self._from(at):
            return max(start, at)
        raise CalendarError("no opening hour in the next ten years")

    def add_delta(self, start: datetime, delta: timedelta) -> datetime:
        start = _utc(start)
        if self.around_the_clock:
            return start + delta
        if delta < timedelta(0):
            raise ValueError("cannot add negative business time")
        left = delta
        for interval_start, interval_end in self._from(start):
            begin = max(interval_start, start)
            available = interval_end - begin
            if left <= available:
                return begin + left
            left -= available
        raise CalendarError("no opening hour in the next ten years")

    def add(self, start: datetime, minutes: int | float) -> datetime:
        """The moment `minutes` of business time after `start` (aware UTC)."""
        return self.add_delta(start, timedelta(minutes=minutes))

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from `a` to `b`; negative when `b` is before `a`."""
        a, b = _utc(a), _utc(b)
        if b < a:
            return -self.between(b, a)
        if self.around_the_clock:
            return b - a
        total = timedelta(0)
        for start, end in self._from(a):
            if start >= b:
                break
            total += min(end, b) - max(start, a)
        return total
