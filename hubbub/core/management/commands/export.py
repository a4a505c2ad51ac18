"""`hubbub export WORKSPACE [--out PATH] [--archive] [--quiet]`: the workspace's complete data
and files, for a backup or a move to another install (hubbub.portability, and
docs/data-ownership.md)."""

from __future__ import annotations

import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hubbub.inbox.management.commands._inbox_cli import USAGE, workspace_named
from hubbub.portability.archive import ArchiveError, pack
from hubbub.portability.export import export_workspace


class Command(BaseCommand):
    help = "Export a workspace's complete data (JSON Lines) and media files into a folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("workspace", metavar="WORKSPACE", help="The workspace's short name.")
        parser.add_argument(
            "--out",
            type=Path,
            help="Folder to create (default: WORKSPACE-export), or with --archive the "
            ".tar.gz file to write (default: WORKSPACE-export.tar.gz).",
        )
        parser.add_argument(
            "--archive", action="store_true", help="Write one .tar.gz file instead of a folder."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_named(options["workspace"])
        name = f"{workspace.slug}-export"
        progress = not options["quiet"]
        try:
            if options["archive"]:
                target = options["out"] or Path(f"{name}.tar.gz")
                if target.exists():
                    raise CommandError(
                        f"{target} already exists: choose another --out or remove it first.",
                        returncode=USAGE,
                    )
                # Written as a folder first, then packed: the archive holds the same folder.
                with tempfile.TemporaryDirectory(prefix="hubbub-export-") as temporary:
                    folder = Path(temporary) / name
                    manifest = export_workspace(workspace, folder, progress=progress)
                    pack(folder, target)
            else:
                target = options["out"] or Path(name)
                manifest = export_workspace(workspace, target, progress=progress)
        except ArchiveError as exc:
            raise CommandError(str(exc), returncode=USAGE) from None
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"Exported the workspace {workspace.name} ({workspace.slug}): {rows:,} rows and "
            f"{manifest.media_files:,} media files, into {target.resolve()}."
        )
        self.stdout.write(
            "It holds the members' password hashes and the channels' tokens (encrypted with "
            "this install's secret key): keep it as private as a database backup."
        )
