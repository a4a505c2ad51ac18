"""How well the sentiment analyzers label a labelled set: accuracy and macro-F1 per language.

`read(path)` reads a CSV with the columns text, label (negative, neutral or positive) and,
optionally, lang (the language whose analyzer reads the text; blank or absent: detected, as
ingestion does). A row that cannot be used is reported with its line number and why, and
the others are still evaluated. `evaluate(rows)` runs hubbub.nlp.sentiment.analyze on each
and returns, per language, the counts behind accuracy, precision, recall and F1 per label,
and macro-F1 (the mean of the three labels' F1: a set that is mostly negative cannot hide a
poor neutral).

The sets Hubbub ships, hubbub/nlp/eval/sentiment-en.csv and sentiment-fr.csv, were written
for this, independently of the analyzers (see docs/listening.md for their figures):
`hubbub sentiment-eval hubbub/nlp/eval/sentiment-fr.csv`.

Written here rather than taken from scikit-learn: five counts per label, and scikit-learn
would be a large dependency for them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hubbub.nlp import language as languages
from hubbub.nlp import sentiment

LABELS = (sentiment.NEGATIVE, sentiment.NEUTRAL, sentiment.POSITIVE)


@dataclass(frozen=True)
class Row:
    line: int
    text: str
    label: str
    language: str  # blank: detect it


@dataclass
class Read:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: …", in file order
    unusable: bool = False  # the file itself (its header) is the problem, not some rows


def read(path: Path) -> Read:
    """The usable rows of a labelled CSV, and what is wrong with the others."""
    found = Read()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip().lower() for name in reader.fieldnames or ()}
        missing = {"text", "label"} - columns
        if missing:
            found.problems.append(
                f"line 1: the header must name the columns text and label (and lang if the "
                f"languages differ); {', '.join(sorted(missing))} missing"
            )
            found.unusable = True
            return found
        for row in reader:
            values = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
            line = reader.line_num
            text, label = values.get("text", "").strip(), values.get("label", "").strip().lower()
            if not text:
                found.problems.append(f"line {line}: the text is empty")
            elif label not in LABELS:
                found.problems.append(
                    f"line {line}: the label {label or '(empty)'!r} is not one of "
                    f"{', '.join(LABELS)}"
                )
            else:
                language = values.get("lang", "").strip().lower()
                found.rows.append(Row(line, text, label, language))
    return found


@dataclass
class Scores:
    """One language's results."""

    language: str
    total: int = 0
    right: int = 0
    # confusion[(expected, got)] = how many
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, expected: str, got: str) -> None:
        self.total += 1
        self.right += expected == got
        self.confusion[(expected, got)] = self.confusion.get((expected, got), 0) + 1

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def precision(self, label: str) -> float:
        predicted = sum(n for (_e, got), n in self.confusion.items() if got == label)
        return self.confusion.get((label, label), 0) / predicted if predicted else 0.0

    def recall(self, label: str) -> float:
        actual = sum(n for (expected, _g), n in self.confusion.items() if expected == label)
        return self.confusion.get((label, label), 0) / actual if actual else 0.0

    def f1(self, label: str) -> float:
        p, r = self.precision(label), self.recall(label)
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(self.f1(label) for label in LABELS) / len(LABELS)


def evaluate(
    rows: Iterable[Row],
    analyze: Callable[[str, str], tuple[str, float]] = sentiment.analyze,
    progress: Callable[[], object] | None = None,
) -> dict[str, Scores]:
    """Scores per language (the row's, else the detected one; "" when even that is unsure)."""
    scores: dict[str, Scores] = {}
    for row in rows:
        language = row.language or languages.detect(row.text)
        got, _score = analyze(row.text, language)
        scores.setdefault(language, Scores(language)).add(row.label, got)
        if progress is not None:
            progress()
    return dict(sorted(scores.items()))
