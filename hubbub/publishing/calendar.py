"""The calendar: a workspace's posts by day, in the workspace's time zone, and moving them.

Day boundaries are computed for each day in the workspace's zone, so the day the clocks
change is 23 or 25 hours long and a post at 00:30 local time lands on the right day whatever
the UTC offset. Times are stored in UTC; the grids carry local (aware) datetimes for display.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.publishing.actions import approvals as approval_actions
from hubbub.publishing.actions.posts import schedule_post
from hubbub.publishing.models import Post, PostStatus, PostVariant
from hubbub.publishing.tz import local_to_utc

DEFAULT_COLOUR = "#6b7280"  # posts without a campaign: neutral grey
# Posts whose time is only a plan (no delivery yet): moving them changes the plan.
PLANNED_ONLY = (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED)


@dataclass(frozen=True)
class Filters:
    """The calendar's filters; None / "" means "any"."""

    channel: int | None = None
    campaign: int | None = None
    status: str = ""
    author: int | None = None

    def check(self) -> None:
        if self.status and self.status not in PostStatus.values:
            raise ActionError(
                _("Unknown status '%(status)s': use one of %(choices)s.")
                % {"status": self.status, "choices": ", ".join(PostStatus.values)},
                field="status",
            )


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of `day` in `tz`, in UTC (midnight may itself be skipped by a DST
    change in a few zones: zoneinfo then gives the instant the clocks jump over)."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering the local days first..last inclusive."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)


def posts_between(
    access: Access, start: datetime, end: datetime, filters: Filters | None = None
) -> QuerySet[Post]:
    """Posts planned in [start, end) (UTC), filtered, with what a chip shows preloaded."""
    access.require("posts.view")
    filters = filters or Filters()
    filters.check()
    posts = Post.objects.posts().filter(
        workspace=access.workspace, scheduled_at__gte=start, scheduled_at__lt=end
    )
    return filter_posts(posts, filters)


def filter_posts(posts: QuerySet[Post], filters: Filters) -> QuerySet[Post]:
    if filters.channel is not None:
        posts = posts.filter(variants__channel_id=filters.channel)
    if filters.campaign is not None:
        posts = posts.filter(campaign_id=filters.campaign)
    if filters.status:
        posts = posts.filter(status=filters.status)
    if filters.author is not None:
        posts = posts.filter(author_id=filters.author)
    variants = PostVariant.objects.select_related("channel").order_by("channel__handle")
    return (
        posts.select_related("author", "campaign")
        .prefetch_related(Prefetch("variants", queryset=variants))
        .distinct()
        .order_by("scheduled_at", "id")
    )


@dataclass
class Entry:
    """One post as the calendar shows it."""

    post: Post
    local: datetime  # the planned time, in the workspace's zone

    @property
    def colour(self) -> str:
        return self.post.campaign.colour if self.post.campaign else DEFAULT_COLOUR

    @property
    def channels(self) -> list[str]:
        return [v.channel.handle for v in self.post.variants.all()]

    @property
    def movable(self) -> bool:
        return self.post.status in (*PLANNED_ONLY, PostStatus.SCHEDULED)


@dataclass
class Day:
    day: date
    in_range: bool = True  # False: a day of the previous/next month shown to fill the week
    is_today: bool = False
    entries: list[Entry] = field(default_factory=list)


def _entries_by_day(posts: QuerySet[Post], tz: ZoneInfo) -> dict[date, list[Entry]]:
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for post in posts:
        assert post.scheduled_at is not None  # the query only takes planned posts
        local = post.scheduled_at.astimezone(tz)
        by_day[local.date()].append(Entry(post, local))
    return by_day


def today_in(tz: ZoneInfo) -> date:
    return timezone.now().astimezone(tz).date()


def month_grid(
    access: Access, year: int, month: int, filters: Filters | None = None
) -> list[list[Day]]:
    """Weeks (Monday first) covering the month, each a list of 7 days with their posts."""
    tz = access.workspace.tz
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    by_day = _entries_by_day(
        posts_between(access, *day_bounds(grid_start, grid_end, tz), filters), tz
    )
    today = today_in(tz)
    weeks: list[list[Day]] = []
    day = grid_start
    while day <= grid_end:
        week = []
        for _i in range(7):
            week.append(Day(day, day.month == month, day == today, by_day.get(day, [])))
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


