"""Learning from a workspace's corrections: when people re-label messages, the sentiment of
that workspace's later messages should follow.

Pure functions, no database: the caller hands over the corrections, (text, language, label)
triples, and keeps the analyzer it gets back (rebuilt when the corrections change).

- `adapted(language, corrections)` is the default trained model of the language
  (hubbub.nlp.trained) retrained with the workspace's corrections of that language added
  to the shipped corpus, each counted CORRECTION_WEIGHT times, so that a few dozen
  corrections move it ("sick" is praise for a skateboard brand; "Killer Buzz" is a drink,
  not a threat). On top of it, a text that folds to the same words as a corrected one
  (the same message, reposted, with other mentions, links or numbers) gets the
  correction's label outright.
- `measure(language, corrections, folds=5)` is what the product shows as "accuracy on your
  corrected items, before and after learning": k-fold over the corrections, the default
  analyzer's accuracy on each held-out fold against that of the analyzer adapted to the
  other folds.

Why retraining: on a synthetic workspace of 40 corrections (a skateboard brand whose
customers say "sick" for great, an energy drink called "Killer Buzz"; tests/nlp/
test_learning.py), 5-fold accuracy on the corrected items went from 0.325 with the default
analyzer to 0.95 retrained with the corrections counted three times (0.925 counted once);
an online update of the default weights reached 0.90 to 0.925 depending on its step, and
an override for near-identical texts alone does nothing for texts not seen before (it is
kept for reposts of a corrected message). Retraining is the same deterministic code path as
the default model, so what was learnt can always be rebuilt from the corrections.

Cost: rebuilding with 5,000 corrections takes about 2 seconds (1.8 s in English, 2.4 s in
French on a 2-CPU machine: features of the corrections, then training on them and the
corpus), so it belongs in a background task, not in a request; `measure` rebuilds once per
fold (about 10 seconds for 5,000 corrections and 5 folds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hubbub.nlp import sentiment, trained

CORRECTION_WEIGHT = 3.0


class Correction(NamedTuple):
    text: str
    language: str
    label: str  # negative, neutral or positive


Corrections = Sequence[Correction] | Sequence[tuple[str, str, str]]


def _of_language(corrections: Iterable[tuple[str, str, str]], language: str) -> list[Correction]:
    found = []
    for text, lang, label in corrections:
        if lang == language and text.strip() and label in trained.LABELS:
            found.append(Correction(text, lang, label))
    return found


def key(text: str) -> str:
    """What two texts share when they are the same message: their folded words."""
    return " ".join(w for w in trained.tokens(trained.fold(text)) if w.isalnum())


class AdaptedAnalyzer(trained.TrainedAnalyzer):
    """A trained analyzer that also knows the corrected texts themselves."""

    def __init__(self, model: trained.Model, overrides: dict[str, str]) -> None:
        super().__init__(model)
        self.overrides = overrides

    def analyze(self, text: str) -> tuple[str, float]:
        label, score = super().analyze(text)
        corrected = self.overrides.get(key(text)) if self.overrides else None
        if corrected is None or corrected == label:
            return label, score
        fitting = {sentiment.NEGATIVE: -0.5, sentiment.NEUTRAL: 0.0, sentiment.POSITIVE: 0.5}
        return corrected, fitting[corrected]


def adapted(
    language: str, corrections: Corrections, weight: float = CORRECTION_WEIGHT
) -> trained.TrainedAnalyzer:
    """The default analyzer of `language` adapted to the corrections in that language (the
    others are ignored); the default analyzer itself when there are none."""
    mine = _of_language(corrections, language)
    if not mine:
        return trained.default_analyzer(language)
    rows = [trained.Labelled(c.text, c.label) for c in mine]
    data = trained.base_examples(language) + trained.examples(rows, language, weight)
    model = trained.fit(data, language)
    model.source = f"{trained.default_model(language).source} + {len(mine)} corrections"
    overrides = {key(c.text): c.label for c in mine}  # the latest correction of a text wins
    return AdaptedAnalyzer(model, overrides)


def measure(language: str, corrections: Corrections, folds: int = 5) -> tuple[float, float, int]:
    """(accuracy before learning, accuracy after, how many corrections) on the corrections
    of `language`, by k-fold: each fold is labelled by the default analyzer and by the one
    adapted to the other folds. With fewer than two corrections there is nothing to learn
    from: after = before."""
    mine = _of_language(corrections, language)
    n = len(mine)
    if n == 0:
        return 0.0, 0.0, 0
    default = trained.default_analyzer(language)
    before = sum(default.analyze(c.text)[0] == c.label for c in mine) / n
    if n < 2:
        return before, before, n
    right = 0
    for held in trained.folds_of(n, min(folds, n)):
        out = set(held)
        analyzer = adapted(language, [c for i, c in enumerate(mine) if i not in out])
        right += sum(analyzer.analyze(mine[i].text)[0] == mine[i].label for i in held)
    return before, right / n, n
