"""What listening's pages and the API count: pure queries over a workspace's mentions.

Every function takes the workspace and a `Filters` (built from a page's or the API's query
string by `filters_from`) and returns plain data: lists of dicts, numbers. Nothing here
checks permissions or writes anything; callers check listening.view first.

Times: `Filters.start`/`end` are aware instants, [start, end). Dates in query strings are
local days of the workspace's time zone ("to" included); volume buckets are local hours,
days or weeks (Monday first) of that zone, so a 23- or 25-hour day is one day bucket.

Counting: a repost (a mention with `duplicate_of`) counts like any mention unless
`include_duplicates` is off.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.dateparse import parse_date, parse_datetime

from hubbub.core.models import Workspace
from hubbub.inbox.models import Sentiment
from hubbub.listening.alerts import MIN_TERM_LENGTH, STOPWORDS
from hubbub.listening.models import Mention, MentionMatch, QueryGroup
from hubbub.listening.query import Document

Bucket = Literal["hour", "day", "week"]
BUCKETS: tuple[str, ...] = ("hour", "day", "week")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
TERMS_SCAN = 20_000  # top terms and hashtags read the newest this many mentions
HOURLY_ROWS = 500_000  # hourly volumes read at most this many mentions (the newest)
MAX_BUCKETS = 5_000  # gaps are filled for at most this many buckets
MAX_TEXT = 200  # the text filter's length


@dataclass
class Filters:
    """Which mentions a page, a chart or an export is about. Empty means "any"."""

    query_ids: list[int] = field(default_factory=list)
    group_id: int | None = None
    sentiment: str = ""
    language: str = ""
    network: str = ""
    start: datetime | None = None  # included
    end: datetime | None = None  # excluded
    text: str = ""
    include_duplicates: bool = True
    author: str = ""  # an author's handle, exactly (the top authors' links)


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if callable(getlist):
        found = getlist(key)
    else:
        value = params.get(key)
        found = value if isinstance(value, list | tuple) else [value]
    return [str(v).strip() for v in found if v is not None and str(v).strip() != ""]


def _first(params: Mapping[str, Any], key: str) -> str:
    values = _values(params, key)
    return values[-1] if values else ""


def _int(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local day, as an aware datetime in `zone`."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).astimezone(zone)


def _instant(value: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """A date (a local day: its start, or for `end` the next day's start) or a date-time
    (naive ones are local); None when it is neither."""
    if not value:
        return None
    try:
        day = parse_date(value)
        if day is not None:
            return local_midnight(day + timedelta(days=1) if end else day, zone)
        moment = parse_datetime(value)
    except (ValueError, OverflowError):  # well-formed but impossible: 2026-02-30
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def filters_from(params: Mapping[str, Any], workspace: Workspace) -> Filters:
    """Filters from a query string: query (repeatable), group, sentiment, lang, network,
    from and to (YYYY-MM-DD local days, "to" included; or ISO date-times, "to" excluded, as
    the charts' drill-down sends for an hour), q, dups (0 hides reposts, 1 shows them),
    author. A value that makes no sense is ignored, never an error."""
    zone = workspace.tz
    query_ids = sorted({n for v in _values(params, "query") if (n := _int(v)) is not None})
    sentiment = _first(params, "sentiment")
    language = _first(params, "lang")
    network = _first(params, "network")
    dups = _first(params, "dups")
    return Filters(
        query_ids=query_ids,
        group_id=_int(_first(params, "group")),
        sentiment=sentiment if sentiment in Sentiment.values else "",
        language=language.lower() if len(language) <= 8 and language.isalpha() else "",
        network=network.lower() if len(network) <= 20 and network.isalnum() else "",
        start=_instant(_first(params, "from"), zone, end=False),
        end=_instant(_first(params, "to"), zone, end=True),
        text=_first(params, "q")[:MAX_TEXT],
        include_duplicates=dups != "0",
        author=_first(params, "author")[:255],
    )


def mentions(workspace: Workspace, filters: Filters) -> QuerySet[Mention]:
    """The workspace's mentions that pass the filters, newest first."""
    qs = Mention.objects.filter(workspace=workspace)
    if filters.query_ids:
        qs = qs.filter(
            pk__in=MentionMatch.objects.filter(
                workspace=workspace, query_id__in=filters.query_ids
            ).values("mention_id")
        )
    if filters.group_id is not None:
        qs = qs.filter(
            pk__in=MentionMatch.objects.filter(
                workspace=workspace, query__group_id=filters.group_id
            ).values("mention_id")
        )
    if filters.sentiment:
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.network:
        qs = qs.filter(network=filters.network)
    if filters.start is not None:
        qs = qs.filter(published_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(published_at__lt=filters.end)
    if filters.text:
        qs = qs.filter(Q(text__icontains=filters.text) | Q(title__icontains=filters.text))
    if filters.author:
        qs = qs.filter(author_handle=filters.author)
    if not filters.include_duplicates:
        qs = qs.filter(duplicate_of__isnull=True)
    return qs.order_by("-published_at", "-pk")


# --- volume --------------------------------------------------------------------------------


def bucket_start(moment: datetime, zone: ZoneInfo, bucket: str) -> datetime:
    """The start of the local hour, day or week (Monday) holding `moment`, in `zone`."""
    local = moment.astimezone(zone)
    if bucket == "hour":
        # replace() keeps the fold, so the repeated hour of a fall-back night stays apart.
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC).astimezone(zone)
    day = local.date()
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    return local_midnight(day, zone)


def next_bucket(start: datetime, zone: ZoneInfo, bucket: str) -> datetime:
    if bucket == "hour":  # stepped in UTC: the local clock may jump or repeat an hour
        return (start.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
    day = start.astimezone(zone).date() + timedelta(days=7 if bucket == "week" else 1)
    return local_midnight(day, zone)


def _row(start: datetime) -> dict[str, Any]:
    return {"start": start, "total": 0, "negative": 0, "neutral": 0, "positive": 0}


def volume(workspace: Workspace, filters: Filters, bucket: str = "day") -> list[dict[str, Any]]:
    """Mentions per local hour, day or week: [{start, total, negative, neutral, positive}],
    oldest first, every bucket from the filters' start to their end (or the first and last
    mention when open-ended) present, with zeros where nothing was said. `total` counts the
    mentions without a sentiment too.

    Days and weeks are counted by the database (mentions grouped by their local date);
    hours are counted here over the newest HOURLY_ROWS mentions of the range, which is more
    than an hourly chart of a few days ever holds."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket is one of {', '.join(BUCKETS)}, not {bucket!r}")
    zone = workspace.tz
    qs = mentions(workspace, filters)
    counts: dict[datetime, dict[str, Any]] = {}

    def add(start: datetime, sentiment: str, n: int) -> None:
        key = start.astimezone(UTC)
        row = counts.setdefault(key, _row(start))
        row["total"] += n
        if sentiment in SENTIMENTS:
            row[sentiment] += n

    if bucket == "hour":
        for published, sentiment in qs.values_list("published_at", "sentiment")[:HOURLY_ROWS]:
            add(bucket_start(published, zone, "hour"), sentiment, 1)
    else:
        rows = (
            qs.order_by()
            .annotate(day=TruncDate("published_at", tzinfo=zone))
            .values("day", "sentiment")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            day: date = row["day"]
            if bucket == "week":
                day -= timedelta(days=day.weekday())
            add(local_midnight(day, zone), row["sentiment"], row["n"])
    if filters.start is not None:
        first = bucket_start(filters.start, zone, bucket)
    elif counts:
        first = min(counts).astimezone(zone)
    else:
        return []
    if filters.end is not None:
        stop = filters.end
    elif counts:
        stop = next_bucket(max(counts).astimezone(zone), zone, bucket)
    else:
        stop = next_bucket(first, zone, bucket)
    result: list[dict[str, Any]] = []
    at = first
    while at < stop and len(result) < MAX_BUCKETS:
        result.append(counts.get(at.astimezone(UTC)) or _row(at))
        at = next_bucket(at, zone, bucket)
    return result


# --- who and what --------------------------------------------------------------------------


def share_of_voice(workspace: Workspace, filters: Filters) -> list[dict[str, Any]]:
    """Per query group (the brand against competitors, say): the distinct mentions matched
    by any of its queries, and its share of all groups' mentions (the shares sum to 1 when
    there is any). The query and group filters do not apply: this compares every group."""
    base = mentions(workspace, replace(filters, query_ids=[], group_id=None))
    counted = dict(
        MentionMatch.objects.filter(
            workspace=workspace,
            query__group__isnull=False,
            mention_id__in=base.order_by().values("pk"),
        )
        .values("query__group_id")
        .annotate(n=Count("mention_id", distinct=True))
        .values_list("query__group_id", "n")
    )
    groups = list(QueryGroup.objects.filter(workspace=workspace).order_by("name", "pk"))
    total = sum(counted.get(g.pk, 0) for g in groups)
    groups.sort(key=lambda g: -counted.get(g.pk, 0))  # stable: by name among equals
    return [
        {
            "group_id": g.pk,
            "name": g.name,
            "kind": g.kind,
            "mentions": counted.get(g.pk, 0),
            "share": counted.get(g.pk, 0) / total if total else 0.0,
        }
        for g in groups
    ]


def top_authors(workspace: Workspace, filters: Filters, limit: int = 10) -> list[dict[str, Any]]:
    """The authors with the widest reach (followers, as last seen), then the most mentions."""
    rows = (
        mentions(workspace, filters)
        .exclude(author_handle="")
        .order_by()
        .values("author_handle", "network")
        .annotate(
            mentions=Count("pk"),
            reach=Max("author_reach"),
            name=Max("author_name"),
        )
        .order_by(F("reach").desc(nulls_last=True), "-mentions", "author_handle")[:limit]
    )
    return [
        {
            "handle": row["author_handle"],
            "name": row["name"] or "",
            "network": row["network"],
            "reach": row["reach"],
            "mentions": row["mentions"],
        }
        for row in rows
    ]


def _counted(
    workspace: Workspace, filters: Filters, limit: int, *, tags: bool
) -> list[dict[str, Any]]:
    found: Counter[str] = Counter()
    rows = mentions(workspace, filters).values_list("title", "text")[:TERMS_SCAN]
    for title, text in rows:
        doc = Document.of(f"{title}\n{text}" if title else text)
        if tags:
            found.update({f"#{tag}" for tag in doc.tags})
        else:
            found.update(
                {
                    w
                    for w in doc.words
                    if len(w) >= MIN_TERM_LENGTH and w not in STOPWORDS and not w.isdigit()
                }
            )
    return [{"term": term, "count": n} for term, n in found.most_common(limit)]


def top_terms(workspace: Workspace, filters: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """The words most mentions use: [{term, count}], count being how many mentions hold the
    word (folded: lower case, without accents), stop words and numbers left out. Only the
    newest TERMS_SCAN (20,000) mentions that pass the filters are read."""
    return _counted(workspace, filters, limit, tags=False)


def top_hashtags(workspace: Workspace, filters: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """The hashtags most mentions use: [{term: "#tag", count}] (folded), over the newest
    TERMS_SCAN (20,000) mentions that pass the filters."""
    return _counted(workspace, filters, limit, tags=True)


def languages(workspace: Workspace, filters: Filters) -> list[dict[str, Any]]:
    """Mentions per detected language, most first ("" when none was detected)."""
    rows = (
        mentions(workspace, filters)
        .order_by()
        .values("language")
        .annotate(mentions=Count("pk"))
        .order_by("-mentions", "language")
    )
    return [{"language": row["language"], "mentions": row["mentions"]} for row in rows]


def sentiment_totals(workspace: Workspace, filters: Filters) -> dict[str, int]:
    """{negative, neutral, positive, total}; total counts the mentions without one too."""
    found = (
        mentions(workspace, filters)
        .order_by()
        .aggregate(
            total=Count("pk"),
            **{s: Count("pk", filter=Q(sentiment=s)) for s in SENTIMENTS},
        )
    )
    return {key: int(found[key] or 0) for key in (*SENTIMENTS, "total")}
