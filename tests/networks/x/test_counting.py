"""X's weighted length (twitter-text config v3): what a person typing in X's own app sees
counted, so that a post Hubbub accepts is never refused by X for length."""

from __future__ import annotations

import pytest

from hubbub.networks.x.connector import XConnector
from hubbub.networks.x.counting import find_urls, weighted_length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("Hello", 5),
        ("café", 4),
        ("cafe\u0301", 4),  # NFC: e + combining accent is one é
        ("Привет, мир", 11),  # Cyrillic: inside the weight-1 range
        ("— “quoted”", 10),  # dashes and quotes are in the weight-1 ranges...
        ("…", 2),  # ...the ellipsis (U+2026) is not
        ("日本語", 6),  # CJK: 2 each
        ("한국어", 6),  # Hangul: 2 each
        ("😀", 2),
        ("👍🏽", 2),  # with a skin tone: one emoji
        ("👨‍👩‍👧‍👦", 2),  # a ZWJ family: one emoji
        ("🇫🇷", 2),  # a flag: one emoji
        ("1️⃣", 2),  # a keycap
        ("❤️ ok", 5),
    ],
)
def test_characters_weigh_one_or_two(text: str, length: int) -> None:
    assert weighted_length(text) == length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("https://example.com", 23),
        ("http://x.co", 23),  # short links count 23 too
        ("See https://example.com/a/very/long/path?with=query&and=more#fragment ok", 4 + 23 + 3),
        ("Read example.com today", 5 + 23 + 6),  # a bare domain with a generic TLD
        ("t.co/abc and hello.fr", 23 + 13),  # a country TLD only with a path
        ("(https://example.com).", 1 + 23 + 2),  # closing punctuation is not the link's
        ("file.txt and john@example.com", 29),  # neither a file name nor an e-mail is a link
        ("https://a.com https://b.com", 23 + 1 + 23),
    ],
)
def test_every_url_counts_23(text: str, length: int) -> None:
    assert weighted_length(text) == length


def test_find_urls_gives_the_spans() -> None:
    text = "Go to https://example.com/x, now."
    assert [text[a:b] for a, b in find_urls(text)] == ["https://example.com/x"]


def test_the_limit_is_280_weighted() -> None:
    limits = XConnector.default_limits()

    assert limits.text.max_length == 280
    assert limits.text.count("a" * 280) == 280
    assert limits.text.count("漢" * 140) == 280
    assert limits.text.remaining("漢" * 141) == -2
    assert limits.text.count("x" * 257 + " https://example.com/" + "y" * 200) == 281
