"""`hubbub sentiment-train TRAIN.csv --out FOLDER [--lang en]`: train a sentiment model on
labelled messages (columns text, label, and lang) and write it to a folder that
hubbub.nlp.trained.load_folder reads — put it at HUBBUB_SENTIMENT_MODEL_DIR/LANG to make it
the analyzer of that language.

The language is --lang, else the one the file's lang column names (all its rows must agree).
Rows in another language are left out; rows that cannot be used are listed with their
line number and why. `--folds 5` also prints the model's cross-validated macro-F1 on the
file. Exit status 1 when the file cannot be read, holds too few usable rows, or the folder
cannot be written.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hubbub.core.management.labelled_csv import read_labelled
from hubbub.nlp import evaluation, trained

FAILED = 1
MIN_PER_LABEL = 5


class Command(BaseCommand):
    help = "Train a sentiment model on a labelled CSV file and write it to a folder."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, metavar="TRAIN.csv")
        parser.add_argument("--out", type=Path, required=True, metavar="FOLDER")
        parser.add_argument("--lang", default="", help="The language (e.g. en, fr).")
        parser.add_argument(
            "--folds",
            type=int,
            default=0,
            help="Also print the cross-validated macro-F1 over this many folds (2 or more).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        found = read_labelled(path)
        for problem in found.problems:
            self.stderr.write(f"{path}: {problem}{'' if found.unusable else ' (left out)'}")
        language = options["lang"].strip().lower() or _language_of(found.rows, path)
        rows = [r for r in found.rows if r.language in ("", language)]
        if len(rows) < len(found.rows):
            self.stderr.write(
                f"{path}: {len(found.rows) - len(rows)} rows in another language than "
                f"{language} (left out)"
            )
        counts = {label: sum(r.label == label for r in rows) for label in trained.LABELS}
        if min(counts.values()) < MIN_PER_LABEL:
            raise CommandError(
                f"{path}: too few usable rows in {language} to train on "
                f"({', '.join(f'{n} {label}' for label, n in counts.items())}); "
                f"at least {MIN_PER_LABEL} of each label are needed, a few hundred are better.",
                returncode=FAILED,
            )
        labelled = [trained.Labelled(r.text, r.label) for r in rows]
        with tqdm(total=2, unit="step", file=sys.stderr, disable=options["no_progress"]) as bar:
            data = trained.examples(labelled, language)
            bar.update(1)
            model = trained.fit(data, language)
            model.source = trained.digest(path)
            bar.update(1)
        folds = options["folds"]
        if folds:
            if not 2 <= folds <= len(rows):
                raise CommandError(f"--folds must be between 2 and {len(rows)}.", returncode=FAILED)
            score = trained.cross_validate(language, data, folds=folds)
            self.stdout.write(f"cross-validated macro-F1 ({folds} folds): {score:.3f}")
        out: Path = options["out"]
        try:
            trained.save_folder(model, out)
        except OSError as exc:
            raise CommandError(f"{out}: cannot be written ({exc}).", returncode=FAILED) from exc
        self.stdout.write(
            f"{language}: trained on {len(rows)} texts "
            f"({', '.join(f'{n} {label}' for label, n in counts.items())}), "
            f"{len(model.weights)} features; written to {out}"
        )


def _language_of(rows: list[evaluation.Row], path: Path) -> str:
    named = {r.language for r in rows if r.language}
    if len(named) == 1:
        return named.pop()
    if not named:
        raise CommandError(
            f"{path}: no lang column to say the language: give it with --lang (e.g. --lang en).",
            returncode=FAILED,
        )
    raise CommandError(
        f"{path}: the rows are in several languages ({', '.join(sorted(named))}): "
        f"say which to train with --lang.",
        returncode=FAILED,
    )
