"""The same mention twice — one link, or one text reposted — is found; different ones are not."""

from __future__ import annotations

import zlib
from unittest.mock import patch

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from hubbub.listening import dedupe
from hubbub.listening.dedupe import Deduper, canonical_url, same_text, words_of

POST = (
    "Acme has just recalled ten thousand coffee machines after reports of overheating in "
    "several countries, customers are asked to stop using them"
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://news.example/a?utm_source=x&utm_medium=y", "https://news.example/a"),
        ("http://WWW.News.Example/a/", "https://news.example/a"),
        ("https://news.example:443/a#comments", "https://news.example/a"),
        ("https://news.example/a?b=2&a=1&fbclid=Z", "https://news.example/a?a=1&b=2"),
    ],
)
def test_links_to_the_same_page_share_a_canonical_form(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b) != ""


def test_what_is_not_a_web_link_has_no_canonical_form() -> None:
    assert canonical_url("javascript:alert(1)") == ""
    assert canonical_url("mailto:a@b.example") == ""
    assert canonical_url("https://news.example:99999/") == ""
    assert canonical_url("https://news.example:8080/a") == "https://news.example:8080/a"
    assert canonical_url("https://news.example/a?id=1") != canonical_url(
        "https://news.example/a?id=2"
    )


@pytest.mark.parametrize(
    "repost",
    [
        "RT @journaliste: " + POST,
        POST + " via @newsdesk",
        POST + " https://news.example/recall",
        POST + " #recall #acme",
        POST.replace("several", "many"),  # a word changed
        POST.upper(),
        POST + " 😱",
    ],
)
def test_a_reposted_text_is_the_same_text(repost: str) -> None:
    assert same_text(words_of(POST), words_of(repost))
    deduper = Deduper()
    deduper.seen("original", "", POST)
    assert deduper.seen("repost", "", repost) == "original"


def test_different_texts_are_not_the_same() -> None:
    other = (
        "Acme opened a new coffee shop downtown this morning and the queue was already long "
        "before eight, the croissants are excellent"
    )
    assert not same_text(words_of(POST), words_of(other))
    # Two customers, one template: not one mention.
    first = "Where is my order 12345? It has been 5 days and the tracking says nothing."
    second = "Where is my order 67890? It has been 9 days and the tracking says nothing."
    assert not same_text(words_of(first), words_of(second))


def test_the_deduper_names_the_mention_repeated() -> None:
    deduper = Deduper()
    assert deduper.seen(1, "https://news.example/recall?utm_source=x", POST) is None
    assert deduper.seen(2, "https://news.example/recall", "A headline, another text") == 1
    assert deduper.seen(3, "", "RT @someone: " + POST) == 1
    assert deduper.seen(4, "https://other.example/b", POST.replace("ten", "10")) == 1
    assert deduper.seen(5, "https://other.example/b", "Anything at all") == 1  # that link: 4's = 1
    # Short texts must be the same words: "love it" twice is the same, "love this" is not.
    assert deduper.seen(6, "", "Love it!") is None
    assert deduper.seen(7, "", "love it") == 6
    assert deduper.seen(8, "", "love this") is None


def test_many_mentions_each_finds_its_twin_only() -> None:
    deduper = Deduper()
    texts = [
        f"Customer {n} reports order {10000 + n * 37} arrived {n % 9 + 2} days late, box "
        f"{n % 13 + 1} was damaged and support hung up after {n % 40 + 5} minutes"
        for n in range(300)
    ]
    for n, text in enumerate(texts):
        assert deduper.seen(n, "", text) is None, n
    for n, text in enumerate(texts):
        assert deduper.seen(1000 + n, "", "RT @x: " + text) == n


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp"]),
    host=st.from_regex(r"(www\.)?[a-zA-Z0-9\-é]{1,12}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.from_regex(r"(/[a-zA-Z0-9_\-.%é]{0,8}){0,4}/?", fullmatch=True),
    tail=st.sampled_from(["", "?utm_source=x", "?b=2&a=1", "#top", "?fbclid=1#x"]),
)
def test_the_quick_reading_of_plain_links_says_what_the_full_one_says(
    scheme: str, host: str, port: str, path: str, tail: str
) -> None:
    url = f"{scheme}://{host}{port}{path}{tail}"
    quick = dedupe.canonical_url(url)
    with patch.object(dedupe, "_PLAIN", regex.compile(r"(?!)")):  # the general path only
        assert quick == dedupe.canonical_url(url)


def test_min_hash_keys_are_each_permutation_s_three_smallest_word_hashes() -> None:
    words = frozenset(dedupe.words_of("The new Acme espresso machine broke after two days, café"))
    expected = []
    for seed, (times, plus) in enumerate(dedupe._PERMUTATIONS):
        hashes = sorted((zlib.crc32(w.encode()) * times + plus) & 0xFFFFFFFF for w in words)
        expected.append((seed, *hashes[:3]))
    assert dedupe.keys(words) == expected
    assert dedupe.keys(words) == expected  # the same once the words' hashes are remembered
    assert dedupe.keys(frozenset()) == []


@given(
    st.sets(st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=8, max_size=40),
    st.sets(st.text(alphabet="abcdefghij", min_size=1, max_size=6), max_size=6),
    st.integers(0, 6),
)
def test_signatures_never_keep_near_identical_texts_apart(
    words: set[str], extra: set[str], dropped: int
) -> None:
    first = frozenset(words)
    second = frozenset(sorted(words)[dropped:]) | extra
    differing = (dedupe.signature(first) ^ dedupe.signature(second)).bit_count()
    # Differing bits come from differing words only, whatever the two texts.
    assert differing <= len(first ^ second)
    if len(second) >= 1 and len(first & second) >= dedupe.SAME_SHARE * len(first | second):
        assert differing <= (len(first) + len(second)) * dedupe.SPREAD + 1e-9
