"""How text length is counted, for every network's limits."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from hubbub.networks.base import Counting, TextLimits

GRAPHEMES = TextLimits(300, Counting.GRAPHEMES)
MASTODON = TextLimits(500, Counting.MASTODON, url_length=23)


@given(st.text())
def test_the_ascii_fast_path_counts_as_the_full_grapheme_scan(text):
    assert GRAPHEMES.count(text) == len(regex.findall(r"\X", text))


@given(st.text(alphabet=st.sampled_from("ab \r\n\t.")))
def test_cr_lf_is_one_grapheme_in_ascii_text(text):
    assert GRAPHEMES.count(text) == len(regex.findall(r"\X", text))


def test_an_emoji_with_a_skin_tone_and_a_family_count_one_each():
    assert GRAPHEMES.count("👍🏽") == 1
    assert GRAPHEMES.count("👨‍👩‍👧") == 1
    assert GRAPHEMES.count("e\u0301") == 1  # e + combining acute accent


def test_mastodon_counts_every_url_as_23_and_remote_mentions_as_local():
    url = "https://example.com/" + "a" * 60
    assert MASTODON.count(f"Read {url}") == len("Read ") + 23
    assert MASTODON.count("hi @alice@social.example") == len("hi @alice")
    assert MASTODON.remaining("x" * 500) == 0
