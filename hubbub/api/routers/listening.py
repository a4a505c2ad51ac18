"""Listening over HTTP: the queries and their groups, the sources read, the mentions found
(filtered, corrected, brought into the inbox), the statistics, and the spike alerts.

Every rule lives in hubbub.listening.actions (and the filters and figures in
hubbub.listening.stats); these handlers only turn JSON into the actions' inputs and their
results into answers. Each handler checks the permission before it looks anything up, so a
role that may not act learns nothing about which ids exist; another workspace's id is
answered 404.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query as QueryParams
from ninja import Router, Status

from hubbub.api.auth import api_access
from hubbub.api.listening_schemas import (
    AlertDetailOut,
    AlertOut,
    AlertPageOut,
    AlertQuery,
    AuthorOut,
    ConversationIdOut,
    CrisisOut,
    GroupIn,
    GroupOut,
    LanguageOut,
    ListeningQueryIn,
    ListeningQueryOut,
    ListeningQueryPatchIn,
    MentionOut,
    MentionPageOut,
    MentionPageQuery,
    PreviewIn,
    QueryPreviewOut,
    SentimentIn,
    ShareOut,
    SourceIn,
    SourceOut,
    SourcePatchIn,
    StatsOut,
    StatsQuery,
    TermOut,
    TotalsOut,
    VolumeOut,
    alert_fields,
    group_out,
    mention_out,
    query_out,
    source_out,
    syntax_error_out,
)
from hubbub.api.schemas import answers
from hubbub.core.access import Access, ActionError
from hubbub.listening import actions, alerts, stats
from hubbub.listening.models import (
    ListeningAlert,
    ListeningSource,
    Mention,
    Query,
    QueryGroup,
)
from hubbub.networks.models import Channel

router = Router(tags=["listening"])

L = "/workspaces/{slug}/listening"
ALERT_MENTIONS = 100
BAD_CURSOR = "This cursor is not valid for this list: start again without a cursor."


# --- lookups, scoped to the caller's workspace (another workspace's id is not found) --------


def _query(access: Access, query_id: int) -> Query:
    return get_object_or_404(
        Query.objects.select_related("group"), pk=query_id, workspace=access.workspace
    )


def _group(access: Access, group_id: int) -> QueryGroup:
    return get_object_or_404(QueryGroup, pk=group_id, workspace=access.workspace)


def _source(access: Access, source_id: int) -> ListeningSource:
    return get_object_or_404(
        ListeningSource.objects.select_related("channel"), pk=source_id, workspace=access.workspace
    )


def _mentions(access: Access) -> QuerySet[Mention]:
    return Mention.objects.filter(workspace=access.workspace).prefetch_related("matches")


def _mention(access: Access, mention_id: int) -> Mention:
    return get_object_or_404(_mentions(access), pk=mention_id)


def _alerts(access: Access) -> QuerySet[ListeningAlert]:
    return ListeningAlert.objects.filter(workspace=access.workspace).select_related(
        "query", "acknowledged_by"
    )


def _alert(access: Access, alert_id: int) -> ListeningAlert:
    return get_object_or_404(_alerts(access), pk=alert_id)


def _in_workspace(access: Access, model: type, pk: int | None, field: str, what: str) -> object:
    """An object named in a body: a 400 saying which field, not a 404 of the URL."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, workspace=access.workspace).first()  # type: ignore[attr-defined]
    if found is None:
        raise ActionError(f"{what} {pk} is not one of this workspace's.", field=field)
    return found


@contextmanager
def _body_fields(**names: str) -> Iterator[None]:
    """The actions name their fields as the web form does (channel, group); the API's body
    calls them channel_id, group_id: an error names the field the client sent."""
    try:
        yield
    except ActionError as error:
        if error.field in names:
            error.field = names[error.field]
        raise


# --- groups ---------------------------------------------------------------------------------


def _groups(access: Access) -> QuerySet[QueryGroup]:
    return QueryGroup.objects.filter(workspace=access.workspace).prefetch_related("queries")


@router.get(L + "/groups", response=answers(200, list[GroupOut]), summary="Query groups, by name")
def list_groups(request: HttpRequest, slug: str) -> list[GroupOut]:
    access = api_access(request, slug)
    access.require("listening.view")
    tz = access.workspace.tz
    return [group_out(g, tz) for g in _groups(access)]


