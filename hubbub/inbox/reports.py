"""Response-time reports: how fast conversations got a first answer and got resolved, by
channel, by member and by week; how often targets were met; when messages come in.

What is counted:

- Conversations whose current cycle opened (`opened_at`) in [start, end). A conversation
  keeps only its current cycle (see hubbub.inbox.models.conversations): once reopened, its
  earlier cycle is no longer measured.
- First response: `first_response_at - opened_at`; resolution: `closed_at - opened_at`
  (closed conversations only). Each both in wall-clock time and in business time (the
  workspace's response policy calendar, hubbub.inbox.sla.calendar_for).
- Median and p90 use the **nearest-rank** method: the p-th percentile of n sorted values
  is the value at rank ceil(p * n / 100) (1-based). It is always a duration that really
  happened; for an even count the median is the lower of the two middle values (for
  1, 2, 3, 4 hours: median 2 h, p90 4 h).
- Target attainment: answered conversations that had a due time and were answered by it,
  out of the answered ones that had a due time (those without one, e.g. opened before a
  policy existed, are left out rather than guessed). The same for resolution.
- Breaches: Breach rows recorded (`breached_at`) in [start, end), by kind.
- Groups: by channel, by member (the conversation's current assignee; "Unassigned"), by ISO
  week of `opened_at` in the workspace's time zone. Breaches are grouped by the channel and
  assignee they were recorded with, and the week they happened.
- Heatmap: inbound messages received (`created_at`) in [start, end), by local weekday
  (Monday first) and hour in the workspace's time zone; a daylight-saving day has 23 or
  25 hours, and the repeated autumn hour counts in its one local hour.
- Durations are in whole seconds.

Speed (a million messages): messages are only counted, in SQL (per UTC quarter hour, a few
thousand rows a year); breaches are counted from one narrow query; only the conversations'
timestamps come to Python, as integers (Epoch), for the percentiles, and business time is
two binary searches per conversation in a table of the calendar's opening intervals
(BusinessClock) rather than a walk through the calendar.
"""

from __future__ import annotations

import csv
import importlib
import io
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, CharField, Count, FloatField, Func, Value
from django.db.models.functions import Cast, Floor
from django.utils import formats
from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.inbox.models import Breach, BreachKind, Conversation, Direction, Message
from hubbub.networks.models import Channel
from hubbub.publishing.csv_io import FORMULA_START

if TYPE_CHECKING:
    from hubbub.accounts.models import User

HOURS = 24
DAYS = 7
QUARTER = 900  # seconds


class BusinessCalendar(Protocol):
    """What reports need of hubbub.inbox.business_hours.Calendar."""

    @property
    def around_the_clock(self) -> bool: ...

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]: ...


class Epoch(Func):
    """Whole seconds since 1970-01-01 UTC, computed by the database.

    Why not TruncHour(tzinfo=…) and datetimes: on SQLite both cost a Python call per row
    (Django's time-zone aware truncation is a Python function registered with SQLite, and
    every datetime read back is parsed in Python): 2.5 s for 80,000 messages. Integers
    cost nothing, and the few thousand buckets are placed in the local clock in Python."""

    output_field = BigIntegerField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (inner,) = self.get_source_expressions()
        text = Func(Value("%s"), inner, function="strftime", output_field=CharField())
        return compiler.compile(Cast(text, BigIntegerField()))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (inner,) = self.get_source_expressions()
        seconds = Func(Value("epoch"), inner, function="date_part", output_field=FloatField())
        return compiler.compile(Cast(Floor(seconds), BigIntegerField()))


class BusinessClock:
    """Business seconds between two instants in O(log n): the calendar's opening intervals
    over a span of days, with the running total before each, so that between(a, b) is
    total(b) - total(a). Gives what Calendar.between gives (tests compare them), without
    walking the calendar day by day for each of a hundred thousand conversations."""

    def __init__(self, calendar: BusinessCalendar, tz: ZoneInfo, first: int, last: int) -> None:
        self.flat = calendar.around_the_clock
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []
        if self.flat:
            return
        day = datetime.fromtimestamp(first, tz).date() - timedelta(days=1)
        until = datetime.fromtimestamp(last, tz).date() + timedelta(days=1)
        total = 0
        while day <= until:
            for start, end in calendar.intervals(day):
                a, b = int(start.timestamp()), int(end.timestamp())
                if self.ends and a < self.ends[-1]:
                    a = self.ends[-1]  # never count a moment twice
                if b > a:
                    self.starts.append(a)
                    self.ends.append(b)
                    self.before.append(total)
                    total += b - a
            day += timedelta(days=1)

    def total(self, t: int) -> int:
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def between(self, a: int, b: int) -> int:
        return b - a if self.flat else self.total(b) - self.total(a)


