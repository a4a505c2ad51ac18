"""`hubbub inbox-poll [--workspace SLUG] [--channel ID]`: read every due inbox source once now.

What the worker's minute does (hubbub.inbox.tasks_polling), on demand and in the open: the
sources of the chosen channels are set up, each due one is read from its cursor, and a table
says what was read, how many messages were new or updated, and each error with what to do.
Exit status 0 when every read succeeded, 1 when one failed, 2 for an unknown workspace or
channel.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from hubbub.core.access import ActionError
from hubbub.inbox import reading
from hubbub.inbox.management.commands._inbox_cli import (
    FAILED,
    channel_numbered,
    runs_report,
    summary,
    workspace_named,
)


class Command(BaseCommand):
    help = "Read every due inbox source (mentions, messages, comments) once now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="Only this workspace's channels.")
        parser.add_argument("--channel", metavar="ID", help="Only this channel (its id).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_named(options["workspace"]) if options["workspace"] else None
        channel = channel_numbered(options["channel"], workspace) if options["channel"] else None
        if channel is not None:
            try:
                reading.refuse_unreadable(channel)
            except ActionError as exc:
                raise CommandError(f"{channel.handle}: {exc.message}", returncode=FAILED) from None
        now = timezone.now()
        sources = reading.due_sources(now, workspace, channel)
        if not sources:
            self.stdout.write("Nothing to read: no source is due now.")
            return
        with tqdm(
            total=len(sources), unit="source", file=sys.stderr, disable=options["no_progress"]
        ) as bar:

            def advance(_run: reading.SourceRun) -> None:
                bar.update(1)

            runs = reading.read_sources(sources, progress=advance)
        text, errors, failed = runs_report(runs)
        self.stdout.write(text)
        self.stdout.write("")
        self.stdout.write(summary(runs))
        if errors:
            self.stdout.write("")
            self.stdout.write("Errors:")
            for line in errors:
                self.stdout.write(f"  {line}")
        if failed:
            raise SystemExit(FAILED)
