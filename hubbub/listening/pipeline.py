"""From what a source found to stored, matched mentions, a batch at a time.

`process(workspace, found, source)` runs each batch through:

1. **normalise** — Unicode NFC, control characters out, text cut at MAX_TEXT, dates in the
   future brought back to now; an item with neither text nor title is reported (problems),
   the others go on;
2. **already stored?** — the same (network, id) is not stored twice: one query per batch;
3. **language** — detected (hubbub.nlp.language), else what the network declared; for
   sentiment, a text of no clear language is read as the workspace's language;
4. **de-duplication** — a repost (same link, or same words, hubbub.listening.dedupe) is kept
   with `duplicate_of` naming the first; the remembered mentions are the workspace's last
   DEDUPE_WINDOW, held per process and topped up from the database each batch, so that what
   another worker stored is known too — by its link and its exact words (`words_key`):
   near-identical texts (a word changed) are found among what this process stored;
5. **sentiment** — the workspace's analyzer (hubbub.listening.feelings: the default,
   adapted to the workspace's corrections); reposts reuse the original's result;
6. **matching** — every active query of the workspace at once (hubbub.listening.matcher);
7. **store** — mentions and matches inserted in bulk, in one transaction.

Everything per mention is done in Python between two bulk writes, so a batch of 1,000 costs
two INSERTs and one SELECT. A conflict with another writer (the same mention stored by a
second worker in between) redoes the batch row by row, which skips what is there.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import regex
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.models import Workspace
from hubbub.listening import dedupe, feelings
from hubbub.listening.matcher import Matcher
from hubbub.listening.models import ListeningSource, Mention, MentionMatch, Query
from hubbub.listening.query import Document, QuerySyntaxError, parse
from hubbub.listening.rows import insert as rows_insert
from hubbub.nlp import language as languages

MAX_TEXT = 10_000
DEDUPE_WINDOW = timedelta(hours=48)
# Past this many remembered mentions (about 1 KB each) the memory is rebuilt from the last
# DEDUPE_WINDOW; a workspace that busy sees reposts older than that as new mentions.
MAX_REMEMBERED = 300_000
# Ranges of ids this process stored, left out when topping the memory up (past this many,
# they are read back and skipped one by one).
MAX_RUNS = 20
_CONTROL = regex.compile(r"[\p{Cc}\p{Cs}--[\n\t]]", regex.V1)


@dataclass(frozen=True)
class Found:
    """One item as a source found it, before enrichment."""

    network: str
    external_id: str
    text: str
    published_at: datetime
    url: str = ""
    title: str = ""
    author_handle: str = ""
    author_name: str = ""
    author_url: str = ""
    author_reach: int | None = None
    language: str = ""  # what the network declared
    shares: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    stored: int = 0
    already: int = 0  # stored before (the same network id)
    duplicates: int = 0  # stored, as reposts of an earlier mention
    matches: int = 0
    problems: list[str] = field(default_factory=list)
    # query id → how many of the new mentions it matched (alerts check those queries)
    by_query: dict[int, int] = field(default_factory=dict)
    first_fetched_at: datetime | None = None

    def add(self, other: Result) -> None:
        self.stored += other.stored
        self.already += other.already
        self.duplicates += other.duplicates
        self.matches += other.matches
        self.problems += other.problems
        for key, count in other.by_query.items():
            self.by_query[key] = self.by_query.get(key, 0) + count


# --- the workspace's queries and recent mentions, kept per process --------------------------


@dataclass
class _Queries:
    stamp: tuple[Any, ...]
    matcher: Matcher[int]
    # query id → (which mentions it brings into the inbox, the least followers): its rule
    to_inbox: dict[int, tuple[str, int | None]] = field(default_factory=dict)


@dataclass
class _Recent:
    deduper: dedupe.Deduper
    last_id: int
    since: datetime
    own: set[int] = field(default_factory=set)  # stored by this process: already remembered
    remembered: int = 0


_queries: dict[int, _Queries] = {}
_recent: dict[int, _Recent] = {}
_lock = threading.Lock()


def _queries_of(workspace_id: int) -> _Queries:
    active = Query.objects.filter(workspace_id=workspace_id, is_active=True)
    # One row says whether anything changed: a query added, removed, paused or edited (every
    # change through hubbub.listening.actions sets updated_at). Reading the thousand queries
    # themselves every batch cost a twentieth of the pipeline's time.
    stamp = tuple(
        active.aggregate(n=Count("pk"), ids=Sum("pk"), changed=Max("updated_at")).values()
    )
    cached = _queries.get(workspace_id)
    if cached is not None and cached.stamp == stamp:
        return cached
    rows = list(
        active.order_by("pk").values_list(
            "pk", "text", "updated_at", "to_inbox", "to_inbox_min_reach"
        )
    )
    parsed: list[tuple[int, Any]] = []
    for pk, text, _updated, _rule, _reach in rows:
        try:
            parsed.append((pk, parse(text)))
        except QuerySyntaxError:
            continue  # saved before a rule changed: the query page shows the error
    found = _Queries(
        stamp,
        Matcher(parsed),
        {pk: (rule, reach) for pk, _text, _updated, rule, reach in rows if rule},
    )
    with _lock:
        _queries[workspace_id] = found
    return found


def _deduper(workspace_id: int, now: datetime) -> _Recent:
    """The workspace's recent mentions, topped up with what was stored since (by any
    process); rebuilt from the database once the oldest remembered is past the window."""
    recent = _recent.get(workspace_id)
    if (
        recent is None
        or now - recent.since > 2 * DEDUPE_WINDOW
        or recent.remembered > MAX_REMEMBERED
    ):
        recent = _Recent(dedupe.Deduper(), 0, now - DEDUPE_WINDOW)
        newer = Mention.objects.filter(
            workspace_id=workspace_id, published_at__gte=recent.since, duplicate_of__isnull=True
        )
    else:
        # By id alone, the workspace and reposts sorted out below: asked with the workspace,
        # SQLite walks the workspace's whole (workspace, published_at) index every batch
        # instead of the few rows past last_id.
        newer = Mention.objects.filter(pk__gt=recent.last_id)
        # What this process stored since is remembered already: left out by id ranges
        # (one or two a batch) rather than read back only to be skipped.
        runs = _runs(recent.own)
        if len(runs) <= MAX_RUNS:
            for first, last in runs:
                newer = newer.exclude(pk__range=(first, last))
            if recent.own:
                recent.last_id = max(recent.last_id, *recent.own)
            recent.own.clear()
    # What others stored is taken in by its link and exact words, without reading its text
    # again: that would double the de-duplication work of two workers.
    rows = newer.order_by("pk").values_list(
        "pk", "url", "words_key", "workspace_id", "duplicate_of_id"
    )
    for pk, url, words_key, workspace, duplicate_of in rows.iterator():
        recent.last_id = max(recent.last_id, pk)
        if workspace != workspace_id or duplicate_of is not None:
            continue
        if pk in recent.own:
            recent.own.discard(pk)
            continue
        recent.deduper.remember(pk, dedupe.canonical_url(url) if url else "", words_key)
        recent.remembered += 1
    with _lock:
        _recent[workspace_id] = recent
    return recent


def _runs(ids: set[int]) -> list[tuple[int, int]]:
    """Consecutive ids as (first, last) runs: {3, 4, 5, 9} → [(3, 5), (9, 9)]."""
    found: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if found and pk == found[-1][1] + 1:
            found[-1] = (found[-1][0], pk)
        else:
            found.append((pk, pk))
    return found


def forget(workspace_id: int | None = None) -> None:
    """Drop what this process remembers (tests; a workspace's data deleted)."""
    with _lock:
        if workspace_id is None:
            _queries.clear()
            _recent.clear()
        else:
            _queries.pop(workspace_id, None)
            _recent.pop(workspace_id, None)


# --- one batch ----------------------------------------------------------------------------


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text).strip()[:MAX_TEXT]