def percentile(sorted_values: Sequence[float], p: int) -> float | None:
    """Nearest rank: the value at rank ceil(p * n / 100) of the ascending values."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100))  # integer ceiling: no float rounding at 90 % of 10
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Durations:
    """Seconds; None when nothing was measured."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Durations:
        ordered = sorted(values)
        return cls(len(ordered), percentile(ordered, 50), percentile(ordered, 90))


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class _Acc:
    conversations: int = 0
    first: list[int] = field(default_factory=list)
    first_business: list[int] = field(default_factory=list)
    resolution: list[int] = field(default_factory=list)
    resolution_business: list[int] = field(default_factory=list)
    first_measured: int = 0
    first_within: int = 0
    resolution_measured: int = 0
    resolution_within: int = 0
    breaches: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One group of the report (a channel, a member, a week, or everything)."""

    key: str  # channel id, user id ("" unassigned), "2026-W47", or "all"
    label: str
    conversations: int
    first_response: Durations
    first_response_business: Durations
    resolution: Durations
    resolution_business: Durations
    first_response_measured: int
    first_response_within_target: int
    resolution_measured: int
    resolution_within_target: int
    breaches_first_response: int
    breaches_resolution: int

    @property
    def first_response_attainment(self) -> float | None:
        return _pct(self.first_response_within_target, self.first_response_measured)

    @property
    def resolution_attainment(self) -> float | None:
        return _pct(self.resolution_within_target, self.resolution_measured)

    @classmethod
    def of(cls, key: str, label: str, acc: _Acc) -> Row:
        return cls(
            key=key,
            label=label,
            conversations=acc.conversations,
            first_response=Durations.of(acc.first),
            first_response_business=Durations.of(acc.first_business),
            resolution=Durations.of(acc.resolution),
            resolution_business=Durations.of(acc.resolution_business),
            first_response_measured=acc.first_measured,
            first_response_within_target=acc.first_within,
            resolution_measured=acc.resolution_measured,
            resolution_within_target=acc.resolution_within,
            breaches_first_response=acc.breaches.get(BreachKind.FIRST_RESPONSE, 0),
            breaches_resolution=acc.breaches.get(BreachKind.RESOLUTION, 0),
        )


@dataclass(frozen=True)
class Report:
    workspace: Workspace
    start: datetime
    end: datetime
    channel_id: int | None
    user_id: int | None
    total: Row
    by_channel: list[Row]
    by_member: list[Row]
    by_week: list[Row]
    heatmap: list[list[int]]  # [weekday 0 = Monday … 6][hour 0 … 23], local time
    inbound_messages: int

    @property
    def time_zone(self) -> str:
        return self.workspace.time_zone


def calendar_for(workspace: Workspace) -> BusinessCalendar:
    """hubbub.inbox.sla.calendar_for, imported when a report runs (sla imports much more)."""
    module: Any = importlib.import_module("hubbub.inbox.sla")
    calendar: BusinessCalendar = module.calendar_for(workspace)
    return calendar


def week_of(at: datetime, workspace: Workspace) -> str:
    year, week, _day = at.astimezone(workspace.tz).isocalendar()
    return f"{year}-W{week:02d}"


class _Weeks:
    """ISO week of an epoch second in a time zone, remembered per quarter hour (every
    offset in use is a multiple of 15 minutes)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.known: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        key = t // 900
        week = self.known.get(key)
        if week is None:
            year, number, _day = datetime.fromtimestamp(key * 900, self.tz).isocalendar()
            week = self.known[key] = f"{year}-W{number:02d}"
        return week


