"""How X measures a post's length: twitter-text's "weighted length", configuration v3.

X does not count characters. It counts weights, as its open-source twitter-text library
does with its `config/v3.json` (the configuration X's own apps use since 2019):

    maxWeightedTweetLength 280, scale 100, defaultWeight 200, transformedURLLength 23,
    emojiParsingEnabled true, ranges (weight 100):
        U+0000-U+10FF  (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai...)
        U+2000-U+200D, U+2010-U+201F, U+2032-U+2037  (spaces, dashes, quotes, primes)

so a code point in those ranges weighs 1 (100 / scale), every other one 2 (CJK, Hangul,
most symbols); an emoji, however many code points its sequence has (skin tone, ZWJ
family, flag, keycap), weighs 2; and every URL weighs 23 whatever its length, because X
shortens it to a t.co link. The text is NFC-normalised first. The limit is 280 for a
standard account (X Premium accounts may post longer texts; Hubbub keeps the limit every
account has, so a post it accepts is never refused for length).

Why our own implementation and not a package: the PyPI ports (`twitter-text-parser`, last
release 2023; `twitter-text`, 2017; `twitter-text-py`, 2014) are unmaintained forks of an
upstream X itself archived, and they pull in their own URL and TLD tables. The weighting is
a dozen lines; the part that needs judgement is finding URLs, done here on the same rules:
a scheme (http/https) with anything after it, or a bare domain whose top-level domain is a
common generic one, or a two-letter country one followed by a path (twitter-text links
`example.com` and `t.co/abc`, but not `file.txt` or `hello.fr` alone).
"""

from __future__ import annotations

import unicodedata

import regex

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# Generic top-level domains that twitter-text links without a scheme (the common ones of its
# tlds list; a rarer one is counted as plain text, a difference of a few characters at most).
_GTLDS = (
    "com|net|org|info|biz|edu|gov|mil|int|io|co|tv|me|ai|app|dev|xyz|online|site|shop|"
    "store|blog|news|tech|cloud|art|club|live|pro|social|page|link|top|world|one|media|"
    "agency|studio|design|space|website|email|jobs|mobi|name|travel|museum|aero|coop|asia"
)
_URL = regex.compile(
    r"""
    (?<![\w@/.-])                              # not inside a word, an e-mail or a path
    (?:
        https?://[^\s<>"]+                     # a scheme: everything up to white space
      |
        (?:[\p{L}\p{N}][\p{L}\p{N}-]*\.)+      # a bare domain...
        (?:
            (?:"""
    + _GTLDS
    + r""")(?![\p{L}\p{N}-])(?:[/?#][^\s<>"]*)?    # ...with a common generic TLD
          |
            [a-z]{2}(?![\p{L}\p{N}-])[/?#][^\s<>"]*    # ...or a country TLD and a path
        )
    )
    """,
    regex.IGNORECASE | regex.VERBOSE,
)
# Punctuation that ends a sentence rather than the URL (twitter-text does the same).
_TRAILING = ".,;:!?)]}'\"\u00bb\u201d\u2019\u2026"

# What makes a grapheme an emoji for twitter-text: a pictographic code point (with its
# presentation selector, skin tones, ZWJ parts), a regional-indicator flag, or a keycap.
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3")
_GRAPHEME = regex.compile(r"\X")


def find_urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each URL in `text`, trailing punctuation left out."""
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def _code_point_weight(char: str) -> int:
    point = ord(char)
    for low, high in _RANGES:
        if low <= point <= high:
            return _SCALE
    return _DEFAULT_WEIGHT


def _plain_weight(text: str) -> int:
    if text.isascii():  # no emoji, every code point weighs 1: skip the grapheme scan
        return len(text) * _SCALE
    total = 0
    for grapheme in _GRAPHEME.findall(text):
        if _EMOJI.search(grapheme):
            total += _DEFAULT_WEIGHT  # one emoji sequence, whatever its length
        else:
            total += sum(_code_point_weight(c) for c in grapheme)
    return total


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (twitter-text v3 `weightedLength`)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in find_urls(text):
        total += _plain_weight(text[position:start]) + URL_WEIGHT * _SCALE
        position = end
    total += _plain_weight(text[position:])
    # Each weight is a multiple of 100 (scale), so this division is exact.
    return total // _SCALE