@dataclass
class Week:
    days: list[Day]
    # hours[h][d]: the entries of day d (0 = Monday) whose local time is in hour h
    hours: list[list[list[Entry]]]


def week_grid(access: Access, any_day: date, filters: Filters | None = None) -> Week:
    """The week (Monday to Sunday) holding `any_day`, by day and by local hour."""
    tz = access.workspace.tz
    monday = any_day - timedelta(days=any_day.weekday())
    sunday = monday + timedelta(days=6)
    by_day = _entries_by_day(posts_between(access, *day_bounds(monday, sunday, tz), filters), tz)
    today = today_in(tz)
    days = [
        Day(monday + timedelta(days=i), True, monday + timedelta(days=i) == today) for i in range(7)
    ]
    hours: list[list[list[Entry]]] = [[[] for _d in range(7)] for _h in range(24)]
    for index, d in enumerate(days):
        d.entries = by_day.get(d.day, [])
        for entry in d.entries:
            hours[entry.local.hour][index].append(entry)
    return Week(days, hours)


def list_days(
    access: Access, first: date, days: int = 30, filters: Filters | None = None
) -> list[Day]:
    """The days from `first` that have posts, for the list view."""
    tz = access.workspace.tz
    last = first + timedelta(days=days - 1)
    by_day = _entries_by_day(posts_between(access, *day_bounds(first, last, tz), filters), tz)
    today = today_in(tz)
    return [Day(d, True, d == today, entries) for d, entries in sorted(by_day.items())]


# --- placing and moving posts -------------------------------------------------------------


def place(access: Access, post: Post, when: datetime, *, fold: int | None = None) -> Post:
    """Schedule a post at `when` as the composer's button would: through the approvals
    workflow's submit() (which schedules directly when no approval is needed, and otherwise
    sends the post for review with `when` as its planned time). Used by CSV import and
    recurring series, so they follow the same rules as a person clicking "Schedule"."""
    submit = getattr(approval_actions, "submit", None)
    if submit is not None:
        placed: Post = submit(access, post, when, fold=fold)
        return placed
    return schedule_post(access, post, when, fold=fold)


def move_post(
    access: Access,
    post: Post,
    when: datetime,
    *,
    fold: int | None = None,
    now: datetime | None = None,
) -> Post:
    """Give a post another time. `when` is a wall-clock time of the workspace (naive) or an
    aware datetime.

    A scheduled post is rescheduled through schedule_post, so its deliveries move and the
    workflow's rules (e.g. "rescheduling needs approval again") apply. A draft, or a post in
    review or approved, has no delivery yet: only its planned time changes.
    """
    if post.workspace_id != access.workspace.pk:
        raise ActionError(_("That post belongs to another workspace."))
    if post.status == PostStatus.SCHEDULED:
        return schedule_post(access, post, when, fold=fold, now=now)
    return plan_post(access, post, when, fold=fold, now=now)


def plan_post(
    access: Access,
    post: Post,
    when: datetime,
    *,
    fold: int | None = None,
    now: datetime | None = None,
) -> Post:
    """Change the planned time of a post that is not scheduled yet."""
    access.require("posts.edit")
    if post.author_id != access.user.pk and not access.can("posts.edit_any"):
        raise PermissionDenied(
            _("This post is someone else's: ask its author, a manager or an owner to change it.")
        )
    due = local_to_utc(when, access.workspace.tz, fold)
    if due <= (now or timezone.now()):
        raise ActionError(
            _("%(time)s has already passed: choose a time in the future.")
            % {"time": due.astimezone(access.workspace.tz).strftime("%Y-%m-%d %H:%M")},
            field="scheduled_at",
        )
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.status not in PLANNED_ONLY:
            raise ActionError(
                _("This post is %(status)s: its time can no longer be changed here.")
                % {"status": PostStatus(post.status).label}
            )
        before = {"scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None}
        post.scheduled_at = due
        post.save(update_fields=["scheduled_at", "updated_at"])
        record(
            "post.plan",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            before=before,
            after={"scheduled_at": due.isoformat()},
        )
    return post