def _id(value: Channel | User | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    pk: int = value.pk
    return pk


def response_report(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    *,
    channel: Channel | int | None = None,
    user: User | int | None = None,
) -> Report:
    """The report for [start, end) (aware datetimes), optionally for one channel and/or one
    member (as assignee). See the module's docstring for what each figure means."""
    channel_id, user_id = _id(channel), _id(user)
    conversations = Conversation.objects.filter(
        workspace=workspace, opened_at__gte=start, opened_at__lt=end
    )
    breaches = Breach.objects.filter(
        workspace=workspace, breached_at__gte=start, breached_at__lt=end
    )
    messages = Message.objects.filter(
        workspace=workspace, direction=Direction.INBOUND, created_at__gte=start, created_at__lt=end
    )
    if channel_id is not None:
        conversations = conversations.filter(channel_id=channel_id)
        breaches = breaches.filter(channel_id=channel_id)
        messages = messages.filter(channel_id=channel_id)
    if user_id is not None:
        conversations = conversations.filter(assignee_id=user_id)
        breaches = breaches.filter(assignee_id=user_id)
        messages = messages.filter(conversation__assignee_id=user_id)

    # Timestamps as epoch seconds (see Epoch): the only rows that come to Python.
    rows = list(
        conversations.order_by().values_list(
            "channel_id",
            "assignee_id",
            Epoch("opened_at"),
            Epoch("first_response_at"),
            Epoch("closed_at"),
            Epoch("first_response_due_at"),
            Epoch("resolution_due_at"),
        )
    )
    latest = max((max(r[2], r[3] or 0, r[4] or 0) for r in rows), default=int(end.timestamp()))
    clock = BusinessClock(calendar_for(workspace), workspace.tz, int(start.timestamp()), latest)
    weeks = _Weeks(workspace.tz)
    total = _Acc()
    groups: dict[str, dict[Any, _Acc]] = {"channel": {}, "member": {}, "week": {}}
    by_channel, by_member, by_week = groups["channel"], groups["member"], groups["week"]
    for channel_pk, assignee, opened, first, closed, first_due, resolution_due in rows:
        accs = (
            total,
            by_channel.get(channel_pk) or by_channel.setdefault(channel_pk, _Acc()),
            by_member.get(assignee) or by_member.setdefault(assignee, _Acc()),
            by_week.setdefault(weeks(opened), _Acc()),
        )
        for acc in accs:
            acc.conversations += 1
        if first is not None:
            wall = max(0, first - opened)  # clocks disagreeing by a second is not negative
            business = max(0, clock.between(opened, first))
            measured = first_due is not None
            within = measured and first <= first_due
            for acc in accs:
                acc.first.append(wall)
                acc.first_business.append(business)
                acc.first_measured += measured
                acc.first_within += within
        if closed is not None:
            wall = max(0, closed - opened)
            business = max(0, clock.between(opened, closed))
            measured = resolution_due is not None
            within = measured and closed <= resolution_due
            for acc in accs:
                acc.resolution.append(wall)
                acc.resolution_business.append(business)
                acc.resolution_measured += measured
                acc.resolution_within += within

    for kind, channel_pk, assignee, breached_at in breaches.order_by().values_list(
        "kind", "channel_id", "assignee_id", Epoch("breached_at")
    ):
        for acc in (
            total,
            by_channel.setdefault(channel_pk, _Acc()),
            by_member.setdefault(assignee, _Acc()),
            by_week.setdefault(weeks(breached_at), _Acc()),
        ):
            acc.breaches[kind] = acc.breaches.get(kind, 0) + 1

    heatmap, inbound = _heatmap(messages, workspace)
    return Report(
        workspace=workspace,
        start=start,
        end=end,
        channel_id=channel_id,
        user_id=user_id,
        total=Row.of("all", _("All conversations"), total),
        by_channel=_channel_rows(by_channel),
        by_member=_member_rows(by_member),
        by_week=[Row.of(week, week, acc) for week, acc in sorted(by_week.items())],
        heatmap=heatmap,
        inbound_messages=inbound,
    )


def _channel_rows(accs: dict[Any, _Acc]) -> list[Row]:
    names = {c.pk: str(c) for c in Channel.objects.filter(pk__in=list(accs))}
    rows = [Row.of(str(pk), names.get(pk, str(pk)), acc) for pk, acc in accs.items()]
    return sorted(rows, key=lambda r: r.label.lower())


def _member_rows(accs: dict[Any, _Acc]) -> list[Row]:
    from hubbub.accounts.models import User

    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[k for k in accs if k])}
    rows = [
        Row.of(str(pk) if pk else "", names.get(pk, str(pk)) if pk else _("Unassigned"), acc)
        for pk, acc in accs.items()
    ]
    return sorted(rows, key=lambda r: (r.key == "", r.label.lower()))


