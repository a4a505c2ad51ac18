"""The lexicons' word scores, looked up word by word on text the trained analyzer has already
folded and split (hubbub.nlp.trained), for its "what does the lexicon say" feature.

The lexicons are the published ones, read from the packages that ship them: VADER's (English,
valences -4 … 4) and Pattern's (French, through textblob-fr: polarities -1 … 1, one per sense,
averaged here), plus FRENCH_WORDS — the customer-service words that Pattern lacks or gets
wrong ("arnaque", "inadmissible", "nickel", "au top", "pas terrible", …; the same list as
the FrenchAnalyzer's supplement in hubbub.nlp.sentiment, written as folded words and pairs).

Why look the words up ourselves rather than ask VADER and Pattern for their score: their
analyzers tokenise the text again, in pure Python, with rules the model does not need (two
thirds of a message's sentiment time went there); the trained model already has the words,
and a negation's scope, so the score costs one dictionary look-up per word. The model
learns how far to trust that score from the labelled corpus, as it did with theirs.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from dataclasses import dataclass

# VADER's own factor for a word in a negation's scope, and its normalisation constant.
NEGATED = -0.74
VADER_ALPHA = 15.0

# Folded (lower case, no accents, apostrophes as spaces) words and pairs, with the weight
# hubbub.nlp.sentiment.FRENCH_SUPPLEMENT gives them. A pair is "previous word", "word".
_FRENCH_WORDS = [
    (-0.7, "arnaque arnaques escroc escrocs escroquerie voleur voleurs"),
    (-0.7, "honte honteux honteuse inadmissible inacceptable lamentable insupportable"),
    (-0.6, "scandale scandaleux scandaleuse catastrophique nul nulle nuls nulles"),
    (-0.3, "remboursez rembourse remboursee rembourser remboursement"),
    (-0.4, "plante bug bugue beug beugue cassee cassees casse casses abimee abimees abime abimes"),
    (-0.6, "decu decue decus decues decevant decevante decevants decevantes furieuse furieux"),
    (-0.6, "enerve enervee enerves enervees"),
    (0.6, "bravo nickel formidable ravi ravie ravis ravies"),
    (0.3, "merci top adorable satisfait satisfaite satisfaits satisfaites"),
    # verbs that say "it works" or "they answer": negated ("ne marche pas"), they turn bad
    (0.4, "marche fonctionne repond rappelle"),
]
FRENCH_WORDS: dict[str, float] = {
    word: weight for weight, words in _FRENCH_WORDS for word in words.split()
}
FRENCH_PAIRS: dict[str, float] = {
    "pas terrible": -0.4,
    "toujours pas": -0.4,
    "pas recu": -0.5,
    "jamais recu": -0.5,
    "pas arrive": -0.5,
    "pas arrivee": -0.5,
    "pas livre": -0.5,
    "pas livree": -0.5,
    "au top": 0.6,
    "trop bien": 0.6,
    "tres bien": 0.6,
}


@dataclass(frozen=True)
class WordScores:
    """A language's word and pair scores, and how a text's total becomes -1 … 1."""

    language: str
    words: dict[str, float]
    pairs: dict[str, float]
    # "vader": total / sqrt(total² + 15), VADER's compound; "mean": the average of the words
    # found plus what the pairs add, Pattern's way, kept in -1 … 1.
    scale: str

    def score(self, total: float, hits: int, extra: float) -> float:
        """The text's score from the sum of its words' scores (`hits` of them) and of its
        pairs' (`extra`)."""
        if self.scale == "vader":
            total += extra
            return total / math.sqrt(total * total + VADER_ALPHA) if total else 0.0
        value = (total / hits if hits else 0.0) + extra
        return max(-1.0, min(1.0, value))


def fold_word(word: str) -> str:
    """A lexicon entry as hubbub.nlp.trained.fold writes a word: lower case, no accents."""
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in word if not unicodedata.combining(c)).replace("'", " ")


def _english() -> WordScores:
    from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
        SentimentIntensityAnalyzer,
    )

    words: dict[str, float] = {}
    for entry, valence in SentimentIntensityAnalyzer().lexicon.items():
        if entry.isalpha():  # emoticons and phrases are never one of the model's words
            words[fold_word(entry)] = float(valence)
    return WordScores("en", words, {}, "vader")


def _french() -> WordScores:
    from textblob_fr import fr  # type: ignore[import-untyped]

    lexicon = fr.sentiment
    if hasattr(lexicon, "load"):
        lexicon.load()
    sums: dict[str, list[float]] = {}
    for entry, senses in lexicon.items():
        folded = fold_word(entry)
        if " " in folded or not folded.isalpha():
            continue
        polarity = (senses.get(None) or next(iter(senses.values())))[0]
        sums.setdefault(folded, []).append(float(polarity))
    words = {word: sum(values) / len(values) for word, values in sums.items()}
    words.update(FRENCH_WORDS)
    return WordScores("fr", words, dict(FRENCH_PAIRS), "mean")


_built: dict[str, WordScores] = {}
_lock = threading.Lock()


def for_language(language: str) -> WordScores | None:
    """The word scores of `language`, built once per process; None without a lexicon."""
    found = _built.get(language)
    if found is not None:
        return found
    factory = {"en": _english, "fr": _french}.get(language)
    if factory is None:
        return None
    with _lock:
        found = _built.get(language)
        if found is None:
            found = factory()
            _built[language] = found
    return found
