"""The inbox list: filters, search, saved views, sort, pages, bulk actions, and the rows that
arrive while it is open (htmx polls inbox:new_rows every 15 s).

The query is hubbub.inbox.queries' (Filters / conversations); pages are slices of it, one row
more than shown to know whether more follow: the whole table is never counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.inbox import queries
from hubbub.inbox.models import (
    Conversation,
    Kind,
    Priority,
    SavedView,
    Sentiment,
    Status,
    Tag,
    Team,
)
from hubbub.inbox.views.common import (
    attempt,
    back,
    calendar_of,
    due_info,
    error_of,
    list_url,
    responders,
)
from hubbub.networks.models import Channel
from hubbub.web.decorators import workspace_view

PAGE_SIZE = 50
NEW_ROWS_MAX = 50
SORTS = ("recent", "due", "oldest")
# Query keys that are the page's, not the filters': they are not part of a saved view.
PAGE_KEYS = ("cursor", "start", "after")


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _filters(request: HttpRequest) -> Any:
    from hubbub.inbox.queries import Filters

    return Filters.from_query(request.GET, request.user)


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "recent")
    return sort if sort in SORTS else "recent"


def _query_of(request: HttpRequest, drop: tuple[str, ...] = PAGE_KEYS) -> str:
    """The filters' part of the query string, in a stable order (saved views compare it)."""
    pairs = [
        (key, value)
        for key in sorted(request.GET)
        if key not in drop
        for value in request.GET.getlist(key)
        if value != ""
    ]
    return urlencode(pairs)


def _conversations(access: Access, filters: Any, sort: str) -> QuerySet[Conversation]:
    from hubbub.inbox.queries import conversations

    return conversations(access, filters, order=sort)


def decorate(access: Access, rows: list[Conversation], now: datetime) -> list[Conversation]:
    """Attach what a row shows and the model does not store (time left on the target)."""
    calendar = calendar_of(access.workspace) if rows else None
    for row in rows:
        row.due = due_info(row, now, calendar)  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class Pager:
    first: int  # the number of the first row shown (1 on the first page), 0 when none
    last: int
    has_next: bool
    next_query: str  # the next page's query string ("" on the last page)
    first_url: str  # the first page's address ("" on the first page)


def _pager(request: HttpRequest, start: int, shown: int, next_cursor: str | None) -> Pager:
    params = request.GET.copy()
    for key in ("cursor", "start"):
        params.pop(key, None)
    first_url = ""
    if start > 1:
        first_url = request.path + ("?" + params.urlencode() if params else "")
    next_query = ""
    if next_cursor:
        params["cursor"] = next_cursor
        params["start"] = str(start + shown)
        next_query = params.urlencode()
    return Pager(
        first=start if shown else 0,
        last=start + shown - 1,
        has_next=bool(next_cursor),
        next_query=next_query,
        first_url=first_url,
    )


def saved_views(access: Access) -> QuerySet[SavedView]:
    return SavedView.objects.filter(
        Q(owner=access.user) | Q(owner__isnull=True), workspace=access.workspace
    ).order_by("position", "name", "pk")


def _choices(access: Access, filters_language: list[str]) -> dict[str, Any]:
    return {
        "statuses": Status.choices,
        "kinds": Kind.choices,
        "priorities": Priority.choices,
        "sentiments": Sentiment.choices,
        "channels": Channel.objects.filter(workspace=access.workspace).order_by(
            "network", "handle"
        ),
        "tags": Tag.objects.filter(workspace=access.workspace),
        "teams": Team.objects.filter(workspace=access.workspace),
        "people": responders(access),
        # The interface's languages (what the detector mostly says) and any filtered on:
        # never a DISTINCT over a million conversations to build a menu.
        "languages": sorted({code for code, _name in settings.LANGUAGES} | set(filters_language)),
    }


@require_GET
@workspace_view("inbox.view")
def inbox_list(request: HttpRequest, access: Access) -> HttpResponse:
    from hubbub.inbox.queries import page as keyset_page

    filters = _filters(request)
    sort = _sort(request)
    cursor = request.GET.get("cursor", "")
    start = max(1, _int(request.GET.get("start"), 1)) if cursor else 1
    qs = _conversations(access, filters, sort)
    try:
        result = keyset_page(qs, order=sort, cursor=cursor, limit=PAGE_SIZE)
    except ActionError as exc:  # a cursor from another sort, or edited by hand
        messages.error(request, exc.message)
        result, start = keyset_page(qs, order=sort, limit=PAGE_SIZE), 1
    rows = decorate(access, result.items, timezone.now())
    query = _query_of(request)
    views = list(saved_views(access))
    current_view = next((v for v in views if v.query == query), None)
    newest = max((r.last_message_at for r in rows), default=None) if start == 1 else None
    context: dict[str, Any] = {
        "rows": rows,
        "filters": filters,
        "g": request.GET,
        "sort": sort,
        "sorts": [
            ("recent", _("Most recent")),
            ("due", _("Due soonest")),
            ("oldest", _("Oldest waiting")),
        ],
        "pager": _pager(request, start, len(rows), result.next_cursor),
        "query": query,
        "saved_views": views,
        "current_view": current_view,
        "filtered": bool(query),
        "here": request.get_full_path(),
        # Polling adds rows newer than these only on the first page of the newest-first sort.
        "poll": start == 1 and sort == "recent",
        "newest": newest.isoformat() if newest else timezone.now().isoformat(),
        **_choices(access, filters.language),
    }
    return render(request, "inbox/list.html", context)


