"""Indexes that cost every message and conversation written and served no query.

Five foreign-key indexes that other indexes already cover are dropped:

- inbox_conversation.workspace_id: four composite indexes start with it.
- inbox_conversation.channel_id: the unique index of one_conversation_per_thread
  (channel, kind, thread_key) starts with it.
- inbox_conversation.customer_id: inbox_conv_customer_idx (customer, last_message_at) of
  0002 starts with it.
- inbox_message.workspace_id: (workspace, direction, created_at) starts with it.
- inbox_message.conversation_id: (conversation, created_at) starts with it.

Five foreign keys that are empty on almost every row (who answered, which delivery: set on
outbound replies only; assignee, team, who is replying: on some conversations) are indexed
only where set: a new inbound message or conversation no longer adds an entry for nobody
to each of them. Deleting a person or a team (SET_NULL) still finds its rows by index.

Measured with bench/inbox_bench.py, ingestion's time in the database fell by about a tenth.
The indexes are found by what they hold (the database's own description), not by name, and
dropped with a plain DROP INDEX: an AlterField would make SQLite copy the whole table.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.deletion import SET_NULL

COVERED = [
    ("inbox_conversation", "workspace_id"),
    ("inbox_conversation", "channel_id"),
    ("inbox_conversation", "customer_id"),
    ("inbox_message", "workspace_id"),
    ("inbox_message", "conversation_id"),
]
# Indexed where set only (the partial indexes are added below, after these are dropped).
WHERE_SET = [
    ("inbox_conversation", "assignee_id"),
    ("inbox_conversation", "team_id"),
    ("inbox_conversation", "replying_user_id"),
    ("inbox_message", "sent_by_id"),
    ("inbox_message", "delivery_id"),
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
    for table, column in COVERED + WHERE_SET:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def restore(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.quote_name
    for table, column in COVERED + WHERE_SET:
        if not _single_column_indexes(schema_editor, table, column):
            name = f"{table}_{column}_covered"
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


def _where_set(model_name: str, field: str, name: str) -> migrations.AddIndex:
    return migrations.AddIndex(
        model_name=model_name,
        index=models.Index(
            condition=models.Q((f"{field}__isnull", False)), fields=[field], name=name
        ),
    )


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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0002_notification"),
        ("publishing", "0004_inbox_replies"),
        ("inbox", "0003_search_vector_and_report_index"),
        ("networks", "0003_channel_expiry_warned"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name=model_name, name=name, field=_foreign_key(to, related_name)
                )
                for model_name, name, to, related_name in [
                    ("conversation", "channel", "networks.channel", "+"),
                    ("conversation", "workspace", "core.workspace", "+"),
                    ("message", "conversation", "inbox.conversation", "messages"),
                    ("message", "workspace", "core.workspace", "+"),
                ]
            ]
            + [
                migrations.AlterField(
                    model_name=model_name,
                    name=name,
                    field=_foreign_key(to, related_name, on_delete=SET_NULL, null=True, blank=True),
                )
                for model_name, name, to, related_name in [
                    ("conversation", "customer", "inbox.customer", "conversations"),
                    ("conversation", "assignee", settings.AUTH_USER_MODEL, "+"),
                    ("conversation", "replying_user", settings.AUTH_USER_MODEL, "+"),
                    ("conversation", "team", "inbox.team", "+"),
                    ("message", "delivery", "publishing.delivery", "+"),
                    ("message", "sent_by", settings.AUTH_USER_MODEL, "+"),
                ]
            ],
        ),
        _where_set("conversation", "assignee", "inbox_conv_assignee"),
        _where_set("conversation", "team", "inbox_conv_team"),
        _where_set("conversation", "replying_user", "inbox_conv_replying"),
        _where_set("message", "sent_by", "inbox_msg_sent_by"),
        _where_set("message", "delivery", "inbox_msg_delivery"),
    ]
