"""Recurring posts: a series of posts following an RFC 5545 rule in the workspace's clock.

The post a series starts from (the origin) keeps the rule in `Post.rrule` and is itself the
first occurrence; every other occurrence is a post of its own (a copy of the origin's
variants and media) pointing at it through `Post.series`, so each can be edited, moved or
cancelled alone and has its own deliveries and history.

Times follow the workspace's wall clock: "every Tuesday at 09:00" stays 09:00 in Paris on
both sides of a daylight-saving change (the rule is expanded with an aware start in the
workspace's zone). A time the clocks skip (02:30 on the spring-forward night) goes out at the
same instant an hour later on the clock (03:30).

Occurrences are created up to a horizon (HORIZON days ahead, or the rule's COUNT/UNTIL if
sooner) so an endless rule does not fill the database; a daily job (`extend_task`) creates
the next ones as time passes. Stopping a series clears the rule and cancels the occurrences
that have not gone out yet.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from hubbub.core.access import Access, ActionError, access_workspace
from hubbub.core.audit import record
from hubbub.publishing.actions.posts import (
    cancel_post,
    media_row,
    problems,
    require_own_or,
    schedule_post,
)
from hubbub.publishing.calendar import place
from hubbub.publishing.models import Post, PostMedia, PostStatus, PostVariant

log = logging.getLogger(__name__)

HORIZON = timedelta(days=60)
MAX_OCCURRENCES = 400  # within the horizon: more than 6 a day for 60 days is not a schedule
STARTABLE = (PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED)
ALLOWED_FREQ = {"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
UNTIL = re.compile(r"UNTIL=([^;]*)", re.IGNORECASE)


@dataclass(frozen=True)
class SeriesResult:
    origin: Post
    created: list[Post]  # occurrences created now (the origin not included)
    problems: list[str]  # occurrences left as drafts, with the reason


def _until_in_utc(rule: str, tz: ZoneInfo) -> str:
    """dateutil wants UNTIL in UTC when the start is aware; people write it in their own
    time ("UNTIL=20261231" or "UNTIL=20261231T090000"), as RFC 5545 allows for local starts."""

    def convert(match: re.Match[str]) -> str:
        value = match.group(1).upper()
        if value.endswith("Z"):
            return f"UNTIL={value}"
        try:
            if "T" in value:
                local = datetime.strptime(value, "%Y%m%dT%H%M%S")
            else:  # a date: the whole of that day counts
                local = datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time.max)
        except ValueError:
            raise ActionError(
                _("UNTIL=%(value)s is not a date: write it as 20261231 or 20261231T090000.")
                % {"value": match.group(1)},
                field="rrule",
            ) from None
        utc = local.replace(tzinfo=tz).astimezone(UTC)
        return f"UNTIL={utc:%Y%m%dT%H%M%SZ}"

    return UNTIL.sub(convert, rule)


def parse_rule(text: str, start: datetime, tz: ZoneInfo) -> rrule:
    """The rule as dateutil expands it from `start` (aware, any zone), in the zone `tz`."""
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if not rule:
        raise ActionError(
            _("Write a repeat rule, e.g. FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0."),
            field="rrule",
        )
    if "\n" in rule or "DTSTART" in rule.upper() or ":" in rule:
        raise ActionError(
            _(
                "Give only the rule (FREQ=…;BYDAY=…), without DTSTART or other lines: the "
                "series starts at the post's planned time."
            ),
            field="rrule",
        )
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    if freq not in ALLOWED_FREQ:
        raise ActionError(
            _("FREQ=%(freq)s is not allowed: use one of %(choices)s.")
            % {"freq": freq or "?", "choices": ", ".join(sorted(ALLOWED_FREQ))},
            field="rrule",
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ActionError(_("Give COUNT or UNTIL, not both (RFC 5545)."), field="rrule")
    rule = _until_in_utc(rule, tz)
    local_start = start.astimezone(tz).replace(second=0, microsecond=0)
    try:
        parsed = rrulestr(rule, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise ActionError(
            _(
                "This repeat rule is not valid (%(reason)s): write it as in RFC 5545, e.g. "
                "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20261231."
            )
            % {"reason": exc},
            field="rrule",
        ) from None
    assert isinstance(parsed, rrule)  # no forceset: a single rule
    return parsed


def occurrences(
    rule: rrule, after: datetime, until: datetime, limit: int = MAX_OCCURRENCES
) -> Iterator[datetime]:
    """The rule's times (UTC) in (after, until], at most `limit`."""
    count = 0
    for moment in rule:
        utc = moment.astimezone(UTC)
        if utc > until:
            return
        if utc > after:
            yield utc
            count += 1
            if count >= limit:
                return


