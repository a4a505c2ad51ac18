"""The same mention twice: one link, or one text reposted.

- `canonical_url(url)`: the address two links to the same page share — scheme and host in
  lower case, no "www.", no default port, no fragment, no tracking parameters (utm_*,
  fbclid, gclid…), the other parameters sorted, no trailing slash.
- `words_of(text)`: the text's folded words, without what reposting adds ("RT @name:",
  "via @name", links, the hashtags at the end).
- `Deduper`: remembers the mentions it has seen and says, for a new one, which earlier one
  it repeats: the same canonical link; or, for texts of MIN_WORDS words or more, at least
  SAME_SHARE of their distinct words in common (Jaccard) — a word changed in a long post, an
  emoji added, a "RT @name:" — while two customers' "where is my order 12345, 5 days
  late" and "… 67890, 9 days late" stay apart; a shorter text must be the very same words.

Finding candidates without comparing with every text seen: a 64-bit SimHash of each text's
words, cut into BANDS bands; texts whose SimHashes differ in fewer than BANDS bits share a
band whole (pigeonhole), and near-identical texts rarely differ by more. Candidates are
then confirmed by their words. SimHash written here (a dozen lines over hashlib) rather
than taken from a package: the ones on PyPI are small and little kept, or bring numpy-based
MinHash for far larger corpora.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from hubbub.inbox.rules_context import fold

MIN_WORDS = 8
SAME_SHARE = 0.85
BANDS = 6
_BAND_BITS = 64 // BANDS

TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref_src",
        "ref_url",
        "si",
        "spm",
        "_hsenc",
        "_hsmi",
        "yclid",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

_REPOST = regex.compile(r"^\s*(?:RT|MT)\s+@[\w.\-@]+:?\s*", regex.IGNORECASE)
_VIA = regex.compile(r"\s+(?:via|by)\s+@[\w.\-@]+\s*$", regex.IGNORECASE)
_LINK = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_TRAILING_TAGS = regex.compile(r"(?:\s+#\w+)+\s*$")
_WORD = regex.compile(r"\w+|\p{So}")


def canonical_url(url: str) -> str:
    """The link's canonical form ("" for what is not a web link)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING
    )
    path = parts.path.rstrip("/")
    # https and http are the same page far more often than not.
    return urlunsplit(("https", host, path, urlencode(query), ""))


def words_of(text: str) -> list[str]:
    """The text's folded words, without what reposting adds to it."""
    text = _REPOST.sub("", text)
    text = _VIA.sub("", text)
    text = _LINK.sub(" ", text)
    text = _TRAILING_TAGS.sub("", text)
    return _WORD.findall(fold(text))


def fingerprint(words: list[str]) -> int:
    """The words' 64-bit SimHash (one feature per distinct word)."""
    weights = [0] * 64
    for word in set(words):
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit, weight in enumerate(weights) if weight > 0)


def same_text(a: list[str], b: list[str]) -> bool:
    """Whether two texts' words say the same thing (see the module docstring)."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return a == b
    first, second = set(a), set(b)
    return len(first & second) >= SAME_SHARE * len(first | second)


class Deduper:
    """`seen(key, url, text)`: the key of an earlier mention this one repeats (the same
    canonical link, or the same text as same_text() has it), else None — and this one is
    remembered either way."""

    def __init__(self) -> None:
        self._by_url: dict[str, Hashable] = {}
        self._bands: list[dict[int, list[tuple[list[str], Hashable]]]] = [
            defaultdict(list) for _ in range(BANDS)
        ]

    def seen(self, key: Hashable, url: str, text: str) -> Hashable | None:
        link = canonical_url(url) if url else ""
        if link and link in self._by_url:
            return self._by_url[link]
        words = words_of(text)
        value = fingerprint(words)
        found = self._near(words, value)
        if link:
            self._by_url.setdefault(link, found if found is not None else key)
        if found is None:
            for band, buckets in enumerate(self._bands):
                buckets[_band(value, band)].append((words, key))
        return found

    def _near(self, words: list[str], value: int) -> Hashable | None:
        for band, buckets in enumerate(self._bands):
            for other, key in buckets.get(_band(value, band), ()):
                if same_text(words, other):
                    return key
        return None


def _band(value: int, band: int) -> int:
    shifted = value >> (band * _BAND_BITS)
    if band == BANDS - 1:
        return shifted  # the last band takes the bits left over
    return shifted & ((1 << _BAND_BITS) - 1)
