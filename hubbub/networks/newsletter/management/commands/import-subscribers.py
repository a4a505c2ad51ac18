"""`hubbub import-subscribers <channel id> <file.csv>`: bulk import a newsletter's list.

Run by the operator (who has the server): no member is named, and no role is checked. Good
rows are imported, addresses already on the list skipped, bad rows printed with their line
and reason. Exit status 1 when a row was bad.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.access import ActionError
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import subscribers


class Command(BaseCommand):
    help = "Import a newsletter's subscribers from a CSV file (columns: email, name)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("channel", type=int, help="The newsletter channel's id.")
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8; , ; or tab).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = Channel.objects.filter(pk=options["channel"], network="newsletter").first()
        if channel is None:
            raise CommandError(f"No newsletter channel with the id {options['channel']}.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        total = max(data.count(b"\n"), 1)  # lines, a good enough bound for the bar
        with tqdm(total=total, unit="row", disable=options["no_progress"], file=sys.stderr) as bar:

            def advance(line: int) -> None:
                bar.update(line - bar.n)

            try:
                result = subscribers.load_csv(channel, data, progress=advance)
            except ActionError as exc:
                raise CommandError(exc.message) from None
            bar.update(max(total - bar.n, 0))
        for error in result.errors:
            self.stdout.write(f"line {error.line}: {error.message}")
        self.stdout.write(
            f"{result.imported} imported, {result.duplicates} already on the list, "
            f"{len(result.errors)} refused."
        )
        if result.errors:
            raise SystemExit(1)