def _require(access: Access, post: Post) -> None:
    require_own_or(access, post, "posts.schedule")


def _copy(origin: Post, when: datetime) -> Post:
    """A draft copy of the origin at `when`: same purpose, campaign, variants and media."""
    copy = Post.objects.create(
        workspace_id=origin.workspace_id,
        author_id=origin.author_id,
        campaign_id=origin.campaign_id,
        purpose=origin.purpose,
        scheduled_at=when,
        series=origin,
    )
    for variant in origin.variants.prefetch_related("media"):
        new = PostVariant.objects.create(
            post=copy,
            channel_id=variant.channel_id,
            parts=list(variant.parts),
            first_comment=variant.first_comment,
            link=variant.link,
            language=variant.language,
        )
        PostMedia.objects.bulk_create(
            media_row(copy, new, m, m.position) for m in variant.media.all()
        )
    return copy


def _place_copies(
    access: Access, origin: Post, times: list[datetime]
) -> tuple[list[Post], list[str]]:
    created: list[Post] = []
    failed: list[str] = []
    tz = access.workspace.tz
    for when in times:
        copy = _copy(origin, when)
        created.append(copy)
        try:
            with transaction.atomic():  # a refused occurrence stays a draft at its time
                place(access, copy, when)
        except (ActionError, PermissionDenied) as exc:
            failed.append(f"{when.astimezone(tz):%Y-%m-%d %H:%M}: {exc}")
    return created, failed


def create_series(
    access: Access,
    post: Post,
    rule_text: str,
    *,
    start: datetime | None = None,
    now: datetime | None = None,
) -> SeriesResult:
    """Make a post repeat. The series starts at `start` (aware, or naive local), else at the
    post's planned time; the post moves to the rule's first time and is scheduled (or
    submitted for approval), and copies are made for the next times up to the horizon."""
    _require(access, post)
    now = now or timezone.now()
    tz = access.workspace.tz
    if post.status not in STARTABLE:
        raise ActionError(
            _("This post is %(status)s: only a draft, approved or scheduled post can repeat.")
            % {"status": PostStatus(post.status).label}
        )
    if post.series_id is not None or post.rrule:
        raise ActionError(
            _("This post is already part of a recurring series: stop that series first.")
        )
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=tz)
    begin = max(start or post.scheduled_at or now, now)
    rule = parse_rule(rule_text, begin, tz)
    if start is None and post.scheduled_at is None and "BYHOUR" not in rule_text.upper():
        # The time of day would be whatever minute the button was pressed.
        raise ActionError(
            _(
                "Give the post a planned time first, or say the time in the rule "
                "(BYHOUR=9;BYMINUTE=0)."
            ),
            field="rrule",
        )
    times = list(occurrences(rule, now, now + HORIZON))
    if not times:
        raise ActionError(
            _("This rule gives no time in the next %(days)s days: check its UNTIL or BYDAY.")
            % {"days": HORIZON.days},
            field="rrule",
        )
    found = problems(post)
    if found:
        raise ActionError(" ".join(p.message for p in found), field=found[0].field)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        post.rrule = _until_in_utc(rule_text.strip().removeprefix("RRULE:"), tz)
        post.save(update_fields=["rrule", "updated_at"])
        first, rest = times[0], times[1:]
        if post.status == PostStatus.SCHEDULED:
            post = schedule_post(access, post, first, now=now)
        else:
            post = place(access, post, first)
        created, failed = _place_copies(access, post, rest)
        record(
            "post.series_create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=post,
            after={"rrule": post.rrule, "occurrences": 1 + len(created)},
        )
    return SeriesResult(post, created, failed)


