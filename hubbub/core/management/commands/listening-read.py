"""`hubbub listening-read [--workspace SLUG] [--source ID] [--all]`: read listening sources now.

What the worker's minute does (hubbub.listening.tasks.read_sources) on demand: each due source
(with --all, every active one; with --source, that one) is read from its cursor, and a table
says how many mentions were new and each source's error. Exit status 0 when every read
succeeded, 1 when one failed, 2 for an unknown workspace or source.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from hubbub.core.tables import table
from hubbub.inbox.management.commands._inbox_cli import FAILED, USAGE, workspace_named
from hubbub.listening import sources
from hubbub.listening.models import ListeningSource


class Command(BaseCommand):
    help = "Read listening sources (network searches, feeds) now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace's sources.")
        parser.add_argument("--source", metavar="ID", type=int, help="Only this source.")
        parser.add_argument("--all", action="store_true", help="Every active source, due or not.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        chosen = ListeningSource.objects.filter(is_active=True).select_related(
            "workspace", "channel"
        )
        if options["workspace"]:
            chosen = chosen.filter(workspace=workspace_named(options["workspace"]))
        if options["source"] is not None:
            chosen = chosen.filter(pk=options["source"])
            if not chosen.exists():
                raise CommandError(f"No active source {options['source']}.", returncode=USAGE)
        elif not options["all"]:
            chosen = chosen.filter(Q(next_read_at__lte=now))
        found = list(chosen.order_by("workspace__slug", "name", "pk"))
        if not found:
            self.stdout.write("Nothing to read: no source is due now (--all reads them all).")
            return
        if options["source"] is not None or options["all"]:
            ListeningSource.objects.filter(pk__in=[s.pk for s in found]).update(next_read_at=now)
            for source in found:
                source.next_read_at = now
        rows, errors = [], []
        for source in tqdm(found, unit="source", file=sys.stderr, disable=options["no_progress"]):
            run = sources.read_source(source)
            source.refresh_from_db()
            outcome = "error" if run.failed else ("read" if run.read else "skipped (being read)")
            rows.append(
                [
                    source.workspace.slug,
                    source.name,
                    source.network,
                    str(run.mentions.stored),
                    str(run.mentions.matches),
                    outcome,
                ]
            )
            errors += [f"{source.name}: {source.last_error}"] if run.failed else []
            errors += [f"{source.name}: {p}" for p in run.mentions.problems]
        self.stdout.write(
            table(["workspace", "source", "network", "new", "matches", "outcome"], rows)
        )
        for line in errors:
            self.stderr.write(line)
        if any(row[-1] == "error" for row in rows):
            sys.exit(FAILED)
