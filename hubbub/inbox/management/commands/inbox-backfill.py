"""`hubbub inbox-backfill CHANNEL_ID [--days N]`: read a channel's inbox for the last N days now.

With --days the channel's streams are read again from what the network still shows, kept
from N days back (what is stored already is recognised: nothing doubles), and the comments
of its posts of those days are read too. Without it, as after connecting a channel: new
streams from the usual window (HUBBUB_INBOX_BACKFILL_DAYS), the others on from where they
stopped. Exit status 0 when every read succeeded, 1 when one failed or the channel cannot be
read, 2 for an unknown channel.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.access import ActionError
from hubbub.inbox import reading
from hubbub.inbox.management.commands._inbox_cli import (
    FAILED,
    USAGE,
    channel_numbered,
    runs_report,
    summary,
)


class Command(BaseCommand):
    help = "Read a channel's comments, mentions and messages of the last N days now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("channel", metavar="CHANNEL_ID", help="The channel's id.")
        parser.add_argument(
            "--days",
            type=int,
            help=f"How many days back (1 to {reading.MAX_BACKFILL_DAYS}); "
            "default: the usual backfill window.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = channel_numbered(options["channel"])
        days = options["days"]
        if days is not None and not 1 <= days <= reading.MAX_BACKFILL_DAYS:
            raise CommandError(
                f"--days {days}: give a number of days from 1 to {reading.MAX_BACKFILL_DAYS}.",
                returncode=USAGE,
            )
        bar = tqdm(total=0, unit="source", file=sys.stderr, disable=options["no_progress"])

        def advance(_run: reading.SourceRun) -> None:
            bar.update(1)

        def start(total: int) -> None:
            bar.total = total
            bar.refresh()

        try:
            runs = reading.backfill(channel, days, progress=advance, on_start=start)
        except ActionError as exc:
            raise CommandError(f"{channel.handle}: {exc.message}", returncode=FAILED) from None
        finally:
            bar.close()
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
