"""Many queries at once: the same answer as trying each query, with far fewer tries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.listening.matcher import Matcher, anchors
from hubbub.listening.query import Document, Node, Query, parse
from tests.listening.strategies import LANGUAGES, TEXTS, tree


def test_each_query_is_tried_only_on_mentions_holding_one_of_its_anchors() -> None:
    matcher = Matcher(
        {
            "brand": parse("acme OR #acme OR @acme"),
            "refunds": parse("(refund OR rembourse*) NOT test"),
            "late": parse('"very late" NEAR/3 parcel'),
            "french": parse("livraison lang:fr"),
        }
    )
    unrelated = Document.of("the weather is lovely today")
    assert matcher.candidates(unrelated) == set()
    assert matcher.matching(unrelated) == []

    mention = Document.of(
        "@acme@mastodon.example je veux être remboursée, livraison", language="fr"
    )
    assert matcher.candidates(mention) == {0, 1, 3}
    assert matcher.matching(mention) == ["brand", "refunds", "french"]


def test_the_anchors_of_a_query() -> None:
    def of(text: str) -> set[tuple[str, str]] | None:
        found = anchors(parse(text).root)
        return None if found is None else set(found)

    assert of("acme") == {("w", "acme")}
    assert of("deliv*") == {("p", "deliv")}
    assert of('"box was open"') == {("w", "open")} or of('"box was open"') == {("w", "box")}
    assert of("#Acme OR @acme.bsky.social") == {("t", "acme"), ("h", "acme.bsky.social")}
    assert of("acme AND (refund OR remboursement)") == {("w", "acme")}  # the fewest
    assert of("acme lang:fr NOT spam") == {("w", "acme")}
    assert of("acme OR (beta NOT gamma)") == {("w", "acme"), ("w", "beta")}
    assert of("x NEAR/2 y") == {("w", "x")}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(tree(), min_size=1, max_size=12),
    st.lists(st.tuples(TEXTS, LANGUAGES), min_size=1, max_size=5),
)
def test_the_matcher_finds_exactly_what_trying_every_query_finds(
    trees: list[Node], mentions: list[tuple[str, str]]
) -> None:
    queries = {index: Query(tree) for index, tree in enumerate(trees)}
    matcher = Matcher(queries)
    for text, language in mentions:
        doc = Document.of(text, language=language)
        expected = [key for key, query in queries.items() if query.matches(doc)]
        assert matcher.matching(doc) == expected
