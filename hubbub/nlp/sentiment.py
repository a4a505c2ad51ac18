"""The tone of an incoming message, offline: `analyze(text, language) -> (label, score)`.

label is "negative", "neutral" or "positive" (hubbub.inbox.models.Sentiment values); score is
in -1 … 1. Which analyzer runs depends on the language (hubbub.nlp.language.detect):

- "en" and "fr": a trained analyzer (hubbub.nlp.trained): a small linear model over the
  words, negation, emoji and punctuation of the message and the lexicons' scores of its
  words (those of the analyzers below, hubbub.nlp.wordscores), trained on a corpus of
  social-media messages Hubbub ships
  (hubbub/nlp/train). It reads sarcasm and polite complaints far better than the lexicons
  alone; its score is P(positive) - P(negative).
- The lexicon analyzers whose lexicons it builds on, still available as classes:
  VaderAnalyzer (English: VADER, a lexicon and rules tuned for social media; its compound
  score, thresholds ±0.05)
  and FrenchAnalyzer (the Pattern lexicon of textblob-fr, plus a small supplement of the
  words customers use to complain or thank that the general lexicon lacks or gets wrong —
  "arnaque", "inadmissible", "ça ne marche pas", "pas terrible", "au top", … — and a
  rewrite of "ne … pas" around a verb, which Pattern does not see as a negation;
  thresholds -0.1 and +0.15, Pattern's scores being coarser than VADER's).
- anything else, and "" (unknown): emoji only — "😡" still reads as negative, "❤️" as
  positive; without emoji the message is neutral, 0.0. Better neutral than a guess.

Emoji hints (EMOJI) count in every analyzer: VADER and Pattern give "😡" no weight at all.

Pluggable: an `Analyzer` has `analyze(text) -> (label, score)`; `register(language, factory)`
puts another one in charge of a language, and `get_analyzer(language)` returns the one in
charge, built once per process (lazily: the trained analyzers train at first use, about a
second each, VADER and the Pattern lexicon load then too). Calls are cheap afterwards (a
fraction of a millisecond for a tweet); texts are cut at MAX_CHARS first.

Models of your own: when the environment variable HUBBUB_SENTIMENT_MODEL_DIR names a folder,
each of its subfolders named after a language (models/en, models/fr, models/de, …) holds a
model written by `hubbub sentiment-train TRAIN.csv --out FOLDER`, and that model is in
charge of its language instead of the default or a registered one. The variable is read
when an analyzer is first needed (and again if it changes). A folder that is missing or
broken is an error (hubbub.nlp.trained.ModelFolderError, a ValueError naming the folder,
the problem and what to do), raised by every call until it is fixed: never a silent
fallback to the default. A language without a subfolder keeps its default analyzer.

This is meant to sort an inbox ("show me the angry ones"), not to judge people. Its
accuracy is measured against labelled sets (hubbub/nlp/eval, `hubbub sentiment-eval`; see
docs/listening.md), and a workspace's corrections can teach it (hubbub.nlp.learning).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
MAX_CHARS = 2000

# One emoji moves the score by EMOJI_WEIGHT, several by at most EMOJI_CAP.
EMOJI_WEIGHT = 0.3
EMOJI_CAP = 0.6
EMOJI: dict[str, int] = {
    **dict.fromkeys("😡😠🤬👎😤💩😢😭😞😩😫☹🙁😒🤮🤢💔😖😣😾🖕", -1),
    **dict.fromkeys("❤♥😍🥰😊🙂😀😃😄😁👍🙏🎉💯👏😘💖💕💙💚💜🧡💛🤩⭐🌟😻🥳🤗💗", 1),
}
_VARIATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")  # presentation, skin tone


class Analyzer(Protocol):
    """What sentiment analysis needs from an analyzer; one instance serves many threads."""

    def analyze(self, text: str) -> tuple[str, float]:
        """(label, score in -1 … 1) for a text already cut to MAX_CHARS."""
        ...


def clamp(score: float) -> float:
    return max(-1.0, min(1.0, score))


def label_for(score: float, negative_below: float, positive_above: float) -> str:
    if score <= negative_below:
        return NEGATIVE
    if score >= positive_above:
        return POSITIVE
    return NEUTRAL


# The emoji above, found by one regular expression rather than a look-up per character (a
# third of a French message's sentiment time went on that loop).
_EMOJI = re.compile("[" + re.escape("".join(EMOJI)) + "]")


def emoji_hint(text: str) -> float:
    """The emoji's pull on the score: ±EMOJI_WEIGHT each, capped at ±EMOJI_CAP."""
    total = sum(EMOJI[char] for char in _EMOJI.findall(text))
    return max(-EMOJI_CAP, min(EMOJI_CAP, total * EMOJI_WEIGHT))


