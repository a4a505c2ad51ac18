"""`hubbub import-posts <workspace> <file.csv> --as <email>`: bulk import from CSV.

Every good row is imported (scheduled, or sent for approval when the workflow asks); the
bad ones are printed with their line number and reason. Exit status 1 when a row was bad.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from tqdm import tqdm

from hubbub.accounts.models import User
from hubbub.core.access import ActionError, access_workspace
from hubbub.publishing import csv_io


class Command(BaseCommand):
    help = "Import posts from a CSV file (columns: " + ", ".join(csv_io.COLUMNS) + ")."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("workspace", help="The workspace's slug.")
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, , or ;).")
        parser.add_argument(
            "--as", dest="email", required=True, help="The member the posts are imported as."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {options['email']}.")
        try:
            access = access_workspace(user, options["workspace"], via="cli")
        except Http404:
            raise CommandError(
                f"{user.email} is not a member of a workspace '{options['workspace']}'."
            ) from None
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        total = max(data.count(b"\n") - 1, 0)  # lines, a good enough bound for the bar
        with tqdm(total=total, unit="row", disable=options["no_progress"], file=sys.stderr) as bar:
            last = [1]

            def advance(line: int) -> None:
                bar.update(line - last[0])
                last[0] = line

            try:
                result = csv_io.import_posts(access, data, filename=path.name, progress=advance)
            except (ActionError, PermissionDenied) as exc:
                raise CommandError(getattr(exc, "message", str(exc))) from None
            bar.update(max(total - bar.n, 0))
        for error in result.errors:
            where = f" ({error.column})" if error.column else ""
            self.stdout.write(f"line {error.line}{where}: {error.message}")
        if result.campaigns_created:
            self.stdout.write("campaigns created: " + ", ".join(result.campaigns_created))
        self.stdout.write(
            f"{len(result.imported)} of {result.rows} rows imported, {len(result.errors)} refused."
        )
        if result.errors:
            raise SystemExit(1)