def series_posts(origin: Post) -> list[Post]:
    """The origin and its occurrences, in time order."""
    return list(
        Post.objects.filter(Q(pk=origin.pk) | Q(series=origin)).order_by("scheduled_at", "id")
    )


def extend_series(access: Access, origin: Post, *, now: datetime | None = None) -> list[Post]:
    """Create the occurrences that have come within the horizon since the last run."""
    _require(access, origin)
    if not origin.rrule or origin.scheduled_at is None:
        return []
    now = now or timezone.now()
    tz = access.workspace.tz
    rule = parse_rule(origin.rrule, origin.scheduled_at, tz)
    latest = Post.objects.filter(series=origin).aggregate(last=Max("scheduled_at"))["last"]
    covered = max(filter(None, [latest, origin.scheduled_at, now]))
    # The origin's own time counts as covered, and so does every time already made.
    times = list(occurrences(rule, covered, now + HORIZON))
    if not times:
        return []
    with transaction.atomic():
        created, failed = _place_copies(access, origin, times)
        record(
            "post.series_extend",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=origin,
            after={"created": [p.pk for p in created], "problems": failed},
        )
    return created


def stop_series(access: Access, post: Post, *, now: datetime | None = None) -> list[Post]:
    """Stop repeating: no new occurrence, and those not out yet are cancelled (the origin
    too when its time has not come). Returns the cancelled posts."""
    origin = Post.objects.get(pk=post.series_id or post.pk)  # fresh: the rule may be gone
    _require(access, origin)
    if not origin.rrule:
        raise ActionError(_("This post does not repeat: there is no series to stop."))
    now = now or timezone.now()
    cancelled: list[Post] = []
    with transaction.atomic():
        origin = Post.objects.select_for_update().get(pk=origin.pk)
        before = {"rrule": origin.rrule}
        origin.rrule = ""
        origin.save(update_fields=["rrule", "updated_at"])
        pending = Post.objects.filter(
            workspace=access.workspace,
            scheduled_at__gt=now,
            status__in=[
                PostStatus.DRAFT,
                PostStatus.IN_REVIEW,
                PostStatus.APPROVED,
                PostStatus.SCHEDULED,
            ],
        ).filter(Q(pk=origin.pk) | Q(series=origin))
        for item in pending.order_by("scheduled_at"):
            cancelled.append(cancel_post(access, item))
        record(
            "post.series_stop",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=origin,
            before=before,
            after={"cancelled": [p.pk for p in cancelled]},
        )
    return cancelled


def extend_all(now: datetime | None = None) -> int:
    """The daily job: extend every running series, acting as its origin's author (whose
    permissions still apply: a removed author's series stops growing, and says so)."""
    made = 0
    for origin in Post.objects.exclude(rrule="").select_related("author", "workspace"):
        if origin.author is None:
            log.warning("series %s has no author any more: not extended", origin.pk)
            continue
        try:
            access = access_workspace(origin.author, origin.workspace.slug, via="system")
            made += len(extend_series(access, origin, now=now))
        except Exception as exc:  # one broken series must not stop the others growing
            log.warning("series %s not extended: %s", origin.pk, exc)
    return made


@db_periodic_task(crontab(hour="3", minute="25"))
@lock_task("publishing-recurrence")
def extend_task() -> None:
    made = extend_all()
    log.info("recurring series: %s occurrences created", made)