def url_key(url: str) -> str:
    """What Mention.url_key holds for this link: the hash of its canonical form."""
    return _key_of(dedupe.canonical_url(url) if url else "")


def _key_of(link: str) -> str:
    return hashlib.sha1(link.encode(), usedforsecurity=False).hexdigest() if link else ""


def process(
    workspace: Workspace,
    found: Sequence[Found],
    source: ListeningSource | None = None,
    now: datetime | None = None,
) -> Result:
    """Enrich and store `found` (see the module docstring). Never raises for a bad item."""
    with _collector_paused():
        return _process(workspace, found, source, now)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off for the length of a batch. A batch makes tens of
    thousands of small objects that hold no cycles; each time their number crosses the
    collector's threshold it walks the process's long-lived objects again — the de-dup memory
    of hundreds of thousands of mentions — for nothing: an eighth of the pipeline's time on
    a busy workspace. It runs as usual once the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _process(
    workspace: Workspace,
    found: Sequence[Found],
    source: ListeningSource | None,
    now: datetime | None,
) -> Result:
    at = now or timezone.now()
    result = Result(first_fetched_at=at)
    items: list[Found] = []
    seen_ids: set[tuple[str, str]] = set()
    for index, item in enumerate(found):
        clean, problem = _cleaned(item, at)
        if clean is None:
            result.problems.append(
                _("item %(n)d: %(problem)s") % {"n": index + 1, "problem": problem}
            )
            continue
        if len(item.text.strip()) > MAX_TEXT and len(clean.text) == MAX_TEXT:
            result.problems.append(
                _("item %(n)d: only its first %(kept)s characters were kept (it had %(had)s)")
                % {"n": index + 1, "kept": f"{MAX_TEXT:,}", "had": f"{len(item.text):,}"}
            )
        key = (clean.network, clean.external_id)
        if key in seen_ids:
            result.already += 1
            continue
        seen_ids.add(key)
        items.append(clean)
    items = _not_stored(workspace.pk, items, result)
    if not items:
        return result
    queries = _queries_of(workspace.pk)
    matcher = queries.matcher
    recent = _deduper(workspace.pk, at)
    analyzer = feelings.analyzer_for(workspace.pk)
    news: list[_Ref] = []
    for item in items:
        text = item.text or item.title
        new = _Ref(item, languages.detect(text) or item.language)
        new.link = dedupe.canonical_url(item.url) if item.url else ""
        words = dedupe.words_of(text)
        new.words_key = dedupe.exact_key(words)
        earlier = recent.deduper.seen(
            new, item.url, text, words, link=new.link, exact=new.words_key
        )
        if earlier is not None:
            result.duplicates += 1
            if isinstance(earlier, _Ref):  # stored in this batch or by this process
                new.original = earlier
                new.label, new.score = earlier.label, earlier.score
            else:
                new.duplicate_of = int(earlier)  # type: ignore[call-overload]
        if not new.label:
            # A text too short or too mixed to tell is read as the workspace's language
            # ("Lumen holiday blend imbuvable" in a French workspace), not as no language.
            new.label, new.score = analyzer.analyze(text, new.language or workspace.language)
        doc = Document.of(
            f"{item.title}\n{item.text}" if item.title else item.text,
            language=new.language,
            sources=(item.network,),
            author=item.author_handle,
        )
        new.queries = matcher.matching(doc)
        news.append(new)
    _store(workspace.pk, source.pk if source is not None else None, news, at, result)
    if queries.to_inbox and source is not None and source.channel_id is not None:
        _to_inbox(queries.to_inbox, news)
    for new in news:
        new.item = None  # only the id and feelings stay in memory (reposts' originals)
        if new.pk is not None:
            recent.own.add(new.pk)
    recent.remembered += len(news)
    return result


