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

Finding candidates without comparing with every text seen: min-hashing. Each distinct word
is hashed under SKETCHES seeds; for each seed, the text's three smallest hashes form a key,
and texts that share a key are candidates, then confirmed by their words. Two texts with
85 % of their words in common share a given key about 61 % of the time, at least one of four
about 98 % of the time; unrelated texts rarely share three words that are all the smallest,
and templated ones (a complaint form, "order 123 is 5 days late") seldom in all four keys.
A key holds at most BUCKET of the latest texts (reposts follow their original within
minutes), so a flood of templated posts — "order 123 is 5 days late" a thousand times over,
which share their commonest keys — costs a bounded number of comparisons each; the very
same words (a retweet) are found through a dictionary of word sets, however busy the keys.

Written here (a dozen lines over zlib.crc32) rather than
taken from a package: the MinHash libraries on PyPI bring numpy and sketch sizes meant for
web-scale corpora, where a tweet needs four keys.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import deque
from collections.abc import Hashable
from functools import reduce
from operator import or_
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from hubbub.inbox.rules_context import fold

MIN_WORDS = 8
SAME_SHARE = 0.85
SKETCHES = 4
BUCKET = 6
_PERMUTATIONS = [
    (0x9E3779B1, 0x7F4A7C15),
    (0x85EBCA6B, 0x165667B1),
    (0xC2B2AE35, 0x27D4EB2F),
    (0x61C88647, 0x3C6EF372),
][:SKETCHES]

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


# Most links of posts are plain: scheme, host, path, nothing else. Those take a regular
# expression instead of urlsplit/parse_qsl/urlunsplit (a tenth of the de-duplication time);
# the others, the general path below. Both give the same answer (tests/listening/test_dedupe).
_PLAIN = regex.compile(r"(?i)(https?)://([^/:?#@\s]+)(/[^?#\s]*)?")


def canonical_url(url: str) -> str:
    """The link's canonical form ("" for what is not a web link)."""
    plain = _PLAIN.fullmatch(url.strip())
    if plain is not None:
        host = plain.group(2).lower().removeprefix("www.")
        return f"https://{host}{(plain.group(3) or '').rstrip('/')}"
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
    # Each expression only where it can apply: most posts hold no handle, link or hashtag,
    # and four substitutions that find nothing were a fifth of the de-duplication time.
    if "@" in text:
        text = _VIA.sub("", _REPOST.sub("", text))
    if "://" in text or "www." in text.lower():
        text = _LINK.sub(" ", text)
    if "#" in text:
        text = _TRAILING_TAGS.sub("", text)
    return _WORD.findall(fold(text))


Key = tuple[int, ...]


# word → its SKETCHES permuted hashes, then its signature bit. Words recur (a language has
# fewer than the posts about a brand), so most are hashed once per process; the memory is
# bounded by starting afresh past MAX_HASHED words (some 10 MB).
MAX_HASHED = 50_000
_hashed: dict[str, tuple[int, ...]] = {}
# A text's signature: one bit of 128 per distinct word. A bit set in one text's signature
# and not the other's comes from a word of that text only, so the bits that differ are at
# most the words that differ: two texts whose signatures differ in more bits than SPREAD
# times their sizes cannot be near-identical (Jaccard ≥ SAME_SHARE allows at most that many
# different words), and are skipped without comparing their words.
SPREAD = (1 - SAME_SHARE) / (1 + SAME_SHARE)


def _hashes(word: str) -> tuple[int, ...]:
    found = _hashed.get(word)
    if found is None:
        if len(_hashed) >= MAX_HASHED:
            _hashed.clear()
        value = zlib.crc32(word.encode())
        # SKETCHES cheap permutations of one CRC (multiply by an odd number and add, modulo
        # 2**32: a bijection, so each seed orders the words differently).
        found = (
            *((value * times + plus) & 0xFFFFFFFF for times, plus in _PERMUTATIONS),
            1 << (value & 127),
        )
        _hashed[word] = found
    return found


def sketch(words: frozenset[str]) -> tuple[list[Key], int]:
    """The text's min-hash keys (see the module docstring) and its signature (SPREAD)."""
    if not words:
        return [], 0
    hashed = _hashed
    rows = [hashed[word] if word in hashed else _hashes(word) for word in words]
    # zip(*rows): each seed's hashes of every word, gathered without a loop in Python.
    columns = list(zip(*rows, strict=True))
    found = [(seed, *sorted(columns[seed])[:3]) for seed in range(SKETCHES)]
    return found, reduce(or_, columns[SKETCHES])


