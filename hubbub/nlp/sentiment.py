"""The tone of an incoming message, offline: `analyze(text, language) -> (label, score)`.

label is "negative", "neutral" or "positive" (hubbub.inbox.models.Sentiment values); score is
in -1 … 1. Which analyzer runs depends on the language (hubbub.nlp.language.detect):

- "en": VADER (vaderSentiment), a lexicon and rules tuned for social media; its compound score
  is the score, with the thresholds VADER's authors recommend (±0.05).
- "fr": the Pattern lexicon of textblob-fr (polarity), plus a small supplement of the words
  customers use to complain or thank that the general lexicon lacks or gets wrong
  ("arnaque", "inadmissible", "ça ne marche pas", "pas terrible", "au top", …) and a
  rewrite of "ne … pas" around a verb, which Pattern does not see as a negation.
  Thresholds -0.1 and +0.15: Pattern's scores are coarser than VADER's, mild words
  ("merci" 0.3) stay clear of them, and Pattern rates plain facts slightly positive ("le
  colis est arrivé" +0.1). Tuned on a 20-message French sample, not on the test set.
- anything else, and "" (unknown): emoji only — "😡" still reads as negative, "❤️" as
  positive; without emoji the message is neutral, 0.0. Better neutral than a guess.

Emoji hints (EMOJI) count in every analyzer: VADER and Pattern give "😡" no weight at all.

Pluggable: an `Analyzer` has `analyze(text) -> (label, score)`; `register(language, factory)`
puts another one in charge of a language (e.g. a model-based analyzer), and
`get_analyzer(language)` returns the one in charge, built once per process (lazily: VADER and
the Pattern lexicon load on first use, about 0.1 s and 0.5 s). Calls are cheap afterwards
(well under a millisecond for a tweet); texts are cut at MAX_CHARS first.

This is a baseline, meant to sort an inbox ("show me the angry ones"), not to judge people;
sarcasm fools it. Its accuracy is measured against labelled samples in tests/nlp.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
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


def emoji_hint(text: str) -> float:
    """The emoji's pull on the score: ±EMOJI_WEIGHT each, capped at ±EMOJI_CAP."""
    total = sum(EMOJI.get(char, 0) for char in _VARIATION.sub("", text))
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


_factories: dict[str, Callable[[], Analyzer]] = {"en": VaderAnalyzer, "fr": FrenchAnalyzer}
_instances: dict[str, Analyzer] = {}
_fallback = EmojiAnalyzer()
_lock = threading.Lock()


def register(language: str, factory: Callable[[], Analyzer]) -> None:
    """Put `factory()`'s analyzer in charge of `language` (built on first use)."""
    with _lock:
        _factories[language] = factory
        _instances.pop(language, None)


def languages() -> list[str]:
    """The languages with an analyzer of their own."""
    return sorted(_factories)


def get_analyzer(language: str) -> Analyzer:
    """The analyzer for `language`, built once per process; the emoji-only one otherwise."""
    analyzer = _instances.get(language)
    if analyzer is not None:
        return analyzer
    factory = _factories.get(language)
    if factory is None:
        return _fallback
    with _lock:
        analyzer = _instances.get(language)
        if analyzer is None:
            analyzer = factory()
            _instances[language] = analyzer
    return analyzer


def analyze(text: str, language: str) -> tuple[str, float]:
    """(label, score) of `text` written in `language` ("" when unknown)."""
    if not text.strip():
        return NEUTRAL, 0.0
    label, score = get_analyzer(language).analyze(text[:MAX_CHARS])
    return label, round(clamp(score), 4)
