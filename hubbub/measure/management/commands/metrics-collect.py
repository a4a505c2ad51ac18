"""`hubbub metrics-collect`: read the counts that are due now, as the worker does every five
minutes (posts hourly for three days then daily to ninety; channels daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hubbub.measure import collection


class Command(BaseCommand):
    help = "Read the post and channel counts that are due (the worker does it every 5 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = collection.collect_due()
        self.stdout.write(
            f"{result.posts} post readings and {result.channels} channel readings stored."
        )
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
