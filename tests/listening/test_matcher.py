"""Many queries at once: the same answer as trying each query, with far fewer tries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.listening.compiled import Scan, compile_query
from hubbub.listening.matcher import Matcher, anchors
from hubbub.listening.query import And, Document, Node, Or, Query, Term, parse
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


@settings(max_examples=300, deadline=None)
@given(tree(), st.lists(st.tuples(TEXTS, LANGUAGES), min_size=1, max_size=5))
def test_a_compiled_query_answers_as_its_tree_does(
    root: Node, mentions: list[tuple[str, str]]
) -> None:
    query = Query(root)
    compiled = compile_query(query)
    assert compiled.source  # written as an expression, not the fallback
    for text, language in mentions:
        doc = Document.of(text, language=language, sources=("bluesky",), author="@cafe.bsky.social")
        scan = Scan.of(doc, compiled.prefixes)
        assert scan.test(compiled.function) == query.matches(doc), compiled.source


def test_a_compiled_query_reads_as_the_query_does() -> None:
    compiled = compile_query(parse("acme NOT (job OR hiring*) lang:fr"))
    assert compiled.source == (
        "(('acme' in P) and (not (('job' in P) or ('hiring' in X))) and (d.language == 'fr'))"
    )
    assert compiled.prefixes == {"hiring"}


def test_a_word_with_quotes_or_backslashes_stays_a_word() -> None:
    # Words reach the generated code through repr(): nothing in them is ever code.
    query = parse('"it\'s" OR "a\\\\b" OR "x\'); import os; (\'" OR \\\'\\n')
    compiled = compile_query(query)
    assert compiled.source  # compiled, not walked
    doc = Document.of("it's raining")
    assert Scan.of(doc, compiled.prefixes).test(compiled.function) == query.matches(doc)
    doc = Document.of("import os")
    assert Scan.of(doc, compiled.prefixes).test(compiled.function) == query.matches(doc)


def test_a_query_too_deep_for_the_compiler_is_walked_instead() -> None:
    # parse() refuses such nesting (MAX_DEPTH); a tree built otherwise still matches.
    deep: Node = Term("acme")
    for index in range(120):
        deep = Or((Term(f"w{index}"), And((deep, Term(f"x{index}")))))
    query = Query(deep)
    compiled = compile_query(query)
    assert compiled.source == ""
    doc = Document.of(" ".join(["acme"] + [f"x{i}" for i in range(120)]))
    assert Scan.of(doc).test(compiled.function) is True
    assert Matcher({"deep": query}).matching(doc) == ["deep"]
    assert Matcher({"deep": query}).matching(Document.of("acme alone")) == []


def test_a_beginning_shorter_than_parse_allows_is_still_found() -> None:
    # parse() refuses "li*"; a query built otherwise is tried on every mention, not lost.
    query = Query(Term("li", prefix=True))
    assert Matcher({"short": query}).matching(Document.of("Lingo is fun")) == ["short"]
    assert Matcher({"short": query}).matching(Document.of("no match here")) == []
