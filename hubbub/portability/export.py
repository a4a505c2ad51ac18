"""`hubbub export`: a workspace's complete data and files, written as archive.py describes.

Rows are read with `.iterator()` and written a line at a time, so a workspace of millions of
mentions never sits in memory. The whole export reads one snapshot of the database (one
transaction, REPEATABLE READ on PostgreSQL): rows written later in the export never point at
rows that were added after earlier files were written.

Secrets stay as they are stored: encrypted with this install's key (hubbub.core.crypto).
Nothing is decrypted here, so an export holds no token in clear text; docs/data-ownership.md
says what that means for a move to an install with another key.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from tqdm import tqdm

import hubbub
from hubbub.core.models import Membership, Workspace
from hubbub.portability import graph
from hubbub.portability.archive import MEDIA, ArchiveError, Manifest

CHUNK = 2000
# Install-wide rights: Django's groups and permissions are not a workspace's (graph.EXCLUDED).
USER_FIELDS_LEFT_OUT = ("groups", "user_permissions")


class Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's keeps milliseconds), so a
    restored row is equal to the original, not a millisecond off."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=Encoder, ensure_ascii=False, separators=(",", ":"))


class LineSerializer(PythonSerializer):
    """Django's python serializer, writing each row as one line as soon as it is made instead
    of keeping a list of them."""

    def __init__(self, out: IO[str], on_row: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self.out = out
        self.on_row = on_row
        self.rows = 0

    def end_object(self, obj: models.Model) -> None:
        data = self.get_dump_object(obj)
        self.on_row(data)
        self.out.write(dumps(data) + "\n")
        self.rows += 1
        self._current = None

    def getvalue(self) -> None:
        return None


def _user_fields(model: type[models.Model]) -> list[str]:
    user = graph.user_label()
    return [
        f.name
        for f in [*graph.relations(model), *graph.many_to_many(model)]
        if f.related_model._meta.label == user  # type: ignore[union-attr]
    ]


def queryset(node: graph.Node, workspace: Workspace) -> models.QuerySet[models.Model]:
    # The base manager: a default manager that hides rows (none does today) must not make an
    # export incomplete.
    manager = node.model._base_manager
    return manager.filter(**{node.path: workspace.pk}).order_by("pk")


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _prepare(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchiveError(f"{out} already exists: choose another --out or remove it first.")
    out.mkdir(parents=True, exist_ok=True)


def _rows(items: Iterator[models.Model], bar: tqdm[Any]) -> Iterator[models.Model]:
    for item in items:
        yield item
        bar.update(1)


def export_workspace(workspace: Workspace, out: Path, *, progress: bool = True) -> Manifest:
    """Write `workspace` into the folder `out` (created; it must not exist or be empty)."""
    _prepare(out)
    plan = graph.plan()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every file; SQLite's transaction is one already. (Inside a
            # caller's transaction, e.g. a test's, the level is the caller's to choose.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        rows = [node for node in plan if node.path]
        total = sum(queryset(node, workspace).count() for node in rows)
        members = set(Membership.objects.filter(workspace=workspace).values_list("user", flat=True))
        total += len(members)
        counts: dict[str, int] = {}
        people: set[int] = set(members)
        with tqdm(
            total=total, unit="row", file=sys.stderr, disable=not progress, desc="Export"
        ) as bar:
            for node in rows:
                counts[node.label] = _write_model(node, workspace, out, people, bar)
            bar.total = sum(counts.values()) + len(people)
            user_node = next(node for node in plan if not node.path)
            counts[user_node.label] = _write_users(user_node, workspace, out, members, people, bar)
        migrations = _migrations()
    media_files = _copy_media(workspace, out / MEDIA)
    manifest = Manifest(
        workspace=workspace.slug,
        exported_at=datetime.now(UTC).isoformat(),
        hubbub_version=hubbub.__version__,
        counts=counts,
        migrations=migrations,
        media_files=media_files,
    )
    manifest.write(out)  # last: its presence says the export finished
    return manifest


def _write_model(
    node: graph.Node, workspace: Workspace, out: Path, people: set[int], bar: tqdm[Any]
) -> int:
    user_fields = _user_fields(node.model)
    m2m = [f.name for f in graph.many_to_many(node.model)]

    def seen(row: dict[str, Any]) -> None:
        # The people rows name (authors, assignees…) are exported too, members or not.
        for name in user_fields:
            value = row["fields"].get(name)
            if isinstance(value, list):
                people.update(value)
            elif value is not None:
                people.add(value)

    items = queryset(node, workspace).prefetch_related(*m2m).iterator(chunk_size=CHUNK)
    with (out / node.file_name).open("w", encoding="utf-8") as file:
        serializer = LineSerializer(file, seen)
        serializer.serialize(_rows(items, bar))
    return serializer.rows


def _write_users(
    node: graph.Node,
    workspace: Workspace,
    out: Path,
    members: set[int],
    people: set[int],
    bar: tqdm[Any],
) -> int:
    unusable = make_password(None)

    def clean(row: dict[str, Any]) -> None:
        fields = row["fields"]
        for name in USER_FIELDS_LEFT_OUT:
            fields.pop(name, None)
        if row["pk"] not in members:
            # Someone who left the workspace: kept so history still says who did what, but
            # not able to sign in with it (their password is not this workspace's to give).
            fields["password"] = unusable
        if fields.get("last_workspace") != workspace.pk:
            fields["last_workspace"] = None

    items = node.model._base_manager.filter(pk__in=people).order_by("pk").iterator(CHUNK)
    with (out / node.file_name).open("w", encoding="utf-8") as file:
        serializer = LineSerializer(file, clean)
        serializer.serialize(_rows(items, bar))
    return serializer.rows


def _copy_media(workspace: Workspace, target: Path) -> int:
    """Every file under MEDIA_ROOT/<slug>/ (uploads, the brand's logo…), same layout."""
    source = Path(settings.MEDIA_ROOT) / workspace.slug
    target.mkdir()
    copied = 0
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue  # Hubbub writes plain files only; a link could point anywhere
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied += 1
    return copied
