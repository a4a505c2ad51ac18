"""The mentions list (filters, pages of 50, sentiment corrected in one click, "To inbox"),
its CSV export, and what the analyzer learned from the corrections.

Filters are hubbub.listening.stats' (the overview's drill-down links land here with the same
query string). The list shows each original once, with how many reposts it had, unless
"show reposts" is ticked; the export follows the same filters.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.inbox.csv_export import guard
from hubbub.listening import actions, stats
from hubbub.listening.feelings import LEARNING_LANGUAGES
from hubbub.listening.models import Mention, MentionMatch, SentimentCorrection, SentimentLearning
from hubbub.listening.views.common import (
    SENTIMENT_LABELS,
    attempt,
    back,
    choices,
    mentions_url,
    web_link,
)
from hubbub.web.decorators import workspace_view

PAGE_SIZE = 50
CHUNK = 2000
QUERY_SEPARATOR = "|"
COLUMNS = (
    "published_at",
    "network",
    "author_handle",
    "author_name",
    "reach",
    "language",
    "sentiment",
    "corrected",
    "text",
    "url",
    "queries",
    "duplicate_of",
)


def list_filters(request: HttpRequest, access: Access) -> stats.Filters:
    """The list's filters: stats.filters_from, with reposts hidden unless asked for."""
    filters = stats.filters_from(request.GET, access.workspace)
    if "dups" not in request.GET:
        filters.include_duplicates = False
    return filters


def _offset(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), 10_000_000))
    except ValueError:
        return 0


def decorate(rows: list[Mention]) -> list[Mention]:
    """Attach what a row shows besides the mention: its reposts and the queries it matched."""
    ids = [m.pk for m in rows]
    reposts = dict(
        Mention.objects.filter(duplicate_of_id__in=ids)
        .order_by()
        .values("duplicate_of_id")
        .annotate(n=Count("pk"))
        .values_list("duplicate_of_id", "n")
    )
    matched: dict[int, list[tuple[int, str]]] = {}
    for mention_id, query_id, name in (
        MentionMatch.objects.filter(mention_id__in=ids)
        .order_by("query__name")
        .values_list("mention_id", "query_id", "query__name")
    ):
        matched.setdefault(mention_id, []).append((query_id, name))
    for m in rows:
        m.reposts = reposts.get(m.pk, 0)  # type: ignore[attr-defined]
        m.matched = matched.get(m.pk, [])  # type: ignore[attr-defined]
        m.link = web_link(m.url)  # type: ignore[attr-defined]
        m.author_link = web_link(m.author_url)  # type: ignore[attr-defined]
    return rows


def _page_url(request: HttpRequest, start: int) -> str:
    params = request.GET.copy()
    params.pop("start", None)
    if start > 0:
        params["start"] = str(start)
    return request.path + ("?" + params.urlencode() if params else "")


