"""A damaged or foreign export is refused with a message that says what to fix, and the
import is all or nothing: no row and no file of it is left behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hubbub.core.models import Workspace
from hubbub.portability import graph


def edit_manifest(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def truncate_last_line(folder: Path) -> None:
    path = folder / "listening.mention.jsonl"
    text = path.read_text()
    path.write_text(text[: len(text) - 40])  # cut inside the last row, as a full disk would


def drop_last_line(folder: Path) -> None:
    path = folder / "publishing.post.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))


def duplicate_a_tag(folder: Path) -> None:
    """Valid JSON the database refuses (two tags of one name): found only while inserting."""
    path = folder / "inbox.tag.jsonl"
    line = path.read_text().splitlines(keepends=True)[0]
    path.write_text(line + line)
    edit_manifest(folder, lambda m: m["counts"].update({"inbox.Tag": 2}))


def other_workspace(data: dict[str, Any]) -> None:
    data["workspace"] = "globex"


def newer_format(data: dict[str, Any]) -> None:
    data["format_version"] = 2
    data["hubbub_version"] = "9.0.0"


def newer_migration(data: dict[str, Any]) -> None:
    data["migrations"]["publishing"].append("0099_from_the_future")


def unknown_model(data: dict[str, Any]) -> None:
    data["counts"]["rockets.Launch"] = 3


DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "no manifest": (
        lambda f: (f / "manifest.json").unlink(),
        r"has no manifest.json: it is not a Hubbub export, or the export did not finish",
    ),
    "manifest not JSON": (
        lambda f: (f / "manifest.json").write_text("{"),
        r"manifest.json is not valid JSON .*Export the workspace again",
    ),
    "manifest of another workspace": (
        lambda f: edit_manifest(f, other_workspace),
        r"the workspace is 'acme' but the manifest says 'globex': the manifest does not belong",
    ),
    "manifest without the workspace": (
        lambda f: edit_manifest(f, lambda m: m["counts"].pop("core.Workspace")),
        r"counts 0 workspaces instead of one: it is damaged",
    ),
    "truncated line": (
        truncate_last_line,
        r"listening.mention.jsonl, line 2, is not complete JSON .*cut short",
    ),
    "missing row": (
        drop_last_line,
        r"publishing.post.jsonl has 1 rows but the manifest says 2",
    ),
    "missing file": (
        lambda f: (f / "inbox.note.jsonl").unlink(),
        r"inbox.note.jsonl is missing, though the manifest counts 1 rows",
    ),
    "newer format": (
        lambda f: edit_manifest(f, newer_format),
        r"format version 2, made by Hubbub 9.0.0; this Hubbub reads up to version 1. Upgrade",
    ),
    "newer database": (
        lambda f: edit_manifest(f, newer_migration),
        r"publishing.0099_from_the_future is unknown here. Upgrade Hubbub",
    ),
    "unknown model": (
        lambda f: edit_manifest(f, unknown_model),
        r"holds data this Hubbub does not know \(rockets.Launch\)",
    ),
    "refused by the database": (
        duplicate_a_tag,
        r"The database refused a row .*Nothing was imported",
    ),
}


def everything() -> dict[str, int]:
    return {node.label: node.model._base_manager.count() for node in graph.plan()}


@pytest.fixture
def exported(acme: Workspace, alice: Any, bob: Any, tmp_path: Path) -> Path:
    from tests.portability.conftest import enrich

    enrich(acme, alice, bob)
    folder = tmp_path / "acme-export"
    call_command("export", "acme", "--out", str(folder), "--quiet", stdout=StringIO())
    return folder


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_export_is_refused_and_nothing_is_left(
    damage: str, exported: Path, media_root: Path
) -> None:
    spoil, message = DAMAGE[damage]
    spoil(exported)
    before = everything()

    with pytest.raises(CommandError, match=message):
        call_command("import", str(exported), "--slug", "copy", "--quiet", stdout=StringIO())

    assert everything() == before
    assert not Workspace.objects.filter(slug="copy").exists()
    assert not (media_root / "copy").exists()


def test_a_file_that_is_not_an_export_is_refused(db: None, tmp_path: Path) -> None:
    bogus = tmp_path / "backup.tar.gz"
    bogus.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match=r"cannot be unpacked.*not a complete \.tar\.gz export"):
        call_command("import", str(bogus), "--quiet")
    with pytest.raises(CommandError, match="does not exist: give the export folder"):
        call_command("import", str(tmp_path / "nothing"), "--quiet")


def test_a_slug_that_cannot_be_one_is_refused(exported: Path) -> None:
    with pytest.raises(CommandError, match="'not a slug' cannot be a workspace's short name"):
        call_command("import", str(exported), "--slug", "not a slug", "--quiet")


def test_files_left_under_the_slug_are_not_mixed_in(exported: Path, media_root: Path) -> None:
    (media_root / "copy").mkdir()
    (media_root / "copy" / "old.png").write_bytes(b"someone's")
    with pytest.raises(CommandError, match=r"already holds files.*--slug NEWSLUG"):
        call_command("import", str(exported), "--slug", "copy", "--quiet")
    assert (media_root / "copy" / "old.png").read_bytes() == b"someone's"
