"""Full-text search over messages, and the indexes the inbox's list filters need.

Hand-written, one branch per database (see hubbub/inbox/search.py for how they are queried):

SQLite — an FTS5 table with external content: it indexes inbox_message.text without storing
a second copy, and three triggers keep it in step with inserts, text edits and deletions.
Tokenizer unicode61 with remove_diacritics 2: "ete", "Été" and "été" are the same word.
NOTE: when a later migration makes Django rebuild inbox_message on SQLite (altering a
column copies the table and drops the old one), the triggers go with the old table: call
`install_sqlite_search(schema_editor)` from this module again at the end of such a migration.

PostgreSQL — a GIN index on to_tsvector('simple', inbox_fold(text)). `inbox_fold` is ours:
an IMMUTABLE translate() of accented Latin letters (both cases) to their base letter (and of
< > & to spaces: the parser would skip "<script>" as markup), so the
expression can be indexed and no extension is required (unaccent is not always installed,
and unaccent() is only STABLE). The 'simple' configuration lower-cases and does not stem:
English and French are searched alike. Only the first 200,000 characters are indexed: a
tsvector is limited to 1 MB, and a hostile million-character comment must still be stored.

Both — B-tree indexes for the list's filters and orders that 0001 does not cover: waiting
conversations (workspace, waiting_since), the due order and filters (first-response and
resolution due per workspace), customers' histories (customer, last_message_at).
The model state is left alone (these are database-level details of search and listing).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import migrations

FOLD_LIMIT = 200_000

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS inbox_message_fts USING fts5("
    "text, content='inbox_message', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS inbox_message_fts_insert AFTER INSERT ON inbox_message BEGIN "
    "INSERT INTO inbox_message_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS inbox_message_fts_delete AFTER DELETE ON inbox_message BEGIN "
    "INSERT INTO inbox_message_fts(inbox_message_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS inbox_message_fts_update AFTER UPDATE OF text ON inbox_message "
    "BEGIN INSERT INTO inbox_message_fts(inbox_message_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO inbox_message_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS inbox_message_fts_insert",
    "DROP TRIGGER IF EXISTS inbox_message_fts_delete",
    "DROP TRIGGER IF EXISTS inbox_message_fts_update",
    "DROP TABLE IF EXISTS inbox_message_fts",
]

# (name, table, columns): plain B-tree indexes, the same on both databases.
INDEXES = [
    ("inbox_conv_waiting_idx", "inbox_conversation", "workspace_id, waiting_since"),
    ("inbox_conv_fr_due_idx", "inbox_conversation", "workspace_id, first_response_due_at"),
    ("inbox_conv_res_due_idx", "inbox_conversation", "workspace_id, resolution_due_at"),
    ("inbox_conv_customer_idx", "inbox_conversation", "customer_id, last_message_at"),
    ("inbox_conv_priority_idx", "inbox_conversation", "workspace_id, priority, last_message_at"),
]


def _fold_map() -> tuple[str, str]:
    """Accented Latin letters (Latin-1 Supplement, Latin Extended-A and -B) → base letter."""
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        # A letter with accents only (not a ligature such as ĳ, which is two letters).
        if marks and base.isascii() and all(unicodedata.combining(m) for m in marks):
            source.append(char)
            target.append(base.lower())
    # PostgreSQL's parser skips what looks like an HTML tag or entity (<script>, &amp;):
    # spaces instead, so that hostile markup is searchable as the words it shows.
    return "".join(source) + "<>&", "".join(target) + "   "


def fold_function_sql() -> str:
    source, target = _fold_map()
    return (
        "CREATE OR REPLACE FUNCTION inbox_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$$ SELECT translate(left($1, {FOLD_LIMIT}), '{source}', '{target}') $$"
    )


def install_sqlite_search(schema_editor: Any) -> None:
    """Create the FTS5 table and its triggers if missing, and index every message."""
    for sql in SQLITE_FTS + SQLITE_TRIGGERS:
        schema_editor.execute(sql)
    schema_editor.execute("INSERT INTO inbox_message_fts(inbox_message_fts) VALUES ('rebuild')")


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        install_sqlite_search(schema_editor)
    elif vendor == "postgresql":
        schema_editor.execute(fold_function_sql())
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS inbox_message_text_search ON inbox_message "
            "USING GIN (to_tsvector('simple', inbox_fold(text)))"
        )
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    if vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS inbox_message_text_search")
        schema_editor.execute("DROP FUNCTION IF EXISTS inbox_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