def _heatmap(messages: Any, workspace: Workspace) -> tuple[list[list[int]], int]:
    """Inbound messages by local weekday and hour. SQL counts them per UTC quarter hour
    (every time zone's offset is a multiple of 15 minutes, so a quarter hour lies inside
    one local hour); Python places the few thousand quarters in the local clock, where a
    daylight-saving day has 23 or 25 hours and the repeated autumn hour counts as one."""
    grid = [[0] * HOURS for _day in range(DAYS)]
    total = 0
    quarters = (
        messages.annotate(quarter=Epoch("created_at") / QUARTER)
        .values("quarter")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("quarter", "n")
    )
    tz = workspace.tz
    for quarter, n in quarters:
        local = datetime.fromtimestamp(quarter * QUARTER, tz)
        grid[local.weekday()][local.hour] += n
        total += n
    return grid, total


# --- CSV -------------------------------------------------------------------------------------
#
# One long table, the same five columns for every section, so a spreadsheet's filter or a
# pivot table reads it without knowing the layout:
#   section  report | total | channel | member | week | heatmap
#   key      what the row is about: a channel or user id, "2026-W47", an ISO weekday 1-7
#   label    its name for people (channel, member, weekday name)
#   metric   e.g. first_response_median_seconds, first_response_attainment_pct, hour_09
#   value    a number (seconds, a count, a percentage) or a date; empty when not measured

CSV_COLUMNS = ("section", "key", "label", "metric", "value")


def _guard(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading ' (as csv_io's export)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row_metrics(row: Row) -> Iterator[tuple[str, float | int | None]]:
    yield "conversations", row.conversations
    for name, d in (
        ("first_response", row.first_response),
        ("first_response_business", row.first_response_business),
        ("resolution", row.resolution),
        ("resolution_business", row.resolution_business),
    ):
        yield f"{name}_count", d.count
        yield f"{name}_median_seconds", d.median
        yield f"{name}_p90_seconds", d.p90
    yield "first_response_measured", row.first_response_measured
    yield "first_response_within_target", row.first_response_within_target
    yield "first_response_attainment_pct", row.first_response_attainment
    yield "resolution_measured", row.resolution_measured
    yield "resolution_within_target", row.resolution_within_target
    yield "resolution_attainment_pct", row.resolution_attainment
    yield "breaches_first_response", row.breaches_first_response
    yield "breaches_resolution", row.breaches_resolution


def csv_rows(report: Report) -> Iterator[list[str]]:
    tz = report.workspace.tz
    yield list(CSV_COLUMNS)
    meta: Iterable[tuple[str, str]] = (
        ("workspace", report.workspace.slug),
        ("start", report.start.astimezone(tz).isoformat()),
        ("end", report.end.astimezone(tz).isoformat()),
        ("time_zone", report.time_zone),
        ("channel", _num(report.channel_id)),
        ("member", _num(report.user_id)),
        ("inbound_messages", _num(report.inbound_messages)),
    )
    for metric, value in meta:
        yield ["report", "", "", metric, _guard(value)]
    for section, rows in (
        ("total", [report.total]),
        ("channel", report.by_channel),
        ("member", report.by_member),
        ("week", report.by_week),
    ):
        for row in rows:
            for metric, number in _row_metrics(row):
                yield [section, _guard(row.key), _guard(row.label), metric, _num(number)]
    for day in range(DAYS):
        name = weekday_name(day)
        for hour in range(HOURS):
            count = str(report.heatmap[day][hour])
            yield ["heatmap", str(day + 1), _guard(name), f"hour_{hour:02d}", count]


def weekday_name(day: int) -> str:
    """Monday (0) … Sunday (6) in the active language."""
    return formats.date_format(date(2024, 1, 1) + timedelta(days=day), "l")  # a Monday


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(csv_rows(report))
    return out.getvalue()
