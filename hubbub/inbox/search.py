"""Full-text search over the inbox's messages, on SQLite and on PostgreSQL.

Both vendors get an index that a plain `icontains` cannot use at a million messages
(migrations/0002_search.py creates them):

- SQLite: an FTS5 table `inbox_message_fts`, external content over inbox_message(text)
  (the text is stored once, in inbox_message), kept in sync by triggers, tokenizer
  `unicode61 remove_diacritics 2`: case- and accent-insensitive (été = ete = ÉTÉ).
- PostgreSQL: a GIN index on the stored column `search_vector`, generated as
  `to_tsvector('simple', inbox_fold(text))` (migration 0003; 0002 indexed the expression,
  which made every recheck fold and parse the text again). 'simple' does no
  stemming, so English and French are treated alike and nothing depends on the server's
  dictionaries; `inbox_fold` is an IMMUTABLE SQL function of ours (translate() of accented
  Latin letters to their base letter) rather than the unaccent extension, which is not
  installed everywhere and whose function is only STABLE (not indexable as such). The
  words searched for are folded the same way in Python (fold_like_postgres).

A query is words and "quoted phrases"; every word and every phrase must appear (AND).
Words match whole words (no stemming, no prefixes), whatever their case and accents.
Only the first FOLD_LIMIT characters of a message are indexed on PostgreSQL: a tsvector
holds at most 1 MB, and a hostile million-character comment must still be stored.
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, TextField
from django.db.models.expressions import RawSQL

from hubbub.core.models import Workspace
from hubbub.inbox.models import Message

FTS_TABLE = "inbox_message_fts"
FOLD_FUNCTION = "inbox_fold"
VECTOR_COLUMN = "search_vector"  # migration 0003 (PostgreSQL)
FOLD_LIMIT = 200_000
MAX_TERMS = 16  # a pasted paragraph is not a search; more terms only slow the index down

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]  # each must appear
    phrases: tuple[tuple[str, ...], ...]  # each must appear, its words in this order

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def fold(text: str) -> str:
    """Lower case without accents: how both indexes see text (for Python-side checks)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse(q: str) -> SearchQuery:
    """Words and "phrases" of a search box. Punctuation separates words, as the tokenizers
    do, so nothing typed can reach either vendor's query syntax."""
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for match in _PHRASE.finditer(q):
        found = tuple(_WORD.findall(match.group(1)))
        if len(found) == 1:
            words.append(found[0])
        elif found and found not in phrases:
            phrases.append(found)
    for word in _WORD.findall(_PHRASE.sub(" ", q)):
        if word not in words:
            words.append(word)
    kept_words = tuple(dict.fromkeys(words))[:MAX_TERMS]
    return SearchQuery(kept_words, tuple(phrases[: MAX_TERMS - len(kept_words)]))


def _fts5_match(query: SearchQuery) -> str:
    # Each word as a quoted FTS5 string (quotes doubled): operators typed by a user (OR,
    # NEAR, *, column filters) are then plain text. Words come from \w+ and hold no quote.
    terms = [f'"{w}"' for w in query.words]
    terms += ['"' + " ".join(p) + '"' for p in query.phrases]
    return " AND ".join(terms)


def _sqlite_ids(query: SearchQuery) -> tuple[str, list[str]]:
    # Constant SQL; the user's words travel as the bound parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    return sql, [_fts5_match(query)]


@functools.cache
def _postgres_fold_table() -> dict[int, int]:
    migration: Any = importlib.import_module("hubbub.inbox.migrations.0002_search")
    source, target = migration._fold_map()
    return str.maketrans(source, target)


def fold_like_postgres(text: str) -> str:
    """What the SQL function inbox_fold (migration 0002) makes of `text`, computed here: the
    query's words are folded before they reach PostgreSQL, so that the query plan holds no
    call to it (its inlined translate() of two long strings cost 10-17 ms of planning)."""
    return text[:FOLD_LIMIT].translate(_postgres_fold_table())


class _Matches(Func):
    """`inbox_message.search_vector @@ query`: the stored, GIN-indexed tsvector of the
    message's folded text (migration 0003), under whatever alias the query gives the table."""

    output_field = BooleanField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        # The column is not a model field: take the alias from the text column's SQL
        # ("U0"."text" in a subquery, "inbox_message"."text" at the top).
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        table = text_sql.rsplit(".", 1)[0]
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        sql = f"{table}.{connection.ops.quote_name(VECTOR_COLUMN)} @@ {query_sql}"
        return sql, (*text_params, *query_params)


def _postgres_tsquery(query: SearchQuery) -> tuple[str, list[str]]:
    # plainto_tsquery / phraseto_tsquery parse the text with the same parser as the index,
    # and ignore tsquery operators: e-mail addresses and hyphenated words match as indexed.
    parts: list[str] = []
    params: list[str] = []
    if query.words:
        parts.append("plainto_tsquery('simple', %s)")
        params.append(fold_like_postgres(" ".join(query.words)))
    for phrase in query.phrases:
        parts.append("phraseto_tsquery('simple', %s)")
        params.append(fold_like_postgres(" ".join(phrase)))
    return "(" + " && ".join(parts) + ")", params


def _postgres_condition(query: SearchQuery) -> Func:
    sql, params = _postgres_tsquery(query)
    tsquery = RawSQL(sql, params, output_field=TextField())  # noqa: S611 (bound parameters)
    return _Matches(F("text"), tsquery)


