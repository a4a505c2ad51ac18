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
    queries were given."""

    def __init__(self, queries: Mapping[Key, Query] | Iterable[tuple[Key, Query]]) -> None:
        pairs = list(queries.items() if isinstance(queries, Mapping) else queries)
        self._queries = pairs
        self._by_anchor: dict[Anchor, list[int]] = defaultdict(list)
        self._prefix_lengths: set[int] = set()
        self._always: list[int] = []
        for index, (_key, query) in enumerate(pairs):
            found = anchors(query.root)
            if found is None:
                self._always.append(index)
                continue
            for anchor in found:
                self._by_anchor[anchor].append(index)
                if anchor[0] == "p":
                    self._prefix_lengths.add(len(anchor[1]))

    def __len__(self) -> int:
        return len(self._queries)

    def candidates(self, doc: Document) -> set[int]:
        """Indexes of the queries worth trying on `doc`."""
        found = set(self._always)
        by_anchor = self._by_anchor
        lengths = sorted(length for length in self._prefix_lengths if length >= MIN_PREFIX)
        for word in doc.positions:
            found.update(by_anchor.get(("w", word), ()))
            for length in lengths:
                if length > len(word):
                    break
                found.update(by_anchor.get(("p", word[:length]), ()))
        for tag in doc.tags:
            found.update(by_anchor.get(("t", tag), ()))
        for handle in doc.handles:
            found.update(by_anchor.get(("h", handle.split("@")[0]), ()))
        return found

    def matching(self, doc: Document) -> list[Key]:
        queries = self._queries
        return [
            queries[index][0]
            for index in sorted(self.candidates(doc))
            if queries[index][1].matches(doc)
        ]
