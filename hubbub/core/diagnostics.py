"""What `hubbub check` examines. Each check returns a Finding with a fix-it line."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # shown, but does not fail the check


def data_folder() -> Finding:
    path = Path(settings.DATA_DIR)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        return Finding(
            "Data folder",
            False,
            f"{path} is not writable ({exc.strerror})",
            f"Give the Hubbub user write access to {path}, or set HUBBUB_DATA_DIR.",
        )
    return Finding("Data folder", True, f"{path} is writable")


def secret_key() -> Finding:
    if os.environ.get("HUBBUB_SECRET_KEY"):
        source = "HUBBUB_SECRET_KEY"
    elif os.environ.get("HUBBUB_SECRET_KEY_FILE"):
        source = f"HUBBUB_SECRET_KEY_FILE ({os.environ['HUBBUB_SECRET_KEY_FILE']})"
    else:
        source = f"{Path(settings.DATA_DIR) / 'secret_key'} (generated on first start)"
    if len(settings.SECRET_KEY) < 32:
        return Finding(
            "Secret key",
            False,
            "the secret key is shorter than 32 characters",
            "Set HUBBUB_SECRET_KEY to at least 32 random characters.",
        )
    return Finding(
        "Secret key",
        True,
        f"present, from {source}",
        "Back it up: stored channel credentials cannot be read without it.",
    )


def database() -> Finding:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Finding(
            "Database",
            False,
            f"{engine}: cannot connect ({str(exc).strip()[:200]})",
            "Check DATABASE_URL, and that the database server runs and accepts this user.",
        )
    if pending:
        return Finding(
            "Database",
            False,
            f"{engine}: reachable, {len(pending)} migration(s) not applied",
            "Run `hubbub migrate`.",
        )
    return Finding("Database", True, f"{engine}: reachable and up to date")


def redis() -> Finding:
    if not settings.REDIS_URL:
        return Finding("Job queue", True, f"embedded (SQLite: {settings.HUEY['filename']})")
    import redis as redis_lib

    try:
        redis_lib.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return Finding(
            "Job queue",
            False,
            f"Redis at HUBBUB_REDIS_URL is not reachable ({exc})",
            "Start Redis, or correct HUBBUB_REDIS_URL (redis://host:6379/0).",
        )
    return Finding("Job queue", True, "Redis reachable")


def email() -> Finding:
    if settings.EMAIL_BACKEND.endswith("LoggingFileBackend"):
        return Finding(
            "E-mail",
            True,
            f"no SMTP server: e-mails are saved in {getattr(settings, 'EMAIL_FILE_PATH', '')}",
            "Set HUBBUB_EMAIL_HOST (and _PORT, _USER, _PASSWORD) so invitations reach people.",
            warning=True,
        )
    return Finding("E-mail", True, f"SMTP via {settings.EMAIL_HOST}:{settings.EMAIL_PORT}")


def outbound() -> Finding:
    if settings.HUBBUB_ALLOW_PRIVATE_NETWORKS:
        return Finding(
            "Outbound safety",
            True,
            "HUBBUB_ALLOW_PRIVATE_NETWORKS is on: user-supplied URLs may reach your LAN",
            "Turn it off unless a network you use runs inside your own network.",
            warning=True,
        )
    return Finding("Outbound safety", True, "private and loopback addresses are refused")


CHECKS: list[Callable[[], Finding]] = [data_folder, secret_key, database, redis, email, outbound]


def run_all() -> list[Finding]:
    return [check() for check in CHECKS]
