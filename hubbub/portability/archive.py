"""The export's format: a folder `<slug>-export/` (or the same folder in a .tar.gz) holding

    manifest.json               format version, Hubbub version, when, which workspace, the
                                rows per model and the database migrations it was made at
    <app>.<model>.jsonl         one file per model: one JSON object per line, as Django's
                                python serializer writes a row ({"model", "pk", "fields"})
    media/                      the workspace's files (MEDIA_ROOT/<slug>/…), same layout

A folder rather than one file: it is read and checked with ordinary tools (`wc -l`, `jq`,
`grep`), a huge workspace is written and read a line at a time, and `--archive` still gives
one .tar.gz to move around. manifest.json is written last: a folder without it is an export
that did not finish.
"""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Raised when the layout or the meaning of the files changes; an import refuses a newer one.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
KIND = "hubbub-workspace-export"


class ArchiveError(Exception):
    """The export cannot be used; the message says what to fix."""


@dataclass
class Manifest:
    workspace: str  # the slug at export time
    exported_at: str
    hubbub_version: str
    counts: dict[str, int]  # model label → rows written
    migrations: dict[str, list[str]]  # app label → applied migration names
    media_files: int = 0
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "format_version": self.format_version,
            "hubbub_version": self.hubbub_version,
            "exported_at": self.exported_at,
            "workspace": self.workspace,
            "counts": self.counts,
            "media_files": self.media_files,
            "migrations": self.migrations,
        }

    def write(self, folder: Path) -> None:
        text = json.dumps(self.to_json(), indent=2, sort_keys=True)
        (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise ArchiveError(
            f"{folder} has no {MANIFEST}: it is not a Hubbub export, or the export did not "
            "finish. Export the workspace again with `hubbub export`."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(
            f"{path} is not valid JSON ({exc}): the file is damaged. Export the workspace again."
        ) from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ArchiveError(f"{path} is not the manifest of a Hubbub workspace export.")
    version = data.get("format_version")
    if not isinstance(version, int):
        raise ArchiveError(f"{path} has no format_version: the file is damaged.")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"This export has format version {version}, made by Hubbub "
            f"{data.get('hubbub_version', '(unknown)')}; this Hubbub reads up to version "
            f"{FORMAT_VERSION}. Upgrade Hubbub here, then import again."
        )
    try:
        counts = {str(k): int(v) for k, v in dict(data["counts"]).items()}
        migrations = {str(k): [str(m) for m in v] for k, v in dict(data["migrations"]).items()}
        return Manifest(
            workspace=str(data["workspace"]),
            exported_at=str(data["exported_at"]),
            hubbub_version=str(data["hubbub_version"]),
            counts=counts,
            migrations=migrations,
            media_files=int(data.get("media_files", 0)),
            format_version=version,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArchiveError(
            f"{path} is incomplete or damaged ({type(exc).__name__}: {exc}). "
            "Export the workspace again."
        ) from None


def pack(folder: Path, target: Path) -> None:
    """The export folder as one .tar.gz, its top entry named as the folder."""
    with tarfile.open(target, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)


def unpack(archive: Path, into: Path) -> Path:
    """Extract a .tar.gz made by `pack` and answer the export folder inside. The "data"
    filter refuses absolute paths, `..`, links out of the folder and device files: an
    archive from elsewhere cannot write outside `into`."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError):
        raise ArchiveError(
            f"{archive} cannot be unpacked: it is not a complete .tar.gz export made by "
            "`hubbub export --archive`."
        ) from None
    except OSError as exc:
        raise ArchiveError(f"{archive} cannot be unpacked: {exc.strerror or exc}.") from None
    found = [p.parent for p in into.glob(f"*/{MANIFEST}")] or (
        [into] if (into / MANIFEST).is_file() else []
    )
    if len(found) != 1:
        raise ArchiveError(
            f"{archive} does not hold one export folder with a {MANIFEST}: "
            "it is not a Hubbub export."
        )
    return found[0]
