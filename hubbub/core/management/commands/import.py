"""`hubbub import PATH [--slug NEW] [--quiet]`: restore a workspace exported with `hubbub
export` (a folder or its .tar.gz), all or nothing (hubbub.portability; docs/data-ownership.md).

Named `import` like its twin `export`; no Django command has either name."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hubbub.inbox.management.commands._inbox_cli import USAGE
from hubbub.portability.archive import ArchiveError
from hubbub.portability.restore import restore


class Command(BaseCommand):
    help = "Import a workspace from an export folder or .tar.gz made by `hubbub export`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH", type=Path, help="The export folder or file.")
        parser.add_argument(
            "--slug",
            metavar="NEW",
            help="Import under this short name (needed when the export's is taken here).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(options["path"], slug=options["slug"], progress=not options["quiet"])
        except ArchiveError as exc:
            raise CommandError(str(exc), returncode=USAGE) from None
        workspace = report.workspace
        self.stdout.write(
            f"Imported the workspace {workspace.name} as '{workspace.slug}': "
            f"{sum(report.counts.values()):,} rows and {report.media_files:,} media files."
        )
        if report.reused_accounts:
            self.stdout.write(
                "These people already had an account here, which they keep using: "
                + ", ".join(report.reused_accounts)
                + "."
            )
        if report.reconnect:
            self.stdout.write(
                "This install's secret key cannot read the tokens of these channels; they are "
                "marked as needing reconnection: " + ", ".join(report.reconnect) + "."
            )
        if report.unreadable_secrets:
            self.stdout.write(
                "Enter the secrets of these again (this install's key cannot read them): "
                + ", ".join(report.unreadable_secrets)
                + "."
            )
        for note in report.notes:
            self.stdout.write(note)
