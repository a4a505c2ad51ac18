"""The listening query language: what each operator finds, and what a mistake says."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from hubbub.listening.query import (
    And,
    Document,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    check,
    parse,
)
from tests.listening.strategies import TEXTS, tree


def doc(text: str, **fields: object) -> Document:
    return Document.of(text, **fields)  # type: ignore[arg-type]


POST = "Le café d'Acme est arrivé froid, la livraison était en retard. #Acme @acme.bsky.social"

# (query, text, whether it matches)
CASES: list[tuple[str, str, bool]] = [
    # words: whole words, any case, any accent
    ("acme", POST, True),
    ("ACME", POST, True),
    ("cafe", POST, True),
    ("CAFÉ", "un cafe s'il vous plait", True),
    ("acm", POST, False),  # a word, not a piece of one
    ("livraisons", POST, False),
    ("œuvre", "une OEUVRE d'art", True),
    # AND, side by side, OR, NOT, parentheses
    ("cafe AND froid", POST, True),
    ("cafe froid", POST, True),
    ("cafe AND chaud", POST, False),
    ("chaud OR froid", POST, True),
    ("chaud OR tiède", POST, False),
    ("cafe NOT froid", POST, False),
    ("cafe NOT chaud", POST, True),
    ("cafe AND NOT (chaud OR tiède)", POST, True),
    ("(chaud OR froid) AND (thé OR café)", POST, True),
    ("(chaud OR tiède) AND café", POST, False),
    ("NOT NOT cafe", POST, True),
    # precedence: NOT before AND before OR
    ("chaud AND tiède OR froid", POST, True),  # (chaud AND tiède) OR froid
    ("froid OR chaud AND tiède", POST, True),  # froid OR (chaud AND tiède)
    ("cafe NOT froid OR livraison", POST, True),  # (cafe AND NOT froid) OR livraison
    ("cafe NOT (froid OR livraison)", POST, False),
    # lower-case operators are words
    ("cafe and froid", POST, False),
    ("cafe and froid", "cafe and froid", True),
    # phrases, in any quotes
    ('"livraison était en retard"', POST, True),
    ('"livraison en retard"', POST, False),  # side by side only
    ('"retard livraison"', POST, False),  # in that order
    ("“arrivé froid”", POST, True),
    ("«arrive froid»", POST, True),
    ("e-mail", "send me an e-mail please", True),  # a split word is a phrase
    ("e-mail", "mail me, e please", False),
    # prefixes
    ("livr*", POST, True),
    ("deliver*", "the delivery was late", True),
    ("deliver*", "they deliver on Mondays", True),
    ("deliver*", "a deli vert", False),
    ("livr* NOT retard", POST, False),
    # hashtags and handles
    ("#acme", POST, True),
    ("#acme", "acme is great", False),  # the hashtag only
    ("acme", "loving #acme today", True),  # a word also finds the hashtag
    ("#café", "#cafe time", True),
    ("@acme.bsky.social", POST, True),
    ("@ACME.bsky.social", POST, True),
    ("@acme", "thanks @acme@mastodon.example", True),  # the account on any server
    ("@acme", "email acme@example.com", False),  # an address is not a mention
    ("@other", POST, False),
    # NEAR/n, either order, phrases and OR-groups on either side
    ("café NEAR/4 froid", POST, True),  # café [d' Acme est arrivé] froid: 4 words between
    ("café NEAR/3 froid", POST, False),
    ("froid NEAR/4 café", POST, True),
    ("livraison NEAR/1 retard", POST, False),
    ("livraison NEAR/3 retard", POST, True),
    ('"en retard" NEAR/2 livraison', POST, True),
    ("(chaud OR froid) NEAR/1 arrivé", POST, True),
    ("(chaud OR tiède) NEAR/5 arrivé", POST, False),
    ("(café NEAR/4 froid) NEAR/1 livraison", POST, True),
    ("refund NEAR/3 late", "late again, I want a refund", False),
    ("refund NEAR/4 late", "late again, I want a refund", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), CASES)
def test_what_each_operator_finds(query: str, text: str, expected: bool) -> None:
    assert parse(query).matches(doc(text)) is expected


def test_filters_look_at_the_language_the_source_and_the_author() -> None:
    french = doc(
        POST, language="fr", sources=["bluesky", "search"], author="@journaliste.bsky.social"
    )
    english = doc("Acme coffee arrived cold", language="en", sources=["x"], author="Reporter")

    assert parse("acme lang:fr").matches(french)
    assert not parse("acme lang:fr").matches(english)
    assert parse("acme source:bluesky").matches(french)
    assert parse("acme source:BLUESKY").matches(french)
    assert not parse("acme source:bluesky").matches(english)
    assert parse("acme author:@journaliste.bsky.social").matches(french)
    assert parse("acme author:journaliste.bsky.social").matches(french)
    assert parse("acme author:reporter").matches(english)
    assert parse("acme NOT lang:fr").matches(english)
    assert not parse("acme NOT lang:fr").matches(french)
    assert parse("acme (lang:fr OR lang:en)").matches(english)


def test_the_canonical_form_reads_back_to_the_same_query() -> None:
    query = parse("acme (delivery OR  livraison) NOT “gift card” #Acme deliv* lang:FR")
    assert str(query) == (
        'acme AND (delivery OR livraison) AND NOT "gift card" AND #acme AND deliv* AND lang:fr'
    )
    assert parse(str(query)).root == query.root
    near = parse('(a OR b) NEAR/3 "c d" OR x NOT (y OR z)')
    assert str(near) == '(a OR b) NEAR/3 "c d" OR x AND NOT (y OR z)'


# (query, position of the mistake (0-based), words of the message)
ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ('acme "gift card', 5, "closing quote"),
    ("acme)", 4, "closes nothing"),
    ("(acme OR beta", 0, "never closed"),
    ("acme ()", 6, "hold nothing"),
    ("AND acme", 0, "before it"),
    ("acme OR", 5, "after it"),
    ("acme AND OR beta", 5, "after it"),
    ("acme NEAR beta", 5, "distance"),
    ("acme NEAR/0 beta", 5, "between 1 and 50"),
    ("acme NEAR/51 beta", 5, "between 1 and 50"),
    ("acme NEAR/3 lang:fr", 5, "NEAR joins"),
    ("(a AND b) NEAR/3 c", 10, "NEAR joins"),
    ("acme colour:red", 5, "not a filter"),
    ("acme lang:", 5, "needs a value"),
    ("de*ver", 2, "can only end"),
    ("de*", 0, "at least 3"),
    ("acme #", 5, "hashtag"),
    ("acme @", 5, "handle"),
    ('acme ""', 5, "no word"),
    ("acme ...", 5, "no word"),
    ("NOT spam", 0, "leave out"),
    ("lang:fr", 0, "leave out"),
    ("NOT spam OR NOT scam", 0, "leave out"),
    ("NOT froid OR cafe", 0, "leave out"),  # everything without froid: too broad
    ("NOT (froid OR cafe)", 0, "leave out"),
    ("(" * 40 + "acme" + ")" * 40, 32, "nested more than 32 deep"),
    ("acme " + "NOT " * 40 + "spam", 5 + 4 * 32, "nested more than 32 deep"),
    ("(" * 1990 + "acme" + ")" * 1990, 32, "nested more than 32 deep"),
]


@pytest.mark.parametrize(("query", "position", "says"), ERRORS)
def test_a_mistake_says_where_and_what_to_do(query: str, position: int, says: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse(query)
    error = raised.value
    assert error.position == position
    assert says in error.message
    assert error.hint  # always something to do
    assert f"character {position + 1}" in str(error)
    assert check(query) is not None


def test_a_query_is_checked_without_raising() -> None:
    assert check("acme OR beta") is None


def test_groups_nested_as_deep_as_allowed_are_read() -> None:
    query = "(" * 32 + "acme OR beta" + ")" * 32
    assert str(parse(query)) == "acme OR beta"
    assert parse("acme NOT " + "NOT " * 29 + "spam").matches(Document.of("acme spam"))


def test_a_query_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="at most"):
        parse("acme " * 1000)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(tree(), TEXTS)
def test_a_query_and_its_double_negation_match_the_same_mentions(tree: Node, text: str) -> None:
    mention = doc(text)
    assert Not(Not(tree)).matches(mention) == tree.matches(mention)
    # and so do both written out and read back (when the query says what to look for)
    if check(tree.render()) is None:
        written = parse("NOT NOT (" + tree.render() + ")")
        assert written.matches(mention) == tree.matches(mention)


@settings(max_examples=300, deadline=None)
@given(tree(), TEXTS)
def test_the_written_form_of_a_query_finds_what_the_query_finds(tree: Node, text: str) -> None:
    mention = doc(text)
    try:
        read = parse(tree.render())
    except QuerySyntaxError as error:  # only a query saying nothing to look for is refused
        assert "leave out" in error.message
        return
    assert read.matches(mention) == tree.matches(mention)


@settings(max_examples=200, deadline=None)
@given(tree(), tree(), TEXTS)
def test_de_morgan(a: Node, b: Node, text: str) -> None:
    mention = doc(text)
    assert Not(Or((a, b))).matches(mention) == And((Not(a), Not(b))).matches(mention)


def test_a_mistake_is_told_in_the_user_s_language() -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(QuerySyntaxError) as raised:
        parse("acme NEAR beta")
    assert str(raised.value) == (
        "NEAR demande une distance. (au caractère 6)\u00a0: écrivez NEAR/3 (au plus 3 mots"
        " d\u2019écart)"
    )