class EmojiAnalyzer:
    """For languages without a lexicon: emoji decide, else neutral."""

    def analyze(self, text: str) -> tuple[str, float]:
        score = emoji_hint(text)
        return label_for(score, -0.05, 0.05), score


class VaderAnalyzer:
    """English: VADER's compound score plus emoji hints; thresholds ±0.05 (VADER's own)."""

    negative_below = -0.05
    positive_above = 0.05

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
            SentimentIntensityAnalyzer,
        )

        self._vader = SentimentIntensityAnalyzer()

    def analyze(self, text: str) -> tuple[str, float]:
        compound = float(self._vader.polarity_scores(text)["compound"])
        score = clamp(compound + emoji_hint(text))
        return label_for(score, self.negative_below, self.positive_above), score


# French words and phrases that Pattern's lexicon lacks or scores wrongly for customer
# service ("inadmissible" is +0.3 there, "pas terrible" +0.35). Matched on lower-cased text
# with straight apostrophes; a match is taken out of the text Pattern sees, so it is not
# counted twice, and its weight added.
FRENCH_SUPPLEMENT: list[tuple[re.Pattern[str], float]] = [
    (re.compile(p), w)
    for p, w in [
        # a verb that says "it works" / "they answer", negated: ne … pas / plus / jamais
        (
            r"\b(?:ne\s+|n')?(?:marche|fonctionne|répond|repond|charge|s'ouvre|s'affiche|"
            r"passe)\w*\s+(?:toujours\s+)?(?:pas|plus|jamais)\b",
            -0.5,
        ),
        (r"\b(?:ne\s+|n')(?:aime|adore|apprécie|recommande)\w*\s+(?:pas|plus|guère)\b", -0.6),
        (r"\b(?:toujours|jamais)\s+(?:pas\s+)?(?:reçu|recu|arrivée?s?|livrée?s?)\b", -0.5),
        (r"\btoujours pas\b", -0.4),
        (r"\bpersonne ne (?:répond|repond|rappelle)\w*", -0.5),
        (r"\bpas terrible\b", -0.4),
        (r"\b(?:arnaque|escroc|escroquerie|voleurs?|vol)\b", -0.7),
        (
            r"\b(?:honte|honteux|honteuse|inadmissible|inacceptable|lamentable|insupportable)\b",
            -0.7,
        ),
        (r"\b(?:scandale|scandaleux|scandaleuse|catastrophique|nul(?:le|s)?)\b", -0.6),
        (r"\b(?:remboursez|remboursé|remboursée|rembourser|remboursement)\b", -0.3),
        (r"\b(?:plante|bug|bugue|beug|beugue|cassée?s?|abîmée?s?|abimée?s?)\b", -0.4),
        (r"\b(?:déçue?s?|décevante?s?|furieuse|furieux|énervée?s?|enervée?s?)\b", -0.6),
        (r"\b(?:bravo|au top|nickel|trop bien|très bien|formidable|ravie?s?)\b", 0.6),
        (r"\b(?:merci|top|adorable|satisfaite?s?|recommande)\b", 0.3),
    ]
]
# "je n'aime pas" → "je pas aime": Pattern negates the word after a negation only.
_NE_VERB_PAS = re.compile(r"\b(?:ne\s+|n')(\w+)\s+(?:pas|plus|jamais)\b")