def matching_messages(workspace: Workspace | int, q: str | SearchQuery) -> QuerySet[Message]:
    """The workspace's messages matching `q` (unordered; empty when `q` has no words)."""
    query = q if isinstance(q, SearchQuery) else parse(q)
    messages = Message.objects.filter(workspace=workspace)
    if not query:
        return messages.none()
    if connection.vendor == "sqlite":
        sql, params = _sqlite_ids(query)
        return messages.filter(id__in=RawSQL(sql, params))  # noqa: S611 (bound parameters)
    if connection.vendor == "postgresql":
        return messages.filter(_postgres_condition(query))
    # Another database: correct, unindexed.
    return messages.filter(id__in=matching_messages_unindexed(query))


def search_message_ids(workspace: Workspace | int, q: str) -> list[int]:
    """The ids of the workspace's messages matching `q`, oldest first."""
    return list(matching_messages(workspace, q).order_by("id").values_list("id", flat=True))


def conversation_ids(workspace: Workspace | int, q: str | SearchQuery) -> QuerySet[Message, Any]:
    """A subquery: the conversations with at least one matching message."""
    return matching_messages(workspace, q).values("conversation_id")


SQLITE_SEARCH_OBJECTS = {
    ("table", FTS_TABLE),
    ("trigger", "inbox_message_fts_insert"),
    ("trigger", "inbox_message_fts_delete"),
    ("trigger", "inbox_message_fts_update"),
}


def missing_sqlite_search(cursor: Any) -> set[tuple[str, str]]:
    """Which of the FTS table and its triggers (migration 0002) are missing on SQLite; empty
    also when inbox_message itself is not there (nothing to search)."""
    cursor.execute(
        "SELECT type, name FROM sqlite_master WHERE name = 'inbox_message' "
        "OR name LIKE 'inbox_message_fts%'"
    )
    present = {(kind, name) for kind, name in cursor.fetchall()}
    if ("table", "inbox_message") not in present:
        return set()
    return SQLITE_SEARCH_OBJECTS - present


# --- the first conversations that match, in list order -----------------------------------------

SCAN_CHUNK = 500
SCAN_LIMIT = 2000


def _matching_conversations(conversation_ids: list[int], query: SearchQuery) -> set[int]:
    """Which of these conversations have a message matching `query`."""
    if connection.vendor == "postgresql":
        # Their messages first (OFFSET 0 keeps the planner from starting with the GIN index,
        # which for a phrase it believes matches a handful of rows), then the stored vector.
        tsquery, params = _postgres_tsquery(query)
        sql = (
            "SELECT DISTINCT m.conversation_id FROM (SELECT conversation_id, "  # noqa: S608
            f"{VECTOR_COLUMN} FROM inbox_message WHERE conversation_id = ANY(%s) OFFSET 0) m "
            f"WHERE m.{VECTOR_COLUMN} @@ {tsquery}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [conversation_ids, *params])
            return {row[0] for row in cursor.fetchall()}
    messages: dict[int, int] = dict(
        Message.objects.filter(conversation_id__in=conversation_ids).values_list(
            "id", "conversation_id"
        )
    )
    return {messages[m] for m in _matching_ids(list(messages), query)}


def _matching_ids(message_ids: list[int], query: SearchQuery) -> set[int]:
    """Which of these messages match `query` (a few hundred ids, not the whole index)."""
    if not message_ids:
        return set()
    if connection.vendor == "sqlite":
        # FTS5 walks its matches for a rowid range only: the range of these messages.
        sql = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
            "AND rowid BETWEEN %s AND %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_fts5_match(query), min(message_ids), max(message_ids)])
            wanted = set(message_ids)
            return {row[0] for row in cursor.fetchall() if row[0] in wanted}
    found = Message.objects.filter(id__in=message_ids)
    found = found.filter(id__in=matching_messages_unindexed(query))
    return set(found.values_list("id", flat=True))


def matching_messages_unindexed(query: SearchQuery) -> QuerySet[Message]:
    messages = Message.objects.all()
    for word in query.words:
        messages = messages.filter(text__icontains=word)
    for phrase in query.phrases:
        messages = messages.filter(text__icontains=" ".join(phrase))
    return messages


def first_matching(
    ordered_ids: QuerySet[Any, int], query: SearchQuery, count: int, *, limit: int | None = None
) -> list[int] | None:
    """The first `count` conversations of `ordered_ids` (a values_list of ids in list order,
    filters applied) with a message matching `query`, looking at them by chunks; None when
    `limit` of them did not give `count` (a rare word: ask the index for every match then).

    Why: a common word matches tens of thousands of messages at a million; collecting all of
    them to keep the newest 50 conversations cost hundreds of milliseconds on both
    databases (and PostgreSQL misjudges phrases, planning for 79 rows when 40,000 match),
    while the newest conversations hold a match within the first few hundred. The result is
    exact: the same conversations, in the same order, as the full query."""
    found: list[int] = []
    for start in range(0, SCAN_LIMIT if limit is None else limit, SCAN_CHUNK):
        chunk = list(ordered_ids[start : start + SCAN_CHUNK])
        if not chunk:
            return found  # every conversation was looked at
        matched = _matching_conversations(chunk, query)
        found += [pk for pk in chunk if pk in matched]
        if len(found) >= count:
            return found[:count]
        if len(chunk) < SCAN_CHUNK:
            return found
    return None
