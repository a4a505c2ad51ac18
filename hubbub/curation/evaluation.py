"""The suggestions' measured quality: precision@10 on the labelled set in curation/eval/.

Each file holds a persona (name, language, topics, words to use and to avoid) and about 60
candidate items judged by hand: R (the persona's manager would share it), N (a near miss:
it shares words with the topics but is off-topic) or I (irrelevant). Items get ages from a
generator seeded by their title, spread over EVAL_DAYS, so neither ranking can profit from
how the file was written; "now" is fixed.

Our ranking is compared with the baseline a reader without suggestions has: newest first.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hubbub.curation.suggestions import Candidate, Voice, rank

EVAL_FOLDER = Path(__file__).resolve().parent / "eval"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EVAL_DAYS = 14
AT = 10


@dataclass(frozen=True)
class Case:
    name: str
    language: str
    voice: Voice
    candidates: list[Candidate]
    relevant: frozenset[str]  # the keys judged R


@dataclass(frozen=True)
class Result:
    name: str
    language: str
    ours: float
    baseline: float


class EvalFileError(ValueError):
    """A labelled file that cannot be read; the message names the line and what to fix."""


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def read_case(path: Path) -> Case:
    head: dict[str, str] = {}
    candidates: list[Candidate] = []
    relevant: set[str] = set()
    in_items = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip() == "---":
            in_items = True
            continue
        if not in_items:
            key, _sep, value = line.partition(":")
            head[key.strip()] = value.strip()
            continue
        parts = line.split("|")
        if len(parts) != 3 or parts[0] not in ("R", "N", "I"):
            raise EvalFileError(f"{path.name}:{number}: expected R|title|text, N|… or I|…")
        label, title, text = parts
        age = random.Random(f"{head.get('name')}/{title}").uniform(0, EVAL_DAYS)  # noqa: S311
        key = f"feed:{len(candidates) + 1}"
        language = head.get("language", "")
        candidates.append(
            Candidate(key, title, text, "", language, NOW - timedelta(days=age), path.stem)
        )
        if label == "R":
            relevant.add(key)
    if "name" not in head or not candidates:
        raise EvalFileError(f"{path.name}: a name and items are needed")
    voice = Voice(
        topics=_list(head.get("topics", "")),
        words_to_use=_list(head.get("words_to_use", "")),
        words_to_avoid=_list(head.get("words_to_avoid", "")),
        languages=_list(head.get("language", "")),
    )
    return Case(head["name"], head.get("language", ""), voice, candidates, frozenset(relevant))


def cases(folder: Path = EVAL_FOLDER) -> list[Case]:
    return [read_case(path) for path in sorted(folder.glob("*.txt"))]


def precision_at(ranked: Sequence[str], relevant: frozenset[str], k: int = AT) -> float:
    """The share of relevant items among the first k (an empty slot counts as a miss)."""
    return sum(1 for key in ranked[:k] if key in relevant) / k


def ours(case: Case) -> list[str]:
    return [s.key for s in rank(case.voice, case.candidates, NOW)]


def newest_first(case: Case) -> list[str]:
    dated = sorted(case.candidates, key=lambda c: c.published_at or NOW, reverse=True)
    return [c.key for c in dated]


def evaluate(found: Sequence[Case], progress: Callable[[], None] = lambda: None) -> list[Result]:
    out = []
    for case in found:
        out.append(
            Result(
                case.name,
                case.language,
                precision_at(ours(case), case.relevant),
                precision_at(newest_first(case), case.relevant),
            )
        )
        progress()
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
