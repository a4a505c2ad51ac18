"""What people do in listening, shared by the web pages, the API and the CLI: each action
checks the permission, changes the state and writes the audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.inbox.models import Sentiment
from hubbub.listening import feelings
from hubbub.listening.matcher import Matcher
from hubbub.listening.models import (
    GroupKind,
    ListeningAlert,
    ListeningSource,
    Mention,
    MentionMatch,
    Query,
    QueryGroup,
    SentimentCorrection,
    SourceKind,
    ToInbox,
)
from hubbub.listening.query import Document, QuerySyntaxError, parse
from hubbub.listening.sources import MIN_INTERVAL
from hubbub.networks.base import Capability
from hubbub.networks.models import Channel
from hubbub.networks.registry import UnknownNetwork, connector_class

MAX_QUERIES = 1000  # per workspace: what the matcher is measured for (bench/listening_bench.py)
PREVIEW_SCAN = 20_000  # the newest stored mentions a live preview looks through
HISTORY = timedelta(days=90)  # a new or changed query is matched against this much history
MAX_BACKFILL_DAYS = 30


def same_workspace(access: Access, obj: Any) -> None:
    if obj.workspace_id != access.workspace.pk:
        raise ActionError(_("That belongs to another workspace."))


def _checked(text: str) -> str:
    text = text.strip()
    if not text:
        raise ActionError(_("Write the query: the words to look for."), field="text")
    try:
        parse(text)
    except QuerySyntaxError as error:
        raise ActionError(str(error), field="text") from None
    return text


# --- groups and queries -------------------------------------------------------------------


def create_group(access: Access, name: str, kind: str) -> QueryGroup:
    access.require("listening.configure")
    name = name.strip()
    if not name:
        raise ActionError(_("Give the group a name."), field="name")
    if kind not in GroupKind.values:
        raise ActionError(_("Choose what the group is for."), field="kind")
    try:
        with transaction.atomic():
            group = QueryGroup.objects.create(
                workspace=access.workspace, name=name[:100], kind=kind
            )
            record(
                "listening.group_create",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=group,
                label=group.name,
                after={"kind": kind},
            )
    except IntegrityError:
        raise ActionError(_("A group with that name exists already."), field="name") from None
    return group


def delete_group(access: Access, group: QueryGroup) -> None:
    access.require("listening.configure")
    same_workspace(access, group)
    with transaction.atomic():
        record(
            "listening.group_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=group,
            label=group.name,
        )
        group.delete()  # its queries stay, without a group


@dataclass(frozen=True)
class QueryInput:
    name: str
    text: str
    group: QueryGroup | None = None
    is_active: bool = True
    alerts_enabled: bool = True
    to_inbox: str = ""  # ToInbox: "", "negative" or "all"
    to_inbox_min_reach: int | None = None


def create_query(access: Access, data: QueryInput) -> Query:
    access.require("listening.configure")
    name, text = _valid(access, data)
    if Query.objects.filter(workspace=access.workspace).count() >= MAX_QUERIES:
        raise ActionError(
            _("A workspace has at most %(n)d queries; combine some with OR.") % {"n": MAX_QUERIES}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            query = Query.objects.create(
                workspace=access.workspace,
                name=name,
                text=text,
                group=data.group,
                is_active=data.is_active,
                alerts_enabled=data.alerts_enabled,
                to_inbox=data.to_inbox,
                to_inbox_min_reach=data.to_inbox_min_reach,
                created_by=access.user,
                created_at=now,
                updated_at=now,
            )
            record(
                "listening.query_create",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=query,
                label=name,
                after={"text": text},
            )
            match_history(query)
    except IntegrityError:
        raise ActionError(_("A query with that name exists already."), field="name") from None
    return query


def update_query(access: Access, query: Query, data: QueryInput) -> Query:
    access.require("listening.configure")
    same_workspace(access, query)
    name, text = _valid(access, data)
    before = {"name": query.name, "text": query.text, "is_active": query.is_active}
    changed_text = text != query.text
    query.name, query.text, query.group = name, text, data.group
    query.is_active, query.alerts_enabled = data.is_active, data.alerts_enabled
    query.to_inbox, query.to_inbox_min_reach = data.to_inbox, data.to_inbox_min_reach
    query.updated_at = timezone.now()
    try:
        with transaction.atomic():
            query.save()
            record(
                "listening.query_update",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=query,
                label=name,
                before=before,
                after={"name": name, "text": text, "is_active": data.is_active},
            )
            if changed_text:
                MentionMatch.objects.filter(query=query).delete()
                match_history(query)
    except IntegrityError:
        raise ActionError(_("A query with that name exists already."), field="name") from None
    return query


def delete_query(access: Access, query: Query) -> None:
    access.require("listening.configure")
    same_workspace(access, query)
    with transaction.atomic():
        record(
            "listening.query_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=query,
            label=query.name,
            before={"text": query.text},
        )
        query.delete()


def _valid(access: Access, data: QueryInput) -> tuple[str, str]:
    name = data.name.strip()[:100]
    if not name:
        raise ActionError(_("Give the query a name."), field="name")
    if data.group is not None:
        same_workspace(access, data.group)
    if data.to_inbox not in ToInbox.values:
        raise ActionError(
            _("Choose which mentions go to the inbox: none, the negative ones or all."),
            field="to_inbox",
        )
    if data.to_inbox_min_reach is not None and data.to_inbox_min_reach < 0:
        raise ActionError(_("Followers are counted from 0."), field="to_inbox_min_reach")
    return name, _checked(data.text)


def match_history(query: Query, now: datetime | None = None) -> int:
    """Match the query against the workspace's stored mentions of the last HISTORY, so that
    its charts start with what is already known; returns how many it matched."""
    at = now or timezone.now()
    parsed = parse(query.text)
    rows: list[MentionMatch] = []
    mentions = (
        Mention.objects.filter(workspace_id=query.workspace_id, published_at__gte=at - HISTORY)
        .values_list(
            "pk",
            "text",
            "title",
            "language",
            "network",
            "author_handle",
            "published_at",
            "sentiment",
            "duplicate_of_id",
        )
        .order_by("pk")
    )
    for pk, text, title, lang, network, author, published, sentiment, dup in mentions.iterator(
        chunk_size=2000
    ):
        doc = Document.of(
            f"{title}\n{text}" if title else text, language=lang, sources=(network,), author=author
        )
        if parsed.matches(doc):
            rows.append(
                MentionMatch(
                    workspace_id=query.workspace_id,
                    query=query,
                    mention_id=pk,
                    published_at=published,
                    sentiment=sentiment,
                    is_duplicate=dup is not None,
                )
            )
    MentionMatch.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    Query.objects.filter(pk=query.pk).update(matched_until=at)
    return len(rows)


@dataclass(frozen=True)
class Preview:
    """What a query would find among the newest stored mentions."""

    count: int
    scanned: int
    sample: list[Mention]
    error: QuerySyntaxError | None = None


def preview(access: Access, text: str, limit: int = 5) -> Preview:
    """The live preview beside the query field: how many of the newest PREVIEW_SCAN stored
    mentions it matches and the newest few, or the syntax error and where it is."""
    access.require("listening.view")
    try:
        parsed = parse(text)
    except QuerySyntaxError as error:
        return Preview(0, 0, [], error)
    matcher = Matcher([(0, parsed)])
    rows = (
        Mention.objects.filter(workspace=access.workspace)
        .order_by("-published_at", "-pk")
        .values_list("pk", "text", "title", "language", "network", "author_handle")[:PREVIEW_SCAN]
    )
    count, scanned, sample_ids = 0, 0, list[int]()
    for pk, body, title, lang, network, author in rows:
        scanned += 1
        doc = Document.of(
            f"{title}\n{body}" if title else body, language=lang, sources=(network,), author=author
        )
        if matcher.matching(doc):
            count += 1
            if len(sample_ids) < limit:
                sample_ids.append(pk)
    by_id = Mention.objects.in_bulk(sample_ids)
    return Preview(count, scanned, [by_id[pk] for pk in sample_ids if pk in by_id])


# --- sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceInput:
    kind: str
    name: str
    channel: Channel | None = None
    terms: str = ""
    url: str = ""
    interval: int = 300
    backfill_days: int = 7
    is_active: bool = True


def _source_values(access: Access, data: SourceInput) -> dict[str, Any]:
    name = data.name.strip()[:100]
    if data.kind not in SourceKind.values:
        raise ActionError(_("Choose a network search or a feed."), field="kind")
    if data.interval < MIN_INTERVAL:
        raise ActionError(
            _("Read it at most every %(n)d seconds.") % {"n": MIN_INTERVAL}, field="interval"
        )
    if not 0 <= data.backfill_days <= MAX_BACKFILL_DAYS:
        raise ActionError(
            _("Backfill goes back 0 to %(n)d days.") % {"n": MAX_BACKFILL_DAYS},
            field="backfill_days",
        )
    values: dict[str, Any] = {
        "kind": data.kind,
        "interval": data.interval,
        "backfill_days": data.backfill_days,
        "is_active": data.is_active,
    }
    if data.kind == SourceKind.SEARCH:
        channel = data.channel
        if channel is None or channel.workspace_id != access.workspace.pk:
            raise ActionError(_("Choose the channel whose account searches."), field="channel")
        try:
            searchable = Capability.SEARCH in connector_class(channel.network).capabilities
        except UnknownNetwork:
            searchable = False
        if not searchable:
            raise ActionError(
                _("Hubbub cannot search %(network)s; choose a Bluesky, X or Mastodon channel.")
                % {"network": channel.network_label},
                field="channel",
            )
        terms = data.terms.strip()
        if not terms:
            raise ActionError(_("Write what to search for, e.g. your brand's name."), field="terms")
        values.update(channel=channel, terms=terms[:500], url="", name=name or terms[:100])
    else:
        url = data.url.strip()
        if not url.startswith(("https://", "http://")):
            raise ActionError(_("A feed address starts with https:// or http://."), field="url")
        try:
            http.check_url(url)
        except http.OutboundError as exc:
            raise ActionError(exc.message, field="url") from None
        values.update(channel=None, terms="", url=url[:2000], name=name or url[:100])
    return values


def create_source(access: Access, data: SourceInput) -> ListeningSource:
    access.require("listening.configure")
    values = _source_values(access, data)
    with transaction.atomic():
        source = ListeningSource.objects.create(workspace=access.workspace, **values)
        record(
            "listening.source_create",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=source,
            label=source.name,
            after={"kind": source.kind, "terms": source.terms, "url": source.url},
        )
    return source


def update_source(access: Access, source: ListeningSource, data: SourceInput) -> ListeningSource:
    access.require("listening.configure")
    same_workspace(access, source)
    values = _source_values(access, data)
    before = {"terms": source.terms, "url": source.url, "interval": source.interval}
    if values["terms"] != source.terms or values["url"] != source.url:
        values["cursor"] = None  # other words, another feed: a first read again
    values["next_read_at"] = timezone.now()
    with transaction.atomic():
        ListeningSource.objects.filter(pk=source.pk).update(**values)
        source.refresh_from_db()
        record(
            "listening.source_update",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=source,
            label=source.name,
            before=before,
            after={"terms": source.terms, "url": source.url, "interval": source.interval},
        )
    return source


def delete_source(access: Access, source: ListeningSource) -> None:
    access.require("listening.configure")
    same_workspace(access, source)
    with transaction.atomic():
        record(
            "listening.source_delete",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=source,
            label=source.name,
        )
        source.delete()  # its mentions stay


def read_now(access: Access, source: ListeningSource) -> ListeningSource:
    """Read the source at once (in the request: a person waits for the answer)."""
    access.require("listening.configure")
    same_workspace(access, source)
    from hubbub.listening.sources import read_source

    ListeningSource.objects.filter(pk=source.pk).update(next_read_at=timezone.now())
    source.refresh_from_db()
    read_source(source)
    source.refresh_from_db()
    return source


# --- mentions -----------------------------------------------------------------------------


def correct_sentiment(access: Access, mention: Mention, label: str) -> Mention:
    """A person says what the mention's sentiment is; the workspace's analyzer learns it."""
    access.require("listening.triage")
    same_workspace(access, mention)
    if label not in Sentiment.values:
        raise ActionError(_("Choose negative, neutral or positive."), field="label")
    previous = mention.sentiment
    with transaction.atomic():
        SentimentCorrection.objects.update_or_create(
            mention=mention,
            defaults={
                "workspace": access.workspace,
                "text": mention.title + "\n" + mention.text if mention.title else mention.text,
                "language": mention.language,
                "label": label,
                "previous_label": previous,
                "corrected_by": access.user,
                "created_at": timezone.now(),
            },
        )
        Mention.objects.filter(pk=mention.pk).update(sentiment=label, sentiment_corrected=True)
        MentionMatch.objects.filter(mention=mention).update(sentiment=label)
        record(
            "listening.sentiment_correct",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=mention,
            before={"sentiment": previous},
            after={"sentiment": label},
        )
    transaction.on_commit(lambda: _learn(access.workspace.pk))
    mention.sentiment, mention.sentiment_corrected = label, True
    return mention


def _learn(workspace_id: int) -> None:
    from hubbub.listening.tasks import remeasure_later

    feelings.forget(workspace_id)
    remeasure_later(workspace_id)


def to_conversation(access: Access, mention: Mention) -> Any:
    """Bring the mention into the inbox as a conversation on the channel that found it (the
    one whose account can answer); returns the conversation."""
    access.require("listening.triage")
    same_workspace(access, mention)
    from hubbub.listening.conversations import conversation_for

    conversation = conversation_for(mention)
    record(
        "listening.to_conversation",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=mention,
        after={"conversation": conversation.pk},
    )
    return conversation


def acknowledge(access: Access, alert: ListeningAlert) -> ListeningAlert:
    access.require("listening.view")
    same_workspace(access, alert)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), access.user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(
            "listening.alert_ack",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=alert,
        )
    return alert


def crisis_mode(access: Access, alert: ListeningAlert) -> list[Any]:
    """From an alert, in one step: pause publishing (the crisis pause) and bring the alert's
    mentions into the inbox, tagged "crisis"; returns their conversations."""
    access.require("publishing.pause")
    same_workspace(access, alert)
    from hubbub.listening.conversations import crisis_conversations
    from hubbub.publishing.actions.pause import pause_publishing

    pause_publishing(access)
    conversations = crisis_conversations(access, alert)
    with transaction.atomic():
        if alert.crisis_mode_at is None:
            alert.crisis_mode_at = timezone.now()
            alert.save(update_fields=["crisis_mode_at"])
        record(
            "listening.crisis_mode",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=alert,
            after={"conversations": [c.pk for c in conversations]},
        )
    acknowledge(access, alert)
    return conversations


def mentions_of(alert: ListeningAlert) -> Iterable[Mention]:
    return Mention.objects.filter(
        matches__query_id=alert.query_id,
        published_at__gt=alert.window_start,
        published_at__lte=alert.window_end,
    ).order_by("published_at", "pk")