@require_GET
@workspace_view("inbox.view")
def new_rows(request: HttpRequest, access: Access) -> HttpResponse:
    """Rows newer than `after` that match the filters (prepended by htmx), and in the
    HX-Trigger header how many new conversations the filters hide (the badge)."""
    try:
        after = parse_datetime(request.GET.get("after", "")) or timezone.now()
    except ValueError:  # well-formed but impossible (a 13th month): nothing is newer
        after = timezone.now()
    if timezone.is_naive(after):
        after = after.replace(tzinfo=UTC)
    filters = _filters(request)
    qs = _conversations(access, filters, "recent")
    rows = decorate(access, queries.newer(qs, after, NEW_ROWS_MAX), timezone.now())
    # Only what arrived since the page was shown, and never more than a badge can say.
    everywhere = (
        Conversation.objects.filter(workspace=access.workspace, last_message_at__gt=after)
        .values("pk")[:1000]
        .count()
    )
    hidden = max(0, everywhere - len(rows))
    response = render(
        request,
        "inbox/_rows.html",
        {"rows": rows, "here": request.GET.get("next", list_url(access))},
    )
    newest = max((r.last_message_at for r in rows), default=None)
    response["HX-Trigger"] = json.dumps(
        {
            "inbox:newRows": {
                "count": len(rows),
                "hidden": hidden,
                "newest": newest.isoformat() if newest else "",
                "hiddenLabel": ngettext(
                    "%(n)s new conversation outside this view",
                    "%(n)s new conversations outside this view",
                    hidden,
                )
                % {"n": hidden},
            }
        }
    )
    return response


@require_POST
@workspace_view("inbox.reply")
def bulk(request: HttpRequest, access: Access) -> HttpResponse:
    from hubbub.inbox import actions

    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    op = request.POST.get("op", "")
    # One form, one button per operation: each operation reads its own field.
    value: Any = request.POST.get(f"{op}_value", request.POST.get("value", ""))
    if op == "priority":
        value = _int(value, -1)
    if not ids:
        messages.error(request, _("Select at least one conversation first."))
        return redirect(back(request, list_url(access)))
    result, error = error_of(lambda: actions.bulk(access, ids, op, value))
    if error:
        messages.error(request, error)
    elif result is not None:
        if result.done:
            messages.success(
                request,
                ngettext("%(n)s conversation updated.", "%(n)s conversations updated.", result.done)
                % {"n": result.done},
            )
        for error in result.errors[:10]:
            messages.error(request, error)
    return redirect(back(request, list_url(access)))


@require_POST
@workspace_view("inbox.view")
def saved_view_save(request: HttpRequest, access: Access) -> HttpResponse:
    from hubbub.inbox import actions

    query = QueryDict(request.POST.get("query", ""))
    pairs = [(k, v) for k in sorted(query) if k not in PAGE_KEYS for v in query.getlist(k) if v]
    name = request.POST.get("name", "")
    shared = request.POST.get("shared") == "on"
    view, error = error_of(lambda: actions.save_view(access, name, urlencode(pairs), shared))
    if view is None:
        messages.error(request, error)
        return redirect(back(request, list_url(access)))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{list_url(access)}?{view.query}" if view.query else list_url(access))


@require_POST
@workspace_view("inbox.view")
def saved_view_delete(request: HttpRequest, access: Access, view_id: int) -> HttpResponse:
    from hubbub.inbox import actions

    view = get_object_or_404(
        SavedView.objects.filter(Q(owner=access.user) | Q(owner__isnull=True)),
        pk=view_id,
        workspace=access.workspace,
    )
    name = view.name
    if attempt(request, lambda: actions.delete_view(access, view)):
        messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect(list_url(access))


@require_GET
@workspace_view("inbox.view")
def export(request: HttpRequest, access: Access) -> HttpResponse | StreamingHttpResponse:
    """The list's conversations under the current filters and sort, as CSV, streamed: the
    rows are written as the database hands them over (hubbub.inbox.csv_export)."""
    from hubbub.inbox import csv_export

    lines = csv_export.export_conversations(access, _filters(request), order=_sort(request))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = csv_export.export_filename(access)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
