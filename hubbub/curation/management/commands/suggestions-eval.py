"""`hubbub suggestions-eval [FOLDER]`: precision@10 of the persona suggestions on the
labelled set (hubbub/curation/eval/ unless a folder is given), per persona and on average,
for our ranking and for the newest-first baseline.

Exit status 1 when the set cannot be read, 2 when `--min-precision` is given and our mean
falls below it (for CI).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.tables import table
from hubbub.curation import evaluation

FAILED = 1
BELOW = 2


def _tick(bar: tqdm[Any]) -> None:
    bar.update(1)


class Command(BaseCommand):
    help = "Precision@10 of persona suggestions on the labelled set, against newest first."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", nargs="?", type=Path, default=evaluation.EVAL_FOLDER)
        parser.add_argument(
            "--min-precision", type=float, help="Exit with status 2 when our mean is below this."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = evaluation.cases(options["folder"])
        except (OSError, evaluation.EvalFileError) as error:
            raise CommandError(str(error), returncode=FAILED) from None
        if not found:
            raise CommandError("No labelled persona in that folder.", returncode=FAILED)
        with tqdm(
            total=len(found), unit="persona", file=sys.stderr, disable=options["no_progress"]
        ) as bar:
            results = evaluation.evaluate(found, progress=lambda: _tick(bar))
        rows = [[r.name, r.language, f"{r.ours:.2f}", f"{r.baseline:.2f}"] for r in results]
        ours = evaluation.mean([r.ours for r in results])
        baseline = evaluation.mean([r.baseline for r in results])
        rows.append(["mean", "", f"{ours:.3f}", f"{baseline:.3f}"])
        headers = ["persona", "language", "ours P@10", "newest first P@10"]
        self.stdout.write(table(headers, rows) + "\n")
        floor = options["min_precision"]
        if floor is not None and ours < floor:
            raise CommandError(
                f"mean precision@10 {ours:.3f} is below {floor:.3f}.", returncode=BELOW
            )
