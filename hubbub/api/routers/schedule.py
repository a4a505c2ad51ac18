"""The calendar's data, queue slots and next free slot, recurring posts, CSV import and export.

The rules live in hubbub.publishing.calendar, .queue, .recurrence and .csv_io; these
handlers check the permission first (so a role that may not act learns nothing about ids),
then only translate between JSON (or CSV) and those functions.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from hubbub.api.auth import api_access
from hubbub.api.schedule_schemas import (
    CalendarPostOut,
    CalendarQuery,
    ImportOut,
    NextSlotOut,
    NextSlotQuery,
    RecurrenceIn,
    RowErrorOut,
    SeriesOut,
    SlotsIn,
    SlotsOut,
    StoppedOut,
    calendar_post_out,
    slot_out,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.networks.models import Channel
from hubbub.publishing import calendar as cal
from hubbub.publishing import csv_io, queue, recurrence
from hubbub.publishing.models import Post

router = Router(tags=["schedule"])

MAX_DAYS = 366


def _channel(access: Access, channel_id: int) -> Channel:
    return get_object_or_404(Channel, pk=channel_id, workspace=access.workspace)


def _post(access: Access, post_id: int) -> Post:
    return get_object_or_404(Post, pk=post_id, workspace=access.workspace)


def _filters(query: CalendarQuery) -> cal.Filters:
    return cal.Filters(
        channel=query.channel, campaign=query.campaign, status=query.status, author=query.author
    )


# --- calendar -------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/calendar",
    response=answers(200, list[CalendarPostOut]),
    summary="Posts planned between two days (the workspace's time zone), filtered",
)
def calendar(request: HttpRequest, slug: str, query: Query[CalendarQuery]) -> list[CalendarPostOut]:
    access = api_access(request, slug)
    access.require("posts.view")
    tz = access.workspace.tz
    start = query.start or cal.today_in(tz)
    end = query.end or start + timedelta(days=30)
    if end < start:
        raise ActionError("end is before start: swap them.", field="end")
    if (end - start).days >= MAX_DAYS:
        raise ActionError(f"Ask for at most {MAX_DAYS} days at a time.", field="end")
    posts = cal.posts_between(access, *cal.day_bounds(start, end, tz), _filters(query))
    return [calendar_post_out(p, tz) for p in posts]


# --- queue slots ----------------------------------------------------------------------------


def _slots_out(access: Access, channel: Channel) -> SlotsOut:
    slots = queue.slots_of(channel)
    upcoming = queue.upcoming_slots(access, [channel], limit=5) if slots else []
    tz = access.workspace.tz
    return SlotsOut(
        channel_id=channel.pk,
        slots=[slot_out(s) for s in slots],
        next_free=[u.astimezone(tz) for u in upcoming],
    )


@router.get(
    "/workspaces/{slug}/channels/{int:channel_id}/queue-slots",
    response=answers(200, SlotsOut),
    summary="A channel's weekly queue slots and its next free ones",
)
def get_slots(request: HttpRequest, slug: str, channel_id: int) -> SlotsOut:
    access = api_access(request, slug)
    access.require("posts.view")
    return _slots_out(access, _channel(access, channel_id))


@router.put(
    "/workspaces/{slug}/channels/{int:channel_id}/queue-slots",
    response=answers(200, SlotsOut),
    summary="Replace a channel's weekly queue slots",
)
def put_slots(request: HttpRequest, slug: str, channel_id: int, payload: SlotsIn) -> SlotsOut:
    access = api_access(request, slug)
    access.require("queue.manage")
    channel = _channel(access, channel_id)
    if payload.slots is None:
        raise ActionError(
            'Send {"slots": [{"weekday": 1, "time": "09:00"}, ...]} ([] removes them all).',
            field="slots",
        )
    queue.set_slots(access, channel, [(s.weekday, s.time) for s in payload.slots])
    return _slots_out(access, channel)


@router.get(
    "/workspaces/{slug}/next-free-slot",
    response=answers(200, NextSlotOut),
    summary="The first queue slot of these channels not already taken",
)
def next_free_slot(request: HttpRequest, slug: str, query: Query[NextSlotQuery]) -> NextSlotOut:
    access = api_access(request, slug)
    access.require("posts.view")
    channel = query.channel
    if not channel:
        raise ActionError("Give at least one channel: ?channel=12&channel=13.", field="channel")
    channels = list(Channel.objects.filter(workspace=access.workspace, pk__in=channel))
    missing = set(channel) - {c.pk for c in channels}
    if missing:
        raise ActionError(
            f"Channel {min(missing)} is not a channel of this workspace: list them with GET "
            "channels.",
            field="channel",
        )
    found = queue.next_free_slot(access, channels)
    return NextSlotOut(
        at=found.astimezone(access.workspace.tz) if found else None,
        channels=[c.pk for c in channels],
    )


# --- recurring posts ------------------------------------------------------------------------


@router.post(
    "/workspaces/{slug}/posts/{int:post_id}/recurrence",
    response=answers(201, SeriesOut),
    summary="Make a post repeat by an RFC 5545 rule (creates the next occurrences)",
)
def start_recurrence(
    request: HttpRequest, slug: str, post_id: int, payload: RecurrenceIn
) -> Status[SeriesOut]:
    access = api_access(request, slug)
    access.require("posts.schedule")
    result = recurrence.create_series(
        access, _post(access, post_id), payload.rrule, start=payload.start
    )
    tz = access.workspace.tz
    posts = (
        Post.objects.filter(pk__in=[p.pk for p in recurrence.series_posts(result.origin)])
        .select_related("campaign")
        .prefetch_related("variants__channel")
        .order_by("scheduled_at", "id")
    )
    return Status(
        201,
        SeriesOut(
            origin_id=result.origin.pk,
            rrule=result.origin.rrule,
            posts=[calendar_post_out(p, tz) for p in posts],
            problems=result.problems,
        ),
    )


@router.delete(
    "/workspaces/{slug}/posts/{int:post_id}/recurrence",
    response=answers(200, StoppedOut),
    summary="Stop a series: no new occurrence, future ones not yet out are cancelled",
)
def stop_recurrence(request: HttpRequest, slug: str, post_id: int) -> StoppedOut:
    access = api_access(request, slug)
    access.require("posts.schedule")
    cancelled = recurrence.stop_series(access, _post(access, post_id))
    return StoppedOut(cancelled=[p.pk for p in cancelled])


# --- CSV import and export ------------------------------------------------------------------

CSV_BODY = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
        "description": "The CSV file: columns channel, time, text, media, first_comment, "
        "campaign, purpose (see docs/calendar.md).",
    }
}


@router.post(
    "/workspaces/{slug}/posts/import",
    response=answers(200, ImportOut),
    summary="Import posts from CSV: good rows imported, bad rows listed by line",
    openapi_extra=CSV_BODY,
)
def import_posts(request: HttpRequest, slug: str) -> ImportOut:
    access = api_access(request, slug)
    access.require("posts.create")
    upload = request.FILES.get("file")
    if upload is not None:
        data, name = upload.read(), upload.name or ""
    else:
        data, name = request.body, ""
    result = csv_io.import_posts(access, data, filename=name)
    return ImportOut(
        rows=result.rows,
        imported=result.imported,
        errors=[
            RowErrorOut(line=e.line, column=e.column, message=e.message) for e in result.errors
        ],
        campaigns_created=result.campaigns_created,
    )


@router.get(
    "/workspaces/{slug}/posts/export.csv",
    response=answers(200, None),
    summary="The schedule as CSV (same columns as the import, plus status, link and id)",
    openapi_extra={
        "responses": {
            200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
        }
    },
)
def export_posts(request: HttpRequest, slug: str, query: Query[CalendarQuery]) -> HttpResponse:
    access = api_access(request, slug)
    access.require("posts.view")
    tz = access.workspace.tz
    start = cal.day_start(query.start, tz) if query.start else None
    end = cal.day_start(query.end + timedelta(days=1), tz) if query.end else None
    body = csv_io.export_csv(access, _filters(query), start, end)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_io.export_filename(access)}"'
    return response
