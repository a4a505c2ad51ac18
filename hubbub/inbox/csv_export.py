"""The inbox's conversations as CSV, for spreadsheets: one row a conversation, with the list's
filters (hubbub.inbox.queries), shared by the web list's "Export CSV" link, the API's
GET .../conversations.csv and `hubbub inbox-export`.

The rows are produced one at a time from a database iterator and handed to a
StreamingHttpResponse (or written to a file) as they come: an export of a million
conversations never sits in memory. Conventions are the posts export's
(hubbub.publishing.csv_io): a header line, comma-separated, CRLF line ends, UTF-8; a cell of
text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading '.

Times are in the workspace's time zone, ISO 8601 with their offset (2026-06-01T11:00:00+02:00).
First-response minutes are given twice: wall-clock, and in business hours by the response
policy's calendar (what the targets count). Breached: "yes", "no", or empty when the
conversation has no such target.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from hubbub.core.access import Access
from hubbub.inbox import queries
from hubbub.inbox.business_hours import Calendar
from hubbub.inbox.models import Conversation, Priority, Status
from hubbub.inbox.sla import calendar_for
from hubbub.inbox.text import excerpt
from hubbub.publishing.csv_io import FORMULA_START

COLUMNS = (
    "id",
    "channel",
    "network",
    "kind",
    "status",
    "priority",
    "assignee",
    "team",
    "tags",
    "customer",
    "handle",
    "subject",
    "language",
    "sentiment",
    "opened_at",
    "first_response_at",
    "closed_at",
    "first_response_minutes",
    "first_response_business_minutes",
    "first_response_breached",
    "resolution_breached",
    "message_count",
    "url",
)
TAG_SEPARATOR = "|"  # as the posts export separates media
SUBJECT_LENGTH = 200
CHUNK = 2000  # rows a database round trip (and a prefetch of their tags)
PRIORITY_NAMES = {p.value: p.name.lower() for p in Priority}  # low, normal, high, urgent


class _Line:
    """csv.writer's file: hands back each formatted line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def guard(value: str) -> str:
    """Text a spreadsheet would run as a formula starts with a ' instead (as the posts
    export does, so both files read the same)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _local(when: datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).isoformat(timespec="seconds") if when else ""


def _minutes(seconds: float) -> str:
    return str(round(seconds / 60))


def _breached(recorded: datetime | None, due: datetime | None, met_at: datetime | None) -> str:
    """Recorded by the periodic check, or passed and not yet seen by it (the list's rule)."""
    if recorded is not None:
        return "yes"
    if due is None:
        return ""
    return "yes" if met_at is not None and met_at > due else "no"


def row(
    conversation: Conversation, tz: ZoneInfo, calendar: Calendar, now: datetime, url: str
) -> list[str]:
    c = conversation
    identity, customer = c.identity, c.customer
    closed = c.closed_at if c.status == Status.CLOSED else None
    wall = business = ""
    if c.first_response_at is not None:
        wall = _minutes((c.first_response_at - c.opened_at).total_seconds())
        business = _minutes(calendar.between(c.opened_at, c.first_response_at).total_seconds())
    customer_name = (customer.name if customer else "") or (identity.name if identity else "")
    return [
        str(c.pk),
        guard(c.channel.handle),
        c.channel.network,
        c.kind,
        c.status,
        PRIORITY_NAMES.get(c.priority, str(c.priority)),
        guard(c.assignee.email) if c.assignee else "",
        guard(c.team.name) if c.team else "",
        guard(TAG_SEPARATOR.join(sorted(t.name for t in c.tags.all()))),
        guard(customer_name),
        guard(identity.handle) if identity else "",
        guard(excerpt(c.subject, SUBJECT_LENGTH)),
        c.language,
        c.sentiment,
        _local(c.opened_at, tz),
        _local(c.first_response_at, tz),
        _local(closed, tz),
        wall,
        business,
        _breached(
            c.first_response_breached_at, c.first_response_due_at, c.first_response_at or now
        ),
        _breached(c.resolution_breached_at, c.resolution_due_at, closed or now),
        str(c.message_count),
        url,
    ]


def conversation_url(access: Access) -> Any:
    """pk → the conversation page's full address (reversed once, not a million times)."""
    marker = 987654321
    path = reverse("inbox:conversation", args=[access.workspace.slug, marker])
    before, after = path.split(str(marker), 1)
    base = settings.BASE_URL.rstrip("/")
    return lambda pk: f"{base}{before}{pk}{after}"


def matching(
    access: Access, filters: queries.Filters, *, order: str = "recent", now: datetime | None = None
) -> QuerySet[Conversation]:
    """The conversations an export holds (for counting them first: the CLI's progress bar)."""
    return queries.conversations(access, filters, order=order, now=now)


def export_conversations(
    access: Access,
    filters: queries.Filters,
    *,
    order: str = "recent",
    now: datetime | None = None,
) -> Iterator[str]:
    """The header line, then one CSV line a conversation matching `filters`, in `order`.

    The permission (inbox.view) and the order are checked at once, before the first line:
    a refusal is an error answer, not a file cut short. Lines end with CRLF.
    """
    now = now or timezone.now()
    qs = matching(access, filters, order=order, now=now)  # checks inbox.view and order
    return _lines(qs, access.workspace.tz, calendar_for(access.workspace), now, access)


def _lines(
    qs: QuerySet[Conversation], tz: ZoneInfo, calendar: Calendar, now: datetime, access: Access
) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    url = conversation_url(access)
    yield writer.writerow(COLUMNS)
    for conversation in qs.iterator(chunk_size=CHUNK):
        yield writer.writerow(row(conversation, tz, calendar, now, url(conversation.pk)))


def export_filename(access: Access, now: datetime | None = None) -> str:
    local = (now or timezone.now()).astimezone(access.workspace.tz)
    return f"{access.workspace.slug}-conversations-{local:%Y-%m-%d}.csv"
