"""Many queries against one mention at a time, without trying every query on every mention.

A workspace watches up to a thousand queries; most mentions meet none or a few of them. Each
query is reduced to its anchors — words (or hashtags, handles, word beginnings) of which a
matching mention must contain at least one — and a mention is only tried against the
queries anchored on what it contains, plus the few that cannot be anchored (a query whose
every branch says NOT or a filter, which parse() refuses on its own but which can sit inside
an OR). The answer is the same as trying them all (tests/listening/test_matcher.py checks
it on random queries); only the work differs.

Anchors of a query, from its tree: a word → itself; word* → its beginning; "a phrase" → its
longest word; #tag, @handle → themselves; A AND B → the anchors of whichever side has the
fewest (both must hold, so either's are necessary); A OR B → both sides' together (if one
side has none, the OR has none); x NEAR/n y → x's; NOT and filters → none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from hubbub.listening.compiled import Beginnings, Matches, Scan, compile_query
from hubbub.listening.query import (
    MIN_PREFIX,
    And,
    Document,
    Handle,
    Near,
    Node,
    Or,
    Phrase,
    Query,
    Tag,
    Term,
)

Key = TypeVar("Key", bound=Hashable)
Anchor = tuple[str, str]  # ("w", word) · ("p", beginning) · ("t", tag) · ("h", handle name)


def anchors(node: Node) -> frozenset[Anchor] | None:
    """What a mention must contain one of for `node` to match it; None: no such thing."""
    if isinstance(node, Term):
        if node.prefix and len(node.word) < MIN_PREFIX:
            return None  # parse() refuses these; a mention is not scanned for them
        return frozenset({("p" if node.prefix else "w", node.word)})
    if isinstance(node, Phrase):
        return frozenset({("w", max(node.words, key=len))})
    if isinstance(node, Tag):
        return frozenset({("t", node.name)})
    if isinstance(node, Handle):
        return frozenset({("h", node.name.split("@")[0])})
    if isinstance(node, Near):
        return anchors(node.left)
    if isinstance(node, And):
        options = [a for a in (anchors(child) for child in node.children) if a is not None]
        # Fewest anchors first; at equal count, whole words before beginnings (rarer).
        return min(options, key=lambda a: (len(a), sum(kind == "p" for kind, _ in a)), default=None)
    if isinstance(node, Or):
        union: set[Anchor] = set()
        for child in node.children:
            of_child = anchors(child)
            if of_child is None:
                return None
            union |= of_child
        return frozenset(union)
    return None  # NOT, filters


class Matcher(Generic[Key]):
    """`matching(document)`: the keys of the queries the document meets, in the order the
    queries were given. Each query is tried as its compiled function
    (hubbub.listening.compiled), on what `Scan.of` read off the document once."""

    def __init__(self, queries: Mapping[Key, Query] | Iterable[tuple[Key, Query]]) -> None:
        pairs = list(queries.items() if isinstance(queries, Mapping) else queries)
        self._queries = pairs
        self._functions: list[Matches] = []
        # One table per kind of anchor, keyed by the word itself: a mention's words are
        # then looked up all at once (a set intersection of keys), not one tuple at a time.
        self._by_kind: dict[str, dict[str, list[int]]] = {k: defaultdict(list) for k in "wpth"}
        prefixes: set[str] = set()
        self._always: list[int] = []
        for index, (_key, query) in enumerate(pairs):
            compiled = compile_query(query)
            self._functions.append(compiled.function)
            prefixes |= compiled.prefixes
            found = anchors(query.root)
            if found is None:
                self._always.append(index)
                continue
            for kind, text in found:
                self._by_kind[kind][text].append(index)
                if kind == "p":
                    prefixes.add(text)
        self._beginnings = Beginnings(prefixes)

    def __len__(self) -> int:
        return len(self._queries)

    def scan(self, doc: Document) -> Scan:
        return Scan.of(doc, self._beginnings)

    def candidates(self, doc: Document, scan: Scan | None = None) -> set[int]:
        """Indexes of the queries worth trying on `doc`."""
        scan = scan or self.scan(doc)
        found = set(self._always)
        kinds = self._by_kind
        for kind, present in (
            ("w", doc.positions.keys()),
            ("p", scan.prefixes),
            ("t", doc.tags.keys()),
            ("h", scan.bases),
        ):
            table = kinds[kind]
            if present and table:
                for anchor in table.keys() & present:
                    found.update(table[anchor])
        return found

    def matching(self, doc: Document) -> list[Key]:
        scan = self.scan(doc)
        queries, functions = self._queries, self._functions
        positions, prefixes, tags, handles, bases = (
            doc.positions,
            scan.prefixes,
            doc.tags,
            doc.handles,
            scan.bases,
        )
        return [
            queries[index][0]
            for index in sorted(self.candidates(doc, scan))
            if functions[index](doc, positions, prefixes, tags, handles, bases)
        ]
