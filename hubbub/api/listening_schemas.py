"""What the listening endpoints accept and answer: queries and their groups, sources,
mentions, the statistics and the spike alerts.

Times go out in the workspace's time zone with their offset, like every other answer
(hubbub.api.schemas). Mentions are returned as found: their texts, titles, names and links
are untrusted, and a client must escape them where it shows them.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from hubbub.api.schemas import local
from hubbub.listening.actions import MAX_BACKFILL_DAYS
from hubbub.listening.models import (
    ListeningAlert,
    ListeningSource,
    Mention,
    Query,
    QueryGroup,
)
from hubbub.listening.query import QuerySyntaxError
from hubbub.listening.sources import MIN_INTERVAL
from hubbub.listening.stats import BUCKETS

MAX_LIMIT = 200
SENTIMENTS = "negative, neutral, positive"

# --- groups and queries ---------------------------------------------------------------------


class GroupOut(Schema):
    id: int
    name: str
    kind: str = Field(description="brand, competitor, campaign, product or other.")
    query_ids: list[int] = Field(description="Its queries.")
    created_at: datetime


class GroupIn(Schema):
    name: str = ""
    kind: str = Field("", description="brand, competitor, campaign, product or other.")


class ListeningQueryOut(Schema):
    id: int
    name: str
    text: str = Field(description="The boolean query, as typed.")
    group_id: int | None
    group: str | None = Field(description="The group's name.")
    is_active: bool
    alerts_enabled: bool = Field(description="Spike and crisis alerts are raised on it.")
    to_inbox: str = Field(
        description='Its inbox rule: "" (none), "negative" or "all" — matching mentions '
        "become inbox conversations as they arrive."
    )
    to_inbox_min_reach: int | None = Field(
        description="The rule only takes authors with at least this many followers."
    )
    matched_until: datetime | None = Field(
        description="Mentions stored before this time were matched against it too."
    )
    created_at: datetime
    updated_at: datetime


# Every field has a default so that a refused role gets its 403 whatever it sent; the
# action then says what is missing.
class ListeningQueryIn(Schema):
    name: str = ""
    text: str = Field(
        "",
        description='Words, "phrases", AND, OR, NOT, (brackets), prefix*, #tags, @handles, '
        "lang:fr, source:bluesky, author:handle.",
    )
    group_id: int | None = Field(None, description="A group id; null: none.")
    is_active: bool = True
    alerts_enabled: bool = True
    to_inbox: str = Field("", description='"", "negative" or "all".')
    to_inbox_min_reach: int | None = None


class ListeningQueryPatchIn(Schema):
    name: str | None = None
    text: str | None = None
    group_id: int | None = Field(None, description="A group id; null: none.")
    is_active: bool | None = None
    alerts_enabled: bool | None = None
    to_inbox: str | None = None
    to_inbox_min_reach: int | None = None


class PreviewIn(Schema):
    text: str = Field("", description="The query, as it is being typed.")


class SyntaxErrorOut(Schema):
    message: str
    position: int = Field(description="Where (0-based character offset in the text).")
    hint: str = Field(description="What to do; may be empty.")


# --- sources --------------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    kind: str = Field(description="search (a network's search) or feed (RSS or Atom).")
    name: str
    network: str = Field(description="The searching channel's network, or rss.")
    channel_id: int | None = Field(description="search: the channel whose account searches.")
    terms: str = Field(description="search: what is searched for.")
    url: str = Field(description="feed: its address.")
    interval: int = Field(description="Seconds between reads.")
    backfill_days: int
    is_active: bool
    next_read_at: datetime
    last_read_at: datetime | None
    last_found: int = Field(description="Mentions new at the last read.")
    last_error: str = Field(description="Why the last read failed; empty: it did not.")
    last_problems: list[Any] = Field(
        description="What the last read could not use (a broken feed item, say)."
    )
    error_count: int = Field(description="Failed reads in a row.")
    created_at: datetime


class SourceIn(Schema):
    kind: str = Field("", description="search or feed.")
    name: str = Field("", description="Default: the terms or the address.")
    channel_id: int | None = Field(
        None, description="search: a Bluesky, X or Mastodon channel of the workspace."
    )
    terms: str = Field("", description="search: the words or #tag to search for.")
    url: str = Field("", description="feed: an https:// address on the public internet.")
    interval: int = Field(300, description=f"Seconds between reads, at least {MIN_INTERVAL}.")
    backfill_days: int = Field(
        7, description=f"On the first read, go back this many days (0 to {MAX_BACKFILL_DAYS})."
    )
    is_active: bool = True


class SourcePatchIn(Schema):
    kind: str | None = None
    name: str | None = None
    channel_id: int | None = None
    terms: str | None = None
    url: str | None = None
    interval: int | None = None
    backfill_days: int | None = None
    is_active: bool | None = None


# --- mentions -------------------------------------------------------------------------------


class MentionQuery(Schema):
    """Documented here; read by hubbub.listening.stats.filters_from, which ignores a value
    that makes no sense (an unknown sentiment filters nothing)."""

    query: list[str] = Field(
        default_factory=list, description="Query ids: mentions of any of them; repeat the key."
    )
    group: str = Field("", description="A group id: mentions of any of its queries.")
    sentiment: str = Field("", description=SENTIMENTS + ".")
    lang: str = Field("", description="A language code: en, fr…")
    network: str = Field("", description="Where it was found: bluesky, x, mastodon, rss…")
    from_: str = Field(
        "",
        alias="from",
        description="First day, YYYY-MM-DD in the workspace's time zone (or an ISO date-time).",
    )
    to: str = Field(
        "", description="Last day, included, YYYY-MM-DD (or an ISO date-time, excluded)."
    )
    q: str = Field("", description="Words in the text or the title (case does not matter).")
    author: str = Field("", description="An author's handle, exactly.")
    dups: str = Field(
        "", description="0: each original once (reposts left out); default: reposts too."
    )


class MentionPageQuery(MentionQuery):
    cursor: str = Field("", description="next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class StatsQuery(MentionQuery):
    bucket: str = Field(
        "day", description=f"The volume's buckets: {', '.join(BUCKETS)} (local, weeks from Monday)."
    )


class MentionOut(Schema):
    id: int
    network: str = Field(description="Where it was found: bluesky, x, mastodon, rss…")
    url: str = Field(description="Untrusted: check the scheme before linking to it.")
    author_handle: str
    author_name: str
    author_url: str
    author_reach: int | None = Field(description="Followers, when known.")
    title: str = Field(description="Feed items have one.")
    text: str = Field(description="As found: untrusted, escape it where you show it.")
    language: str
    sentiment: str = Field(description=SENTIMENTS + "; empty: not known.")
    score: float | None = Field(description="The analyzer's confidence.")
    corrected: bool = Field(description="A person set the sentiment.")
    published_at: datetime
    fetched_at: datetime
    duplicate_of: int | None = Field(description="The original's id, for a repost.")
    source_id: int | None
    conversation_id: int | None = Field(description="Brought into the inbox as this.")
    query_ids: list[int] = Field(description="The queries it matches.")


class QueryPreviewOut(Schema):
    count: int = Field(description="How many of the mentions looked through it matches.")
    scanned: int = Field(description="The newest stored mentions looked through.")
    sample: list[MentionOut] = Field(description="The newest few it matches.")
    error: SyntaxErrorOut | None = Field(description="Why the query cannot be read; null: it can.")


class MentionPageOut(Schema):
    items: list[MentionOut]
    limit: int
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null: last.")


class SentimentIn(Schema):
    label: str = Field("", description=SENTIMENTS + ".")


class ConversationIdOut(Schema):
    conversation_id: int = Field(description="The inbox conversation: GET conversations/{id}.")


# --- statistics -----------------------------------------------------------------------------


class VolumeOut(Schema):
    start: datetime = Field(description="The bucket's start, local time.")
    total: int
    negative: int
    neutral: int
    positive: int


class ShareOut(Schema):
    group_id: int
    name: str
    kind: str
    mentions: int
    share: float = Field(description="Of all the groups' mentions, 0 to 1.")


class TotalsOut(Schema):
    negative: int
    neutral: int
    positive: int
    total: int = Field(description="Mentions without a sentiment count here too.")


class LanguageOut(Schema):
    language: str = Field(description='"" when none was detected.')
    mentions: int


class AuthorOut(Schema):
    handle: str
    name: str
    network: str
    reach: int | None = Field(description="Followers, as last seen.")
    mentions: int


class TermOut(Schema):
    term: str = Field(description="Folded: lower case, without accents; hashtags with their #.")
    count: int = Field(description="Mentions holding it.")


class StatsOut(Schema):
    totals: TotalsOut
    volume: list[VolumeOut] = Field(
        description="Oldest first, every bucket of the range, zeros where nothing was said."
    )
    share_of_voice: list[ShareOut] = Field(
        description="Per query group (the brand against competitors), most mentions first; "
        "the query and group filters do not apply."
    )
    languages: list[LanguageOut] = Field(description="Most mentions first.")
    top_authors: list[AuthorOut] = Field(description="Widest reach first, then most mentions.")
    top_terms: list[TermOut] = Field(description="Over the newest 20,000 mentions.")
    top_hashtags: list[TermOut] = Field(description="Over the newest 20,000 mentions.")


# --- alerts ---------------------------------------------------------------------------------


class AlertQuery(Schema):
    query: int | None = Field(None, description="A query id: its alerts.")
    severity: str = Field("", description="spike or crisis.")
    open: bool | None = Field(None, description="true: not acknowledged yet; false: done.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class AlertOut(Schema):
    id: int
    severity: str = Field(description="spike or crisis (a spike, mostly negative).")
    query_id: int
    query: str = Field(description="The query's name.")
    raised_at: datetime
    window_start: datetime
    window_end: datetime
    mentions: int = Field(description="Mentions in the window.")
    expected: float = Field(description="Mentions usual for that hour of the week.")
    negative_share: float = Field(description="Of the window's mentions, 0 to 1.")
    usual_negative_share: float
    facts: dict[str, Any] = Field(description="New terms, most-shared mentions: the why.")
    first_seen_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(description="E-mail address.")
    crisis_mode_at: datetime | None = Field(description="When crisis mode was turned on from it.")
    text: str = Field(description="The alert as people are told it, in the active language.")


class AlertPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[AlertOut]


class AlertDetailOut(AlertOut):
    window_mentions: list[MentionOut] = Field(
        description="The query's mentions in the window, oldest first (at most 100)."
    )


class CrisisOut(Schema):
    paused: bool = Field(description="Publishing is paused (the crisis pause).")
    conversation_ids: list[int] = Field(
        description='The alert\'s answerable mentions, as inbox conversations tagged "crisis".'
    )


# --- converters -----------------------------------------------------------------------------


def group_out(group: QueryGroup, tz: zoneinfo.ZoneInfo) -> GroupOut:
    return GroupOut(
        id=group.pk,
        name=group.name,
        kind=group.kind,
        query_ids=sorted(q.pk for q in group.queries.all()),
        created_at=group.created_at.astimezone(tz),
    )


def query_out(query: Query, tz: zoneinfo.ZoneInfo) -> ListeningQueryOut:
    return ListeningQueryOut(
        id=query.pk,
        name=query.name,
        text=query.text,
        group_id=query.group_id,
        group=query.group.name if query.group else None,
        is_active=query.is_active,
        alerts_enabled=query.alerts_enabled,
        to_inbox=query.to_inbox,
        to_inbox_min_reach=query.to_inbox_min_reach,
        matched_until=local(query.matched_until, tz),
        created_at=query.created_at.astimezone(tz),
        updated_at=query.updated_at.astimezone(tz),
    )


def syntax_error_out(error: QuerySyntaxError | None) -> SyntaxErrorOut | None:
    if error is None:
        return None
    return SyntaxErrorOut(message=error.message, position=error.position, hint=error.hint)


def source_out(source: ListeningSource, tz: zoneinfo.ZoneInfo) -> SourceOut:
    return SourceOut(
        id=source.pk,
        kind=source.kind,
        name=source.name,
        network=source.network,
        channel_id=source.channel_id,
        terms=source.terms,
        url=source.url,
        interval=source.interval,
        backfill_days=source.backfill_days,
        is_active=source.is_active,
        next_read_at=source.next_read_at.astimezone(tz),
        last_read_at=local(source.last_read_at, tz),
        last_found=source.last_found,
        last_error=source.last_error,
        last_problems=list(source.last_problems or []),
        error_count=source.error_count,
        created_at=source.created_at.astimezone(tz),
    )


def mention_out(mention: Mention, tz: zoneinfo.ZoneInfo) -> MentionOut:
    """Prefetch "matches" for a list: each mention's query ids come from there."""
    return MentionOut(
        id=mention.pk,
        network=mention.network,
        url=mention.url,
        author_handle=mention.author_handle,
        author_name=mention.author_name,
        author_url=mention.author_url,
        author_reach=mention.author_reach,
        title=mention.title,
        text=mention.text,
        language=mention.language,
        sentiment=mention.sentiment,
        score=mention.sentiment_score,
        corrected=mention.sentiment_corrected,
        published_at=mention.published_at.astimezone(tz),
        fetched_at=mention.fetched_at.astimezone(tz),
        duplicate_of=mention.duplicate_of_id,
        source_id=mention.source_id,
        conversation_id=mention.conversation_id,
        query_ids=sorted(m.query_id for m in mention.matches.all()),
    )


def alert_fields(alert: ListeningAlert, tz: zoneinfo.ZoneInfo, text: str) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "severity": alert.severity,
        "query_id": alert.query_id,
        "query": alert.query.name,
        "raised_at": alert.raised_at.astimezone(tz),
        "window_start": alert.window_start.astimezone(tz),
        "window_end": alert.window_end.astimezone(tz),
        "mentions": alert.mentions,
        "expected": alert.expected,
        "negative_share": alert.negative_share,
        "usual_negative_share": alert.usual_negative_share,
        "facts": dict(alert.facts or {}),
        "first_seen_at": local(alert.first_seen_at, tz),
        "acknowledged_at": local(alert.acknowledged_at, tz),
        "acknowledged_by": alert.acknowledged_by.email if alert.acknowledged_by else None,
        "crisis_mode_at": local(alert.crisis_mode_at, tz),
        "text": text,
    }