def _to_inbox(rules: dict[int, tuple[str, int | None]], news: list[_Ref]) -> None:
    """The queries' inbox rules (Query.to_inbox): the new mentions they ask for become inbox
    conversations once this batch is committed (ingestion runs its own transaction)."""
    wanted = []
    for new in news:
        if new.pk is None or new.duplicate_id() is not None or new.item is None:
            continue  # a repost joins its original's conversation only if someone asks
        for query_id in new.queries:
            rule = rules.get(query_id)
            if rule is None or (rule[0] == "negative" and new.label != "negative"):
                continue
            if rule[1] is not None and (new.item.author_reach or 0) < rule[1]:
                continue
            wanted.append(new.pk)
            break
    if wanted:
        from hubbub.listening.conversations import bring_in

        transaction.on_commit(lambda: bring_in(wanted))


class _Ref:
    """A mention of this batch on its way to the database, then, remembered by the Deduper,
    what a later repost of it needs: its id and feelings."""

    __slots__ = (
        "duplicate_of",
        "item",
        "label",
        "language",
        "link",
        "original",
        "pk",
        "queries",
        "score",
        "words_key",
    )

    def __init__(self, item: Found, language: str) -> None:
        self.item: Found | None = item
        self.language = language
        self.label = ""
        self.score: float | None = None
        self.duplicate_of: int | None = None
        self.original: _Ref | None = None
        self.pk: int | None = None
        self.queries: list[int] = []
        self.link = ""
        self.words_key = ""

    def duplicate_id(self) -> int | None:
        return self.original.pk if self.original is not None else self.duplicate_of


