"""`hubbub sentiment-eval FILE.csv [FILE.csv …]`: how well the sentiment analyzers label a
labelled set (columns text, label, and lang), per language: accuracy, macro-F1, and per
label precision, recall, F1 and what it was taken for.

Rows that cannot be used are listed with their line number and why; the others are still
evaluated. Exit status 1 when a file cannot be read or holds no usable row, 2 when
`--min-macro-f1` is given and a language falls below it (for CI or a model's acceptance).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.management.labelled_csv import read_labelled
from hubbub.core.tables import table
from hubbub.nlp import evaluation
from hubbub.nlp.evaluation import LABELS, Scores

FAILED = 1
BELOW = 2


class Command(BaseCommand):
    help = "Accuracy and macro-F1 of the sentiment analyzers on labelled CSV files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE.csv")
        parser.add_argument(
            "--min-macro-f1",
            type=float,
            help="Exit with status 2 when a language's macro-F1 is below this (0 to 1).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows: list[evaluation.Row] = []
        for path in options["files"]:
            found = read_labelled(path)
            suffix = "" if found.unusable else " (left out)"
            for problem in found.problems:
                self.stderr.write(f"{path}: {problem}{suffix}")
            rows += found.rows
        if not rows:
            raise CommandError("No usable row: nothing to evaluate.", returncode=FAILED)
        with tqdm(
            total=len(rows), unit="text", file=sys.stderr, disable=options["no_progress"]
        ) as bar:
            scores = evaluation.evaluate(rows, progress=lambda: bar.update(1))
        for language, result in scores.items():
            self.stdout.write(_report(result, language or "unknown (not detected)"))
        floor = options["min_macro_f1"]
        if floor is not None:
            below = [s.language or "unknown" for s in scores.values() if s.macro_f1 < floor]
            if below:
                raise CommandError(
                    f"macro-F1 below {floor:.2f} in: {', '.join(below)}.", returncode=BELOW
                )


def _report(scores: Scores, language: str) -> str:
    lines = [
        f"{language}: {scores.total} text{'' if scores.total == 1 else 's'}, "
        f"accuracy {scores.accuracy:.3f}, "
        f"macro-F1 {scores.macro_f1:.3f}",
        "",
    ]
    rows = []
    for label in LABELS:
        taken = [str(scores.confusion.get((label, got), 0)) for got in LABELS]
        support = sum(n for (expected, _g), n in scores.confusion.items() if expected == label)
        rows.append(
            [
                label,
                str(support),
                f"{scores.precision(label):.3f}",
                f"{scores.recall(label):.3f}",
                f"{scores.f1(label):.3f}",
                *taken,
            ]
        )
    headers = ["label", "texts", "precision", "recall", "F1", *(f"as {g}" for g in LABELS)]
    return "\n".join([*lines, table(headers, rows), ""]) + "\n"
