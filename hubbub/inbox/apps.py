from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InboxConfig(AppConfig):
    name = "hubbub.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hubbub.inbox import (
            receivers,  # noqa: F401  (replies learn their network id when published)
            tasks,  # noqa: F401  (registers polling, targets and digests)
        )

        post_migrate.connect(
            ensure_sqlite_search, sender=self, dispatch_uid="inbox.ensure_sqlite_search"
        )


SEARCH_MIGRATION = ("inbox", "0002_search")


def ensure_sqlite_search(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: on SQLite, the search table and its triggers are there.

    When a migration alters a column of inbox_message, Django rebuilds the table on SQLite
    (copy, drop, rename) and the triggers of 0002 go with the old table: search would then
    silently miss every new message. Re-created here (and the index rebuilt) when missing."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    from hubbub.inbox.search import missing_sqlite_search

    with connection.cursor() as cursor:
        if not missing_sqlite_search(cursor):
            return
    if SEARCH_MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return  # migrated back before search (or not yet there): nothing to keep up
    import importlib

    migration: Any = importlib.import_module("hubbub.inbox.migrations.0002_search")
    # install_sqlite_search only executes statements: a cursor does (Django's SQLite schema
    # editor refuses to open inside a transaction, where tests run).
    with connection.cursor() as cursor:
        migration.install_sqlite_search(_Executor(cursor))


class _Executor:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str) -> None:
        self.cursor.execute(sql)