def _cleaned(item: Found, now: datetime) -> tuple[Found | None, str]:
    text = normalise(item.text)
    title = normalise(item.title)[:500]
    if not text and not title:
        return None, _("it has no text; nothing to listen to")
    external_id = item.external_id.strip()[:500] or url_key(item.url)
    if not external_id:
        external_id = hashlib.sha1(f"{title}\n{text}".encode(), usedforsecurity=False).hexdigest()
    published = item.published_at
    if timezone.is_naive(published):
        published = timezone.make_aware(published, timezone.get_fixed_timezone(0))
    return (
        Found(
            network=item.network[:20],
            external_id=external_id,
            text=text,
            published_at=min(published, now),
            url=item.url.strip()[:2000],
            title=title,
            author_handle=item.author_handle[:255],
            author_name=item.author_name[:255],
            author_url=item.author_url[:2000],
            author_reach=item.author_reach if (item.author_reach or 0) >= 0 else None,
            language=item.language[:8],
            shares=item.shares,
            data=item.data,
        ),
        "",
    )


def _not_stored(workspace_id: int, items: list[Found], result: Result) -> list[Found]:
    by_network: dict[str, list[str]] = {}
    for item in items:
        by_network.setdefault(item.network, []).append(item.external_id)
    stored: set[tuple[str, str]] = set()
    for network, ids in by_network.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            stored.update(
                (network, external_id)
                for external_id in Mention.objects.filter(
                    workspace_id=workspace_id, network=network, external_id__in=chunk
                ).values_list("external_id", flat=True)
            )
    result.already += sum(1 for item in items if (item.network, item.external_id) in stored)
    return [item for item in items if (item.network, item.external_id) not in stored]


MENTION_FIELDS = (
    "workspace",
    "source",
    "network",
    "external_id",
    "url",
    "url_key",
    "words_key",
    "author_handle",
    "author_name",
    "author_url",
    "author_reach",
    "title",
    "text",
    "language",
    "sentiment",
    "sentiment_score",
    "sentiment_corrected",
    "published_at",
    "fetched_at",
    "duplicate_of",
    "data",
)
MATCH_FIELDS = ("workspace", "query", "mention", "published_at", "sentiment", "is_duplicate")


def _store(
    workspace_id: int, source_id: int | None, news: list[_Ref], at: datetime, result: Result
) -> None:
    try:
        with transaction.atomic():
            _insert(workspace_id, source_id, news, at, result)
    except IntegrityError:
        # Another worker stored some of these in between: one by one, skipping those.
        for new in news:
            new.pk = None  # ids handed out by the rolled-back INSERT mean nothing now
        for new in news:
            try:
                with transaction.atomic():
                    _insert(workspace_id, source_id, [new], at, result)
            except IntegrityError:
                new.pk = None
                result.already += 1


def _insert(
    workspace_id: int, source_id: int | None, news: list[_Ref], at: datetime, result: Result
) -> None:
    datetimes: dict[Any, Any] = {}
    # Originals first: a repost within the batch names its original's new id.
    for group in ([n for n in news if n.original is None], [n for n in news if n.original]):
        rows = []
        for new in group:
            item = new.item
            assert item is not None
            data = item.data
            if item.shares is not None:
                data = {**data, "shares": item.shares}
            rows.append(
                (
                    workspace_id,
                    source_id,
                    item.network,
                    item.external_id,
                    item.url,
                    _key_of(new.link),
                    new.words_key,
                    item.author_handle,
                    item.author_name,
                    item.author_url,
                    item.author_reach,
                    item.title,
                    item.text,
                    new.language,
                    new.label,
                    new.score,
                    False,
                    item.published_at,
                    at,
                    new.duplicate_id(),
                    data,
                )
            )
        for new, pk in zip(
            group,
            rows_insert(Mention, MENTION_FIELDS, rows, ids=True, datetimes=datetimes),
            strict=True,
        ):
            new.pk = pk
    matches = []
    by_query: dict[int, int] = {}
    for new in news:
        assert new.item is not None
        duplicate = new.duplicate_id() is not None
        for query_id in new.queries:
            matches.append(
                (workspace_id, query_id, new.pk, new.item.published_at, new.label, duplicate)
            )
            by_query[query_id] = by_query.get(query_id, 0) + 1
    rows_insert(MentionMatch, MATCH_FIELDS, matches, ids=False, datetimes=datetimes)
    result.stored += len(news)
    result.matches += len(matches)
    for key, count in by_query.items():
        result.by_query[key] = result.by_query.get(key, 0) + count