@require_GET
@workspace_view("listening.view")
def mention_list(request: HttpRequest, access: Access) -> HttpResponse:
    filters = list_filters(request, access)
    start = _offset(request.GET.get("start"))
    qs = stats.mentions(access.workspace, filters).select_related("source")
    rows = list(qs[start : start + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = decorate(rows[:PAGE_SIZE])
    params = request.GET.copy()
    params.pop("start", None)
    query = params.urlencode()
    context: dict[str, Any] = {
        "rows": rows,
        "filters": filters,
        "g": request.GET,
        "query": query,
        "first": start + 1 if rows else 0,
        "last": start + len(rows),
        "prev_url": _page_url(request, max(0, start - PAGE_SIZE)) if start > 0 else "",
        "next_url": _page_url(request, start + PAGE_SIZE) if has_next else "",
        "here": request.get_full_path(),
        "export_url": reverse("listening:export", args=[access.workspace.slug])
        + ("?" + query if query else ""),
        **choices(access),
    }
    return render(request, "listening/mentions.html", context)


def _mention(access: Access, pk: int) -> Mention:
    return get_object_or_404(
        Mention.objects.select_related("source"), pk=pk, workspace=access.workspace
    )


@require_POST
@workspace_view("listening.triage")
def correct(request: HttpRequest, access: Access, mention_id: int) -> HttpResponse:
    """One click says what the sentiment is. htmx: the row again; otherwise back to the list."""
    mention = _mention(access, mention_id)
    label = request.POST.get("label", "")
    error = ""
    try:
        actions.correct_sentiment(access, mention, label)
    except ActionError as exc:
        error = exc.message
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "listening/_mention.html",
            {
                "m": decorate([mention])[0],
                "here": back(request, mentions_url(access)),
                "row_error": error,
                "row_done": "" if error else SENTIMENT_LABELS.get(label, label),
            },
            status=200 if not error else 400,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Sentiment set to %(label)s; the analyzer learns from it.")
            % {"label": SENTIMENT_LABELS[label]},
        )
    return redirect(back(request, mentions_url(access)))


@require_POST
@workspace_view("listening.triage")
def to_conversation(request: HttpRequest, access: Access, mention_id: int) -> HttpResponse:
    """Bring the mention into the inbox and open its conversation there."""
    mention = _mention(access, mention_id)
    conversation = attempt(request, lambda: actions.to_conversation(access, mention))
    if conversation is None:
        return redirect(back(request, mentions_url(access)))
    return redirect(
        "inbox:conversation", slug=access.workspace.slug, conversation_id=conversation.pk
    )


# --- CSV -----------------------------------------------------------------------------------


class _Line:
    """csv.writer's file: hands back each formatted line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(access: Access, mentions: Iterable[Mention]) -> Iterator[str]:
    """The header, then a line a mention (CRLF; text that a spreadsheet would run as a
    formula starts with a ', as the inbox's export does). Times in the workspace's zone."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    tz = access.workspace.tz
    yield writer.writerow(COLUMNS)
    for m in mentions:
        names = sorted(match.query.name for match in m.matches.all())
        text = f"{m.title}\n{m.text}" if m.title else m.text
        yield writer.writerow(
            [
                m.published_at.astimezone(tz).isoformat(timespec="seconds"),
                guard(m.network),
                guard(m.author_handle),
                guard(m.author_name),
                "" if m.author_reach is None else str(m.author_reach),
                guard(m.language),
                m.sentiment,
                "yes" if m.sentiment_corrected else "no",
                guard(text),
                guard(m.url),
                guard(QUERY_SEPARATOR.join(names)),
                str(m.duplicate_of_id or ""),
            ]
        )


@require_GET
@workspace_view("listening.view")
def export(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """The list's mentions under its filters, every page, streamed as they are read."""
    qs = (
        stats.mentions(access.workspace, list_filters(request, access))
        .prefetch_related("matches__query")
        .iterator(chunk_size=CHUNK)
    )
    response = StreamingHttpResponse(csv_lines(access, qs), content_type="text/csv; charset=utf-8")
    local = timezone.now().astimezone(access.workspace.tz)
    filename = f"{access.workspace.slug}-mentions-{local:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- learning ------------------------------------------------------------------------------


@require_GET
@workspace_view("listening.view")
def learning(request: HttpRequest, access: Access) -> HttpResponse:
    counts = list(
        SentimentCorrection.objects.filter(workspace=access.workspace)
        .order_by()
        .values("language")
        .annotate(n=Count("pk"))
        .order_by("-n", "language")
    )
    measured = {
        row.language: row for row in SentimentLearning.objects.filter(workspace=access.workspace)
    }
    rows: list[dict[str, Any]] = []
    for row in counts:
        shown: dict[str, Any] = {"language": row["language"], "corrections": row["n"]}
        found = measured.get(row["language"])
        if found is not None:
            shown.update(
                before=round(100 * found.before, 1),
                after=round(100 * found.after, 1),
                measured=found.corrections,
                measured_at=found.measured_at,
                stale=found.corrections != row["n"],
            )
        elif row["language"] not in LEARNING_LANGUAGES:
            shown["unlearnable"] = True
        rows.append(shown)
    return render(
        request,
        "listening/learning.html",
        {"rows": rows, "measured": True},
    )