def keys(words: frozenset[str]) -> list[Key]:
    """The text's min-hash keys (see the module docstring)."""
    return sketch(words)[0]


def signature(words: frozenset[str]) -> int:
    return sketch(words)[1]


def same_text(a: list[str] | frozenset[str], b: list[str] | frozenset[str]) -> bool:
    """Whether two texts' words say the same thing (see the module docstring)."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return a == b if isinstance(a, list) and isinstance(b, list) else set(a) == set(b)
    first, second = set(a), set(b)
    return len(first & second) >= SAME_SHARE * len(first | second)


def exact_key(words: list[str]) -> str:
    """What the very same text shares (16 hex digits): its words in order for a short text,
    its distinct words for a longer one (a retweet, "via @name", the words moved around)."""
    parts = words if len(words) < MIN_WORDS else sorted(set(words))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


class Deduper:
    """`seen(key, url, text)`: the key of an earlier mention this one repeats (the same
    canonical link, or the same text as same_text() has it), else None — and this one is
    remembered either way. `remember(key, link, exact)` takes in a mention known only by
    its link and exact_key (what another process stored): later ones with that link or the
    very same words are found; near-identical ones are not."""

    def __init__(self) -> None:
        self._by_url: dict[str, Hashable] = {}
        # The very same words (a retweet, "via @name"): found at once, however busy the keys.
        self._exact: dict[str, Hashable] = {}
        # Texts of MIN_WORDS words or more (shorter ones are only ever the very same words):
        # their distinct words and key, under each of their min-hash keys.
        self._buckets: dict[Key, deque[tuple[frozenset[str], Hashable, int]]] = {}

    def seen(
        self,
        key: Hashable,
        url: str,
        text: str,
        words: list[str] | None = None,
        *,
        link: str | None = None,
        exact: str | None = None,
    ) -> Hashable | None:
        """`link`, `words`, `exact`: the canonical form of `url`, words_of(text) and its
        exact_key, when the caller has them already."""
        if link is None:
            link = canonical_url(url) if url else ""
        if link and link in self._by_url:
            return self._by_url[link]
        ordered = words if words is not None else words_of(text)
        exact = exact if exact is not None else exact_key(ordered)
        found = self._exact.get(exact)
        if found is not None:
            if link:
                self._by_url.setdefault(link, found)
            return found
        if len(ordered) < MIN_WORDS:
            # A short text must be the very same words, which _exact has answered.
            if link:
                self._by_url.setdefault(link, key)
            self._exact[exact] = key
            return None
        distinct = frozenset(ordered)
        bands, bits = sketch(distinct)
        found = self._near(distinct, bands, bits)
        if link:
            self._by_url.setdefault(link, found if found is not None else key)
        if found is None:
            self._exact[exact] = key
            entry = (distinct, key, bits)
            for band in bands:
                bucket = self._buckets.get(band)
                if bucket is None:
                    bucket = self._buckets[band] = deque(maxlen=BUCKET)
                bucket.append(entry)
        return found

    def remember(self, key: Hashable, link: str, exact: str) -> None:
        if link:
            self._by_url.setdefault(link, key)
        if exact:
            self._exact.setdefault(exact, key)

    def _near(self, words: frozenset[str], bands: list[Key], bits: int) -> Hashable | None:
        size = len(words)
        # Jaccard ≥ SAME_SHARE needs sizes within that ratio: others are skipped unread.
        low, high = SAME_SHARE * size, size / SAME_SHARE
        buckets = self._buckets
        tried: set[int] = set()
        for band in bands:
            bucket = buckets.get(band)
            if bucket is None:
                continue
            for entry in reversed(bucket):
                other, key, other_bits = entry
                other_size = len(other)
                if other_size < low or other_size > high or id(entry) in tried:
                    continue
                tried.add(id(entry))
                # More differing signature bits than near-identical texts can have words
                # that differ (SPREAD; the 1e-9 keeps rounding from ever being stricter).
                if (bits ^ other_bits).bit_count() > (size + other_size) * SPREAD + 1e-9:
                    continue
                shared = len(words & other)
                if shared >= SAME_SHARE * (size + other_size - shared):
                    return key
        return None