@router.post(
    L + "/groups",
    response=answers(201, GroupOut),
    summary="Add a query group",
    description="A group's kind says what it is for: share of voice compares the brand's "
    "groups with the competitors'.",
)
def create_group(request: HttpRequest, slug: str, payload: GroupIn) -> Status[GroupOut]:
    access = api_access(request, slug)
    access.require("listening.configure")
    group = actions.create_group(access, payload.name, payload.kind)
    return Status(201, group_out(_groups(access).get(pk=group.pk), access.workspace.tz))


@router.delete(
    L + "/groups/{int:group_id}",
    response=answers(204, None),
    summary="Delete a query group (its queries stay, without a group)",
)
def delete_group(request: HttpRequest, slug: str, group_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("listening.configure")
    actions.delete_group(access, _group(access, group_id))
    return Status(204, None)


# --- queries --------------------------------------------------------------------------------


@router.get(
    L + "/queries", response=answers(200, list[ListeningQueryOut]), summary="Queries, by name"
)
def list_queries(request: HttpRequest, slug: str) -> list[ListeningQueryOut]:
    access = api_access(request, slug)
    access.require("listening.view")
    tz = access.workspace.tz
    found = Query.objects.filter(workspace=access.workspace).select_related("group")
    return [query_out(q, tz) for q in found]


@router.post(
    L + "/queries",
    response=answers(201, ListeningQueryOut),
    summary="Add a query (matched at once against the last 90 days' mentions)",
    description="A query the parser cannot read is answered 400 with the message, the "
    "position and a hint in `detail`; POST .../queries/preview says the same as it is typed.",
)
def create_query(
    request: HttpRequest, slug: str, payload: ListeningQueryIn
) -> Status[ListeningQueryOut]:
    access = api_access(request, slug)
    access.require("listening.configure")
    group = _in_workspace(access, QueryGroup, payload.group_id, "group_id", "Group")
    with _body_fields(group="group_id"):
        query = actions.create_query(
            access,
            actions.QueryInput(
                name=payload.name,
                text=payload.text,
                group=group,  # type: ignore[arg-type]
                is_active=payload.is_active,
                alerts_enabled=payload.alerts_enabled,
                to_inbox=payload.to_inbox,
                to_inbox_min_reach=payload.to_inbox_min_reach,
            ),
        )
    return Status(201, query_out(_query(access, query.pk), access.workspace.tz))


@router.post(
    L + "/queries/preview",
    response=answers(200, QueryPreviewOut),
    summary="What a query would find among the newest stored mentions (live preview)",
    description="Answers 200 even when the query cannot be read: `error` then says why and "
    "where (a 0-based position), to show beside the field as it is typed.",
)
def preview_query(request: HttpRequest, slug: str, payload: PreviewIn) -> QueryPreviewOut:
    access = api_access(request, slug)
    access.require("listening.view")
    found = actions.preview(access, payload.text)
    tz = access.workspace.tz
    sample = _mentions(access).filter(pk__in=[m.pk for m in found.sample])
    by_id = {m.pk: m for m in sample}
    return QueryPreviewOut(
        count=found.count,
        scanned=found.scanned,
        sample=[mention_out(by_id[m.pk], tz) for m in found.sample if m.pk in by_id],
        error=syntax_error_out(found.error),
    )


@router.get(
    L + "/queries/{int:query_id}", response=answers(200, ListeningQueryOut), summary="One query"
)
def get_query(request: HttpRequest, slug: str, query_id: int) -> ListeningQueryOut:
    access = api_access(request, slug)
    access.require("listening.view")
    return query_out(_query(access, query_id), access.workspace.tz)


@router.patch(
    L + "/queries/{int:query_id}",
    response=answers(200, ListeningQueryOut),
    summary="Change a query (the fields given)",
    description="Changing the text matches it again against the last 90 days' mentions.",
)
def update_query(
    request: HttpRequest, slug: str, query_id: int, payload: ListeningQueryPatchIn
) -> ListeningQueryOut:
    access = api_access(request, slug)
    access.require("listening.configure")
    query = _query(access, query_id)
    given = payload.model_fields_set
    group = (
        _in_workspace(access, QueryGroup, payload.group_id, "group_id", "Group")
        if "group_id" in given
        else query.group
    )
    with _body_fields(group="group_id"):
        actions.update_query(
            access,
            query,
            actions.QueryInput(
                name=payload.name if payload.name is not None else query.name,
                text=payload.text if payload.text is not None else query.text,
                group=group,  # type: ignore[arg-type]
                is_active=payload.is_active if payload.is_active is not None else query.is_active,
                alerts_enabled=payload.alerts_enabled
                if payload.alerts_enabled is not None
                else query.alerts_enabled,
                to_inbox=payload.to_inbox if payload.to_inbox is not None else query.to_inbox,
                to_inbox_min_reach=payload.to_inbox_min_reach
                if "to_inbox_min_reach" in given
                else query.to_inbox_min_reach,
            ),
        )
    return query_out(_query(access, query_id), access.workspace.tz)


@router.delete(
    L + "/queries/{int:query_id}",
    response=answers(204, None),
    summary="Delete a query (its mentions stay; its matches and alerts go)",
)
def delete_query(request: HttpRequest, slug: str, query_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("listening.configure")
    actions.delete_query(access, _query(access, query_id))
    return Status(204, None)


# --- sources --------------------------------------------------------------------------------


def _source_input(access: Access, payload: SourceIn) -> actions.SourceInput:
    channel = _in_workspace(access, Channel, payload.channel_id, "channel_id", "Channel")
    return actions.SourceInput(
        kind=payload.kind,
        name=payload.name,
        channel=channel,  # type: ignore[arg-type]
        terms=payload.terms,
        url=payload.url,
        interval=payload.interval,
        backfill_days=payload.backfill_days,
        is_active=payload.is_active,
    )


@router.get(
    L + "/sources",
    response=answers(200, list[SourceOut]),
    summary="Sources, by name, with how their last read went",
)
def list_sources(request: HttpRequest, slug: str) -> list[SourceOut]:
    access = api_access(request, slug)
    access.require("listening.view")
    tz = access.workspace.tz
    found = ListeningSource.objects.filter(workspace=access.workspace).select_related("channel")
    return [source_out(s, tz) for s in found]


@router.post(
    L + "/sources",
    response=answers(201, SourceOut),
    summary="Add a source: a network search or an RSS/Atom feed",
    description="kind search: channel_id (a Bluesky, X or Mastodon channel, whose account "
    "searches) and terms. kind feed: url, on the public internet (a private or local address "
    "is refused). The first read goes back backfill_days.",
)
def create_source(request: HttpRequest, slug: str, payload: SourceIn) -> Status[SourceOut]:
    access = api_access(request, slug)
    access.require("listening.configure")
    with _body_fields(channel="channel_id"):
        source = actions.create_source(access, _source_input(access, payload))
    return Status(201, source_out(_source(access, source.pk), access.workspace.tz))


@router.get(L + "/sources/{int:source_id}", response=answers(200, SourceOut), summary="One source")
def get_source(request: HttpRequest, slug: str, source_id: int) -> SourceOut:
    access = api_access(request, slug)
    access.require("listening.view")
    return source_out(_source(access, source_id), access.workspace.tz)


@router.patch(
    L + "/sources/{int:source_id}",
    response=answers(200, SourceOut),
    summary="Change a source (the fields given)",
    description="Other terms or another address start over with a first read (and its "
    "backfill); the source is read again soon.",
)
def update_source(
    request: HttpRequest, slug: str, source_id: int, payload: SourcePatchIn
) -> SourceOut:
    access = api_access(request, slug)
    access.require("listening.configure")
    source = _source(access, source_id)
    given = payload.model_fields_set
    merged = SourceIn(
        kind=payload.kind if payload.kind is not None else source.kind,
        name=payload.name if payload.name is not None else source.name,
        channel_id=payload.channel_id if "channel_id" in given else source.channel_id,
        terms=payload.terms if payload.terms is not None else source.terms,
        url=payload.url if payload.url is not None else source.url,
        interval=payload.interval if payload.interval is not None else source.interval,
        backfill_days=payload.backfill_days
        if payload.backfill_days is not None
        else source.backfill_days,
        is_active=payload.is_active if payload.is_active is not None else source.is_active,
    )
    with _body_fields(channel="channel_id"):
        actions.update_source(access, source, _source_input(access, merged))
    return source_out(_source(access, source_id), access.workspace.tz)


@router.delete(
    L + "/sources/{int:source_id}",
    response=answers(204, None),
    summary="Delete a source (the mentions it found stay)",
)
def delete_source(request: HttpRequest, slug: str, source_id: int) -> Status[None]:
    access = api_access(request, slug)
    access.require("listening.configure")
    actions.delete_source(access, _source(access, source_id))
    return Status(204, None)


@router.post(
    L + "/sources/{int:source_id}/read",
    response=answers(200, SourceOut),
    summary="Read a source now, and say how it went",
    description="Reads in the request (it may take a few seconds). A failed read is not an "
    "error of the request: last_error says why, last_problems what could not be used.",
)
def read_source(request: HttpRequest, slug: str, source_id: int) -> SourceOut:
    access = api_access(request, slug)
    access.require("listening.configure")
    actions.read_now(access, _source(access, source_id))
    return source_out(_source(access, source_id), access.workspace.tz)


# --- mentions -------------------------------------------------------------------------------


def _encode(mention: Mention) -> str:
    raw = f"{mention.published_at.isoformat()}|{mention.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError(moment)
        return at, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ActionError(BAD_CURSOR, field="cursor") from None


@router.get(
    L + "/mentions",
    response=answers(200, MentionPageOut),
    summary="Mentions, filtered, newest first",
    description="Filters combine (a mention of any of the queries given, with the sentiment "
    "given, in the days given…); a value that makes no sense is ignored. Reposts are listed "
    "too, each naming its original in duplicate_of, unless dups=0. Page with next_cursor.",
)
def list_mentions(
    request: HttpRequest, slug: str, params: QueryParams[MentionPageQuery]
) -> MentionPageOut:
    access = api_access(request, slug)
    access.require("listening.view")
    filters = stats.filters_from(request.GET, access.workspace)
    qs = stats.mentions(access.workspace, filters).prefetch_related("matches")
    if params.cursor:
        at, pk = _decode(params.cursor)
        qs = qs.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    rows = list(qs.order_by("-published_at", "-pk")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    tz = access.workspace.tz
    return MentionPageOut(
        items=[mention_out(m, tz) for m in rows],
        limit=params.limit,
        next_cursor=_encode(rows[-1]) if more else None,
    )


@router.get(
    L + "/mentions/{int:mention_id}", response=answers(200, MentionOut), summary="One mention"
)
def get_mention(request: HttpRequest, slug: str, mention_id: int) -> MentionOut:
    access = api_access(request, slug)
    access.require("listening.view")
    return mention_out(_mention(access, mention_id), access.workspace.tz)


@router.post(
    L + "/mentions/{int:mention_id}/sentiment",
    response=answers(200, MentionOut),
    summary="Correct a mention's sentiment (the workspace's analyzer learns from it)",
)
def correct_sentiment(
    request: HttpRequest, slug: str, mention_id: int, payload: SentimentIn
) -> MentionOut:
    access = api_access(request, slug)
    access.require("listening.triage")
    actions.correct_sentiment(access, _mention(access, mention_id), payload.label)
    return mention_out(_mention(access, mention_id), access.workspace.tz)


@router.post(
    L + "/mentions/{int:mention_id}/conversation",
    response=answers(200, ConversationIdOut),
    summary="Bring a mention into the inbox, to answer it",
    description="On the channel whose search found it; the same conversation the next time. "
    "A feed item has no account to answer from: 400.",
)
def to_conversation(request: HttpRequest, slug: str, mention_id: int) -> ConversationIdOut:
    access = api_access(request, slug)
    access.require("listening.triage")
    conversation = actions.to_conversation(access, _mention(access, mention_id))
    return ConversationIdOut(conversation_id=conversation.pk)


# --- statistics -----------------------------------------------------------------------------


@router.get(
    L + "/stats",
    response=answers(200, StatsOut),
    summary="Volume, sentiment, share of voice, languages and top authors, terms, hashtags",
    description="The same filters as the mentions list. Volume is counted by bucket in the "
    "workspace's time zone, each split by sentiment.",
)
def get_stats(request: HttpRequest, slug: str, params: QueryParams[StatsQuery]) -> StatsOut:
    access = api_access(request, slug)
    access.require("listening.view")
    if params.bucket not in stats.BUCKETS:
        raise ActionError(f"bucket is one of {', '.join(stats.BUCKETS)}.", field="bucket")
    workspace = access.workspace
    filters = stats.filters_from(request.GET, workspace)
    return StatsOut(
        totals=TotalsOut(**stats.sentiment_totals(workspace, filters)),
        volume=[VolumeOut(**r) for r in stats.volume(workspace, filters, params.bucket)],
        share_of_voice=[ShareOut(**r) for r in stats.share_of_voice(workspace, filters)],
        languages=[LanguageOut(**r) for r in stats.languages(workspace, filters)],
        top_authors=[AuthorOut(**r) for r in stats.top_authors(workspace, filters)],
        top_terms=[TermOut(**r) for r in stats.top_terms(workspace, filters)],
        top_hashtags=[TermOut(**r) for r in stats.top_hashtags(workspace, filters)],
    )


# --- alerts ---------------------------------------------------------------------------------


def _alert_out(alert: ListeningAlert, access: Access) -> AlertOut:
    return AlertOut(**alert_fields(alert, access.workspace.tz, alerts.text_of(alert)))


@router.get(
    L + "/alerts",
    response=answers(200, AlertPageOut),
    summary="Spike and crisis alerts, newest first",
)
def list_alerts(request: HttpRequest, slug: str, params: QueryParams[AlertQuery]) -> AlertPageOut:
    access = api_access(request, slug)
    access.require("listening.view")
    found = _alerts(access)
    if params.query is not None:
        found = found.filter(query_id=params.query)
    if params.severity:
        found = found.filter(severity=params.severity)
    if params.open is not None:
        found = found.filter(acknowledged_at__isnull=params.open)
    found = found.order_by("-raised_at", "-pk")
    page = found[params.offset : params.offset + params.limit]
    return AlertPageOut(
        total=found.count(),
        limit=params.limit,
        offset=params.offset,
        items=[_alert_out(a, access) for a in page],
    )


@router.get(
    L + "/alerts/{int:alert_id}",
    response=answers(200, AlertDetailOut),
    summary="One alert, with the query's mentions in its window",
)
def get_alert(request: HttpRequest, slug: str, alert_id: int) -> AlertDetailOut:
    access = api_access(request, slug)
    access.require("listening.view")
    alert = _alert(access, alert_id)
    tz = access.workspace.tz
    ids = [m.pk for m in list(actions.mentions_of(alert))[:ALERT_MENTIONS]]
    found = _mentions(access).filter(pk__in=ids).order_by("published_at", "pk")
    return AlertDetailOut(
        **_alert_out(alert, access).model_dump(),
        window_mentions=[mention_out(m, tz) for m in found],
    )


@router.post(
    L + "/alerts/{int:alert_id}/acknowledge",
    response=answers(200, AlertOut),
    summary="Acknowledge an alert (someone is on it)",
)
def acknowledge(request: HttpRequest, slug: str, alert_id: int) -> AlertOut:
    access = api_access(request, slug)
    access.require("listening.view")
    actions.acknowledge(access, _alert(access, alert_id))
    return _alert_out(_alert(access, alert_id), access)


@router.post(
    L + "/alerts/{int:alert_id}/crisis-mode",
    response=answers(200, CrisisOut),
    summary="Crisis mode: pause publishing and bring the alert's mentions into the inbox",
    description="In one step: the crisis pause (nothing is published until resumed with POST "
    '.../publishing/resume), the answerable mentions as inbox conversations tagged "crisis", '
    "and the alert acknowledged. Needs the publishing.pause permission.",
)
def crisis_mode(request: HttpRequest, slug: str, alert_id: int) -> CrisisOut:
    access = api_access(request, slug)
    access.require("publishing.pause")
    conversations = actions.crisis_mode(access, _alert(access, alert_id))
    return CrisisOut(paused=True, conversation_ids=[c.pk for c in conversations])
