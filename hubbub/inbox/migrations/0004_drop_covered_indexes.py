"""Five foreign-key indexes that other indexes already cover are dropped: every message and
conversation written paid for them (a bit over a tenth of ingestion's time in the database
on PostgreSQL), and no query needs them.

- inbox_conversation.workspace_id: four composite indexes start with it.
- inbox_conversation.channel_id: the unique index of one_conversation_per_thread
  (channel, kind, thread_key) starts with it.
- inbox_conversation.customer_id: inbox_conv_customer_idx (customer, last_message_at) of
  0002 starts with it.
- inbox_message.workspace_id: (workspace, direction, created_at) starts with it.
- inbox_message.conversation_id: (conversation, created_at) starts with it.

The indexes are found by what they hold (the database's own description), not by name, and
dropped with a plain DROP INDEX: an AlterField would make SQLite copy the whole table.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

COVERED = [
    ("inbox_conversation", "workspace_id"),
    ("inbox_conversation", "channel_id"),
    ("inbox_conversation", "customer_id"),
    ("inbox_message", "workspace_id"),
    ("inbox_message", "conversation_id"),
]


def _single_column_indexes(schema_editor: Any, table: str, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    ]


def drop(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.quote_name
    for table, column in COVERED:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def restore(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.quote_name
    for table, column in COVERED:
        if not _single_column_indexes(schema_editor, table, column):
            name = f"{table}_{column}_covered"
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


def _foreign_key(to: str, related_name: str, **options: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        db_index=False,
        on_delete=options.pop("on_delete", django.db.models.deletion.CASCADE),
        related_name=related_name,
        to=to,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notification"),
        ("inbox", "0003_search_vector_and_report_index"),
        ("networks", "0003_channel_expiry_warned"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="channel",
                    field=_foreign_key("networks.channel", "+"),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="customer",
                    field=_foreign_key(
                        "inbox.customer",
                        "conversations",
                        on_delete=django.db.models.deletion.SET_NULL,
                        null=True,
                        blank=True,
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="workspace",
                    field=_foreign_key("core.workspace", "+"),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=_foreign_key("inbox.conversation", "messages"),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="workspace",
                    field=_foreign_key("core.workspace", "+"),
                ),
            ],
        )
    ]
