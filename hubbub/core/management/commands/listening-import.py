"""`hubbub listening-import FILE.csv --workspace SLUG [--network NAME]`: bring mentions from a
CSV file into a workspace's listening (columns: hubbub.listening.csv_import). Rows that cannot
be used are listed by line; the others are stored, matched and counted. Exit status 0 when
every row was used, 1 when some were not, 2 when the file or workspace cannot be used."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.tables import table
from hubbub.inbox.management.commands._inbox_cli import FAILED, USAGE, workspace_named
from hubbub.listening.csv_import import import_csv


class Command(BaseCommand):
    help = "Import mentions from a CSV file (text, published_at, url, author, reach, …)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument(
            "--network", default="import", help="For rows without a network column."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_named(options["workspace"])
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}", returncode=USAGE) from None
        lines = max(content.count(b"\n") - 1, 1)
        with tqdm(total=lines, unit="row", file=sys.stderr, disable=options["no_progress"]) as bar:

            def advance(rows: int) -> None:
                bar.update(rows)

            imported = import_csv(workspace, content, options["network"], progress=advance)
        result = imported.result
        self.stdout.write(
            table(
                ["rows", "stored", "already there", "reposts", "query matches", "not used"],
                [
                    [
                        str(imported.rows),
                        str(result.stored),
                        str(result.already),
                        str(result.duplicates),
                        str(result.matches),
                        str(len(imported.problems) + len(result.problems)),
                    ]
                ],
            )
        )
        for problem in imported.problems + result.problems:
            self.stderr.write(problem)
        if imported.rows == 0 and imported.problems:
            raise CommandError("Nothing was imported.", returncode=USAGE)
        if imported.problems or result.problems:
            sys.exit(FAILED)
