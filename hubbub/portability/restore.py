"""`hubbub import`: an export (archive.py) restored into this install, all or nothing.

Rows are loaded model by model in graph.plan()'s order, in one transaction: a bad line, a
count that does not match the manifest or a row pointing at nothing stops the import and
nothing of it is left, files included. Primary keys are never kept: the install may hold
other workspaces, so every row gets a new key, and a map from old to new key per model
rewrites the foreign keys, the many-to-many links and the ids kept in JSON (references.py).
A key to a row not loaded yet (a self-reference such as Post.series, or a cycle) is filled
in once every row is in.

Rows are inserted with bulk_create: no signal fires, so an import sends no webhook, alert or
notification and queues no job; it restores what was, it does not redo it.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

from hubbub.core import crypto
from hubbub.core.models import Workspace
from hubbub.networks.models import Channel, Health
from hubbub.portability import graph, references
from hubbub.portability.archive import MEDIA, ArchiveError, Manifest, read_manifest, unpack

BATCH = 500


@dataclass
class Report:
    workspace: Workspace
    counts: dict[str, int]
    media_files: int = 0
    reused_accounts: list[str] = field(default_factory=list)
    # Channels whose credentials this install's key cannot read: marked "needs reconnecting".
    reconnect: list[str] = field(default_factory=list)
    # Other rows with secrets this install cannot read (alert destinations, webhooks).
    unreadable_secrets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    old_pk: Any
    instance: models.Model
    m2m: dict[str, list[Any]]
    deferred: list[tuple[models.ForeignKey[models.Model, models.Model], Any]]


def restore(source: Path, *, slug: str | None = None, progress: bool = True) -> Report:
    """Import the export at `source` (a folder or a .tar.gz), under `slug` or its own."""
    if source.is_file():
        with tempfile.TemporaryDirectory(prefix="hubbub-import-") as temporary:
            return _restore(unpack(source, Path(temporary)), slug, progress)
    if not source.is_dir():
        raise ArchiveError(f"{source} does not exist: give the export folder or its .tar.gz.")
    return _restore(source, slug, progress)


def _restore(folder: Path, slug: str | None, progress: bool) -> Report:
    manifest = read_manifest(folder)
    plan = _check(folder, manifest)
    target = slug or manifest.workspace
    try:
        validate_slug(target)
        if len(target) > Workspace._meta.get_field("slug").max_length:  # type: ignore[operator]
            raise ValidationError("too long")
    except ValidationError:
        raise ArchiveError(
            f"'{target}' cannot be a workspace's short name: use up to 60 letters, digits, - and _."
        ) from None
    if Workspace.objects.filter(slug=target).exists():
        raise ArchiveError(
            f"A workspace '{target}' already exists here. Import under another short name "
            "with --slug NEWSLUG, or delete that workspace first."
        )
    media_target = Path(settings.MEDIA_ROOT) / target
    if media_target.is_dir() and any(p.is_file() for p in media_target.rglob("*")):
        raise ArchiveError(
            f"{media_target} already holds files, though no workspace '{target}' exists: "
            "move them away, or import with --slug NEWSLUG."
        )
    loader = _Loader(folder, manifest, target)
    created_media = False
    try:
        with transaction.atomic():
            with tqdm(
                total=sum(manifest.counts.values()),
                unit="row",
                file=sys.stderr,
                disable=not progress,
                desc="Import",
            ) as bar:
                for node in plan:
                    loader.load(node, bar)
            loader.fill_deferred()
            report = loader.report()
            _check_secrets(report)
            created_media = True
            report.media_files = _copy_media(folder / MEDIA, media_target)
    except DatabaseError as exc:
        _remove(media_target, created_media)
        reason = " ".join(str(exc).split())  # PostgreSQL's DETAIL on the same line
        raise ArchiveError(
            f"The database refused a row ({reason}). Nothing was imported. If this install "
            "runs another version of Hubbub than the export's, import with the same version."
        ) from None
    except BaseException:
        _remove(media_target, created_media)
        raise
    return report


def _remove(folder: Path, created: bool) -> None:
    if created and folder.exists():
        shutil.rmtree(folder, ignore_errors=True)


def _check(folder: Path, manifest: Manifest) -> list[graph.Node]:
    """Refuse what cannot be imported before writing anything."""
    plan = graph.plan()
    if manifest.counts.get(graph.WORKSPACE) != 1:
        raise ArchiveError(
            f"The manifest in {folder} counts {manifest.counts.get(graph.WORKSPACE, 0)} "
            "workspaces instead of one: it is damaged. Export the workspace again."
        )
    known = {node.label for node in plan}
    unknown = sorted(set(manifest.counts) - known)
    if unknown:
        raise ArchiveError(
            f"The export holds data this Hubbub does not know ({', '.join(unknown)}): it was "
            f"made by Hubbub {manifest.hubbub_version}. Upgrade Hubbub here, then import again."
        )
    executor = MigrationExecutor(connection)
    local = executor.loader.disk_migrations
    for app, names in manifest.migrations.items():
        newer = [n for n in names if app in executor.loader.migrated_apps and (app, n) not in local]
        if newer:
            raise ArchiveError(
                f"The export was made by a newer Hubbub ({manifest.hubbub_version}): the "
                f"database change {app}.{newer[0]} is unknown here. Upgrade Hubbub, then "
                "import again."
            )
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise ArchiveError("This database is not up to date: run `hubbub migrate` first.")
    for node in plan:
        if node.label in manifest.counts and not (folder / node.file_name).is_file():
            raise ArchiveError(
                f"{folder / node.file_name} is missing, though the manifest counts "
                f"{manifest.counts[node.label]} rows of {node.label}: the export is incomplete."
            )
    return [node for node in plan if node.label in manifest.counts]


class _Loader:
    def __init__(self, folder: Path, manifest: Manifest, slug: str) -> None:
        self.folder = folder
        self.manifest = manifest
        self.slug = slug
        self.ids: dict[str, dict[Any, Any]] = {}
        self.loaded: set[str] = set()
        # (model, field, [(new pk, old target pk)]) filled in after every row is in.
        self.deferred: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
        self.counts: dict[str, int] = {}
        self.reused: list[str] = []
        self.dropped: dict[str, int] = {}
        self.fresh: dict[str, int] = {}
        names: dict[str, list[str]] = {}
        for node in graph.plan():
            names.setdefault(str(node.model._meta.model_name), []).append(node.label)
        self.by_model_name = {name: labels[0] for name, labels in names.items() if len(labels) == 1}
        self.workspace: Workspace | None = None

    def lookup(self, label: str, old: Any) -> Any:
        return self.ids.get(label, {}).get(old)

    # --- reading -----------------------------------------------------------------------------

    def _lines(self, node: graph.Node) -> Iterator[tuple[int, dict[str, Any]]]:
        path = self.folder / node.file_name
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ArchiveError(
                        f"{path}, line {number}, is not complete JSON ({exc.msg}): the file was "
                        "cut short or edited. Export the workspace again; nothing was imported."
                    ) from None
                if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
                    raise ArchiveError(
                        f"{path}, line {number}, is not a row as `hubbub export` writes them."
                    )
                expected = f"{node.model._meta.app_label}.{node.model._meta.model_name}"
                if data.get("model") != expected:
                    raise ArchiveError(
                        f"{path}, line {number}, holds a {data.get('model')} row where "
                        f"{expected} rows were expected: the folder was mixed up."
                    )
                yield number, data

    def load(self, node: graph.Node, bar: tqdm[Any]) -> None:
        batch: list[_Row] = []
        seen = 0
        for number, data in self._lines(node):
            seen += 1
            row = self._row(node, number, data)
            if row is not None:
                batch.append(row)
            if len(batch) >= BATCH:
                self._save(node, batch)
                batch = []
            bar.update(1)
        self._save(node, batch)
        expected = self.manifest.counts[node.label]
        if seen != expected:
            raise ArchiveError(
                f"{self.folder / node.file_name} has {seen} rows but the manifest says "
                f"{expected}: the export is incomplete or was edited. Export it again."
            )
        self.counts[node.label] = seen
        self.loaded.add(node.label)
        if node.label == graph.WORKSPACE:
            if seen != 1:
                raise ArchiveError(f"The export holds {seen} workspaces instead of one.")
            self.workspace = Workspace.objects.get(slug=self.slug)

    # --- one row -----------------------------------------------------------------------------

    def _where(self, node: graph.Node, line: int) -> str:
        return f"{self.folder / node.file_name}, line {line}"

    def _row(self, node: graph.Node, line: int, data: dict[str, Any]) -> _Row | None:
        model = node.model
        label = node.label
        fields: dict[str, Any] = data["fields"]
        old_pk = data.get("pk")
        if label == graph.user_label():
            existing = self._existing_user(fields)
            if existing is not None:
                self.ids.setdefault(label, {})[old_pk] = existing
                return None
            # Install-wide rights are this install's operator's to give, not an archive's.
            fields["is_superuser"] = False
            fields["is_staff"] = False
            for name in ("groups", "user_permissions"):
                fields.pop(name, None)
        if label == graph.WORKSPACE:
            if fields.get("slug") != self.manifest.workspace:
                raise ArchiveError(
                    f"{self._where(node, line)}: the workspace is '{fields.get('slug')}' but the "
                    f"manifest says '{self.manifest.workspace}': the manifest does not belong "
                    "to these files."
                )
            fields["slug"] = self.slug
        deferred: list[tuple[models.ForeignKey[models.Model, models.Model], Any]] = []
        pk_field = model._meta.pk
        assert pk_field is not None
        for fk in graph.relations(model):
            target = fk.related_model._meta.label  # type: ignore[union-attr]
            if fk is pk_field:
                new_pk = self.lookup(target, old_pk)
                if new_pk is None:
                    raise ArchiveError(
                        f"{self._where(node, line)}: {label} {old_pk} belongs to {target} "
                        f"{old_pk}, which is not in the export: the export is incomplete."
                    )
                data["pk"] = new_pk
                continue
            value = fields.get(fk.name)
            if value is None:
                continue
            if target not in self.loaded:
                if not fk.null:
                    raise ArchiveError(f"{label}.{fk.name} points to {target}, not loaded yet.")
                fields[fk.name] = None
                deferred.append((fk, value))
                continue
            new = self.lookup(target, value)
            if new is None:
                if not fk.null:
                    raise ArchiveError(
                        f"{self._where(node, line)}: {label} {old_pk} points to {target} "
                        f"{value}, which is not in the export: the export is incomplete."
                    )
                self.dropped[f"{label}.{fk.name}"] = self.dropped.get(f"{label}.{fk.name}", 0) + 1
            fields[fk.name] = new
        if not pk_field.is_relation:
            data["pk"] = None
        m2m: dict[str, list[Any]] = {}
        for many in graph.many_to_many(model):
            values = fields.pop(many.name, None) or []
            target = many.related_model._meta.label  # type: ignore[union-attr]
            m2m[many.name] = [n for n in (self.lookup(target, v) for v in values) if n is not None]
        for media_model, name in graph.MEDIA_FIELDS:
            value = fields.get(name)
            if media_model == label and isinstance(value, str):
                fields[name] = self._media_path(value)
        rewrite = references.REWRITERS.get(label)
        if rewrite is not None:
            rewrite(fields, self.lookup)
        if label == "core.AuditEntry":
            references.audit_entry(fields, self.lookup, self.by_model_name)
        try:
            built = next(iter(serializers.deserialize("python", [data], ignorenonexistent=True)))
        except (serializers.base.DeserializationError, ValidationError, ValueError) as exc:
            raise ArchiveError(
                f"{self._where(node, line)} cannot be read as a {label} row ({exc})."
            ) from None
        return _Row(line, old_pk, built.object, m2m, deferred)

    def _existing_user(self, fields: dict[str, Any]) -> Any:
        email = str(fields.get("email", "")).strip().lower()
        model = graph.node(graph.user_label()).model
        pk = model._base_manager.filter(email__iexact=email).values_list("pk", flat=True).first()
        if pk is not None:
            self.reused.append(email)
        return pk

    def _media_path(self, value: str) -> str:
        old = self.manifest.workspace + "/"
        return self.slug + "/" + value[len(old) :] if value.startswith(old) else value

    # --- saving ------------------------------------------------------------------------------

    def _save(self, node: graph.Node, batch: list[_Row]) -> None:
        if not batch:
            return
        model = node.model
        instances = [row.instance for row in batch]
        self._fresh_on_clash(node, instances)
        # auto_now columns (Post.updated_at…) would be set to now by the insert: kept as
        # they were, then written back.
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        kept = [[getattr(i, name) for name in auto_now] for i in instances]
        model._base_manager.bulk_create(instances)
        if auto_now:
            for instance, values in zip(instances, kept, strict=True):
                for name, value in zip(auto_now, values, strict=True):
                    setattr(instance, name, value)
            model._base_manager.bulk_update(instances, auto_now)
        ids = self.ids.setdefault(node.label, {})
        for row in batch:
            assert row.instance.pk is not None, "the database did not return the new keys"
            ids[row.old_pk] = row.instance.pk
            for fk, old_target in row.deferred:
                key = (node.label, fk.name)
                self.deferred.setdefault(key, []).append((row.instance.pk, old_target))
        for many in graph.many_to_many(model):
            through: Any = many.remote_field.through
            source = many.m2m_field_name()
            target = many.m2m_reverse_field_name()
            links = [
                through(**{f"{source}_id": row.instance.pk, f"{target}_id": value})
                for row in batch
                for value in row.m2m.get(many.name, [])
            ]
            through._base_manager.bulk_create(links, batch_size=BATCH)

    def _fresh_on_clash(self, node: graph.Node, instances: list[models.Model]) -> None:
        for label, name in graph.FRESH_ON_CLASH:
            if label != node.label:
                continue
            values = [getattr(i, name) for i in instances]
            taken = set(
                node.model._base_manager.filter(**{f"{name}__in": values}).values_list(
                    name, flat=True
                )
            )
            if not taken:
                continue
            size = getattr(node.model._meta.get_field(name), "max_length", None) or 64
            for instance in instances:
                if getattr(instance, name) in taken:
                    setattr(instance, name, secrets.token_hex(size // 2))
                    self.fresh[label] = self.fresh.get(label, 0) + 1

    def fill_deferred(self) -> None:
        for (label, name), pairs in self.deferred.items():
            model = graph.node(label).model
            fk = model._meta.get_field(name)
            target = fk.related_model._meta.label  # type: ignore[union-attr]
            updates = []
            for new_pk, old_target in pairs:
                new_target = self.lookup(target, old_target)
                if new_target is None:
                    self.dropped[f"{label}.{name}"] = self.dropped.get(f"{label}.{name}", 0) + 1
                    continue
                instance = model(pk=new_pk)
                setattr(instance, getattr(fk, "attname", name), new_target)
                updates.append(instance)
            model._base_manager.bulk_update(updates, [name], batch_size=BATCH)

    def report(self) -> Report:
        assert self.workspace is not None
        report = Report(workspace=self.workspace, counts=dict(self.counts))
        report.reused_accounts = sorted(self.reused)
        for label, count in sorted(self.fresh.items()):
            report.notes.append(
                f"{count} {label} rows had a token this install already uses: they got a new "
                "one, so their old links or tokens do not work on the copy."
            )
        for where, count in sorted(self.dropped.items()):
            report.notes.append(
                f"{count} {where} links pointed to rows not in the export; they were left empty."
            )
        return report


def _check_secrets(report: Report) -> None:
    """Secrets stay encrypted with the exporting install's key. Those this install's key (or
    HUBBUB_OLD_SECRET_KEYS) cannot read are listed; channels are marked as needing
    reconnection, which is what people see and act on."""
    for node in graph.plan():
        names = graph.encrypted_fields(node.model)
        if not names or not node.path:
            continue
        rows = node.model._base_manager.filter(**{node.path: report.workspace.pk}).order_by("pk")
        for row in rows.iterator(chunk_size=BATCH):
            if all(_readable(getattr(row, name)) for name in names):
                continue
            if isinstance(row, Channel):
                report.reconnect.append(f"{row.network_label} {row.handle}")
                Channel.objects.filter(pk=row.pk).update(
                    health=Health.NEEDS_RECONNECT,
                    health_message=(
                        "Imported from another Hubbub whose secret key differs: reconnect "
                        "this channel."
                    ),
                )
            else:
                report.unreadable_secrets.append(f"{node.model._meta.verbose_name} {row}")


def _readable(token: str) -> bool:
    if not token:
        return True
    try:
        crypto.decrypt(token)
    except crypto.DecryptionError:
        return False
    return True


def _copy_media(source: Path, target: Path) -> int:
    if not source.is_dir():
        return 0
    copied = 0
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied += 1
    return copied
