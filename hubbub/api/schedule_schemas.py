"""What the schedule endpoints accept and answer: the calendar, queue slots, recurring
series and CSV import. Times are in the workspace's time zone, with their offset."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from datetime import date, datetime

from ninja import Field, Schema

from hubbub.api.post_schemas import POST_STATUSES
from hubbub.publishing.calendar import DEFAULT_COLOUR
from hubbub.publishing.models import Post, QueueSlot


class CalendarQuery(Schema):
    start: date | None = Field(
        None, description="First day, in the workspace's time zone (default: today)."
    )
    end: date | None = Field(
        None, description="Last day, included (default: 30 days after start; at most 366)."
    )
    channel: int | None = Field(None, description="Only posts going to this channel id.")
    campaign: int | None = Field(None, description="Only posts of this campaign id.")
    status: str = Field("", description=f"One of {POST_STATUSES}.")
    author: int | None = Field(None, description="Only posts by this user id.")


class CalendarPostOut(Schema):
    id: int
    purpose: str
    status: str
    scheduled_at: datetime = Field(description="The planned time, in the workspace's zone.")
    campaign_id: int | None
    campaign: str | None
    colour: str = Field(description="The campaign's colour (#rrggbb), grey without one.")
    author_id: int | None
    channels: list[str] = Field(description="The handles of the channels it goes to.")
    series_id: int | None = Field(description="The first post of its recurring series.")
    rrule: str = Field(description="The repeat rule, on the first post of a series.")


def calendar_post_out(post: Post, tz: zoneinfo.ZoneInfo) -> CalendarPostOut:
    assert post.scheduled_at is not None
    return CalendarPostOut(
        id=post.pk,
        purpose=post.purpose,
        status=post.status,
        scheduled_at=post.scheduled_at.astimezone(tz),
        campaign_id=post.campaign_id,
        campaign=post.campaign.name if post.campaign else None,
        colour=post.campaign.colour if post.campaign else DEFAULT_COLOUR,
        author_id=post.author_id,
        channels=[v.channel.handle for v in post.variants.all()],
        series_id=post.series_id,
        rrule=post.rrule,
    )


class SlotIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    time: dt.time = Field(description="Wall-clock time in the workspace's zone, e.g. 09:30.")


class SlotsIn(Schema):
    slots: list[SlotIn] | None = Field(
        None, description="Every slot of the week (replaces the current ones; [] clears them)."
    )


class SlotOut(Schema):
    id: int
    weekday: int
    time: dt.time


def slot_out(slot: QueueSlot) -> SlotOut:
    return SlotOut(id=slot.pk, weekday=slot.weekday, time=slot.time)


class SlotsOut(Schema):
    channel_id: int
    slots: list[SlotOut]
    next_free: list[datetime] = Field(description="The next free slots, in the workspace's zone.")


class NextSlotQuery(Schema):
    channel: list[int] = Field(
        default_factory=list, description="A channel id; repeat it for several channels."
    )


class NextSlotOut(Schema):
    at: datetime | None = Field(
        description="The first free slot, in the workspace's zone; null when the channels have "
        "no free slot in the next 8 weeks."
    )
    channels: list[int]


class RecurrenceIn(Schema):
    rrule: str = Field(
        description="An RFC 5545 rule in the workspace's wall-clock time, e.g. "
        "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20261231 (or COUNT=10)."
    )
    start: datetime | None = Field(
        None,
        description="When the series starts (local time, or with an offset); default: the "
        "post's planned time.",
    )


class SeriesOut(Schema):
    origin_id: int = Field(description="The post holding the rule (the first occurrence).")
    rrule: str
    posts: list[CalendarPostOut] = Field(description="Every post of the series so far.")
    problems: list[str] = Field(description="Occurrences left as drafts, and why.")


class StoppedOut(Schema):
    cancelled: list[int] = Field(description="The future posts of the series now cancelled.")


class RowErrorOut(Schema):
    line: int = Field(description="The line of the file where the row starts (header: 1).")
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    imported: list[int] = Field(description="The ids of the posts created.")
    errors: list[RowErrorOut]
    campaigns_created: list[str]
