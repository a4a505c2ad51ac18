"""Faster search on PostgreSQL, and an index for reports.

PostgreSQL — the folded tsvector of each message is stored, in a generated column
`inbox_message.search_vector` (GENERATED ALWAYS AS to_tsvector('simple', inbox_fold(text))
STORED), and the GIN index is on that column instead of on the expression (0002). Why: a
phrase, or a word present in many messages, makes PostgreSQL recheck every candidate row;
with the expression index that meant folding and parsing each text again (about a second
for a phrase at a million messages), and planning a query against the long inlined
translate() of inbox_fold took 10–17 ms by itself. The stored vector is read instead, and
the query's own words are folded in Python (hubbub.inbox.search.fold_like_postgres, the
same map as inbox_fold). The column is invisible to Django (not in the model state): Django
never writes it, PostgreSQL keeps it in step with `text`. A later migration that changes
the type of inbox_message.text must drop the column first and add it back after.
Adding it rewrites the table once (measured in bench/: about a minute at 1,000,000 messages).

SQLite — nothing changes for search (the FTS5 table of 0002 serves it); see apps.py for the
check that re-creates its triggers if a table rebuild lost them.

Both — an index (workspace, opened_at) on conversations, for the reports of a period.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "inbox_message_search_vector"
OLD_INDEX = "inbox_message_text_search"  # 0002's expression index


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute(
        f"ALTER TABLE inbox_message ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, inbox_fold(text))) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON inbox_message USING GIN ({VECTOR_COLUMN})"
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
    schema_editor.execute(f"ALTER TABLE inbox_message DROP COLUMN IF EXISTS {VECTOR_COLUMN}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON inbox_message "
        "USING GIN (to_tsvector('simple', inbox_fold(text)))"
    )


class Migration(migrations.Migration):
    dependencies = [("inbox", "0002_search")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["workspace", "opened_at"], name="inbox_conve_workspa_8f4d07_idx"
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