class FrenchAnalyzer:
    """French: textblob-fr's Pattern polarity, the customer-service supplement, emoji hints;
    thresholds -0.1 and +0.15."""

    negative_below = -0.1
    positive_above = 0.15

    def __init__(self) -> None:
        from textblob_fr import PatternAnalyzer  # type: ignore[import-untyped]

        self._pattern = PatternAnalyzer()
        self._pattern.analyze("chargement")  # loads the lexicon now, not on the first message

    def polarity(self, text: str) -> float:
        lowered = text.lower().replace("\u2019", "'")
        extra = 0.0
        for pattern, weight in FRENCH_SUPPLEMENT:
            lowered, found = pattern.subn(" ", lowered)
            extra += weight * min(found, 2)
        lowered = _NE_VERB_PAS.sub(r"pas \1", lowered)
        base = float(self._pattern.analyze(lowered)[0]) if lowered.strip() else 0.0
        return clamp(base + extra)

    def analyze(self, text: str) -> tuple[str, float]:
        score = clamp(self.polarity(text) + emoji_hint(text))
        return label_for(score, self.negative_below, self.positive_above), score


MODEL_DIR_VARIABLE = "HUBBUB_SENTIMENT_MODEL_DIR"


def _trained(language: str) -> Callable[[], Analyzer]:
    """The factory of the trained default analyzer of `language` (imported when first used:
    hubbub.nlp.trained builds on this module)."""

    def build() -> Analyzer:
        from hubbub.nlp import trained

        return trained.default_analyzer(language)

    build.__name__ = build.__qualname__ = f"trained_{language}"
    return build


_factories: dict[str, Callable[[], Analyzer]] = {"en": _trained("en"), "fr": _trained("fr")}
_instances: dict[str, Analyzer] = {}
_failures: dict[str, ValueError] = {}  # a broken model folder, raised again until fixed
_model_dir = ""  # the HUBBUB_SENTIMENT_MODEL_DIR the instances were built with
_fallback = EmojiAnalyzer()
_lock = threading.Lock()


def register(language: str, factory: Callable[[], Analyzer]) -> None:
    """Put `factory()`'s analyzer in charge of `language` (built on first use)."""
    with _lock:
        _factories[language] = factory
        _instances.pop(language, None)
        _failures.pop(language, None)


def languages() -> list[str]:
    """The languages with an analyzer of their own (the defaults and registered ones)."""
    return sorted(_factories)


def model_dir() -> Path | None:
    """The folder HUBBUB_SENTIMENT_MODEL_DIR names, if set."""
    value = os.environ.get(MODEL_DIR_VARIABLE, "").strip()
    return Path(value) if value else None


def _folder_factory(language: str) -> Callable[[], Analyzer] | None:
    """The factory of `language`'s model in HUBBUB_SENTIMENT_MODEL_DIR, if there is one."""
    root = model_dir()
    if root is None:
        return None
    from hubbub.nlp import trained

    if not root.is_dir():
        raise trained.ModelFolderError(
            root,
            f"{MODEL_DIR_VARIABLE} names no folder: create it, with one subfolder per "
            f"language written by `hubbub sentiment-train`, or unset the variable",
        )
    folder = root / language
    if not language or not folder.exists():
        return None
    return lambda: trained.load_folder(folder, language)


def get_analyzer(language: str) -> Analyzer:
    """The analyzer for `language`, built once per process; the emoji-only one otherwise.
    Raises ModelFolderError (a ValueError) when HUBBUB_SENTIMENT_MODEL_DIR is broken."""
    global _model_dir
    configured = os.environ.get(MODEL_DIR_VARIABLE, "")
    if configured != _model_dir:
        with _lock:
            _instances.clear()
            _failures.clear()
            _model_dir = configured
    analyzer = _instances.get(language)
    if analyzer is not None:
        return analyzer
    failure = _failures.get(language)
    if failure is not None:
        raise failure
    with _lock:
        analyzer = _instances.get(language)
        if analyzer is None:
            try:
                factory = _folder_factory(language) or _factories.get(language)
                if factory is None:
                    return _fallback
                analyzer = factory()
            except ValueError as exc:
                if configured:  # a broken model folder: the same error until it is fixed
                    _failures[language] = exc
                raise
            _instances[language] = analyzer
    return analyzer


def analyze(text: str, language: str) -> tuple[str, float]:
    """(label, score) of `text` written in `language` ("" when unknown)."""
    if not text.strip():
        return NEUTRAL, 0.0
    label, score = get_analyzer(language).analyze(text[:MAX_CHARS])
    return label, round(clamp(score), 4)
