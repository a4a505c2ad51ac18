"""Which language an incoming message is written in, offline.

`detect(text)` returns an ISO 639-1 code from `LANGUAGES`, or "" when the text is too short or
the guess is not confident enough: a rule "language is French" must not fire on "ok 👍".

It uses py3langid (a naive Bayes model over byte n-grams that ships inside the wheel; no
network), restricted to the languages a brand's inbox realistically sees. Restricting matters:
over its full 97 languages the model calls "merci" Spanish and "top" German; over seven it
still hesitates on one word, which the confidence floor then turns into "".

Before classifying, what says nothing about the language is removed: links, @handles
(including Bluesky's dotted ones), #tags, digits, emoji and other symbols. What is left must
hold at least `MIN_LETTERS` letters.

Cost: the model loads once, lazily (about 1.5 s, on the first call in a process); each call
then takes some 50 µs on a tweet-sized text. Long texts are cut at `MAX_CHARS` first, which
is plenty to tell a language and keeps a 100,000-character comment cheap.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import regex

# The languages Hubbub tells apart. Anything else comes out as the closest of these with a
# low confidence, hence "" — which is what a rule should see for a language it cannot name.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 5
MIN_CONFIDENCE = 0.7  # normalised probability of the best language among LANGUAGES
MAX_CHARS = 2000

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?")  # @name, @a.bsky.social, @u@host
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_SPACES = re.compile(r"\s+")
# Anything but letters, combining marks, apostrophes, basic punctuation and spaces; the
# `regex` module knows Unicode categories, which `re` does not (a loop over the characters
# asking unicodedata cost a third of the language's time).
_NOISE = regex.compile(r"[^\p{L}\p{M}'\u2019\-.,;:!?\s]+")

# At least MIN_LETTERS letters (str.isalpha is \p{L}); stops at the last one it needs.
_ENOUGH_LETTERS = regex.compile(rf"(?:\P{{L}}*\p{{L}}){{{MIN_LETTERS}}}")

_lock = threading.Lock()
_identifier: Any = None


def _model() -> Any:
    """The py3langid identifier, loaded once per process (thread-safe)."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import (  # type: ignore[import-untyped]
                    MODEL_FILE,
                    LanguageIdentifier,
                )

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def strip_noise(text: str) -> str:
    """The text without links, handles, hashtags, digits, emoji and symbols: only letters,
    apostrophes, basic punctuation and single spaces remain."""
    text = _URL.sub(" ", text[: MAX_CHARS * 2])
    text = _HANDLE.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _NOISE.sub(" ", text)  # digits, emoji, symbols, controls, zero-width characters
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


def detect_with_confidence(text: str) -> tuple[str, float]:
    """(language, confidence) before the confidence floor; ("", 0.0) when too short."""
    cleaned = strip_noise(text)
    if _ENOUGH_LETTERS.match(cleaned) is None:
        return "", 0.0
    language, confidence = _model().classify(cleaned)
    return str(language), float(confidence)


def detect(text: str) -> str:
    """The message's language ("en", "fr", …) or "" when unsure."""
    language, confidence = detect_with_confidence(text)
    if not language or confidence < MIN_CONFIDENCE:
        return ""
    return language
