"""A parsed query turned into one Python function, for matching thousands of mentions.

`Query.matches` walks the query's tree: a method call per node, a generator per AND and OR,
a scan of the mention's words per `deliver*`. With a thousand queries that walk was the
largest share of the listening pipeline's time. `compile_query` writes the same logic as a
single Python expression instead, and compiles it once per query (when the workspace's
queries change), so that trying a query on a mention is a handful of dictionary look-ups:

    acme NOT (job OR jobs)   →   (('acme' in P) and (not (('job' in P) or ('jobs' in P))))

The function takes what `Scan.of(document)` reads off the mention once for every query:

- P: its words (Document.positions),
- X: the beginnings of its words that some query asks about (`deliver*` is 'deliver' in X),
- T, H: its hashtags and handles, B: its handles without their @host (@acme finds
  @acme@mastodon.example),
- d: the Document itself, for what needs word positions (phrases, NEAR) or filters.

Phrases and NEAR first check that their words are all there (a look-up each), and only then
ask the tree's own code for places, so their meaning stays defined in one spot
(hubbub.listening.query). tests/listening/test_matcher.py checks, on random queries and
mentions, that the compiled function answers exactly as the tree does.

Why generated code (compiled, then `eval`): closures composed per node would still cost a
call per node, and no library matches this query language. The source is built only from
our own node types, with every word written through `repr()`, never from the raw query
text, and evaluated with no builtins but `bool`. A query too deeply nested for Python's
compiler (parse() refuses those, see MAX_DEPTH) falls back to the tree walk, and a node
of a kind this module does not know is asked through its own `matches`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hubbub.listening.query import (
    MIN_PREFIX,
    And,
    Document,
    Filter,
    Handle,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Tag,
    Term,
)

Matches = Callable[
    [
        Document,
        dict[str, list[int]],
        set[str],
        dict[str, list[int]],
        dict[str, list[int]],
        set[str],
    ],
    bool,
]


class Beginnings:
    """Word beginnings to look for, grouped by their first MIN_PREFIX letters: a word is
    then checked with one look-up, however many beginnings the queries use."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        grouped: dict[str, set[str]] = {}
        for prefix in prefixes:
            if len(prefix) >= MIN_PREFIX:
                grouped.setdefault(prefix[:MIN_PREFIX], set()).add(prefix)
        self.by_start = {start: tuple(sorted(found)) for start, found in grouped.items()}


@dataclass
class Scan:
    """What every compiled query reads off one mention (see the module docstring)."""

    document: Document
    prefixes: set[str]
    bases: set[str]

    @classmethod
    def of(cls, document: Document, wanted: Iterable[str] | Beginnings = ()) -> Scan:
        """`wanted`: the word beginnings the queries ask about (deliver* → 'deliver')."""
        beginnings = wanted if isinstance(wanted, Beginnings) else Beginnings(wanted)
        prefixes: set[str] = set()
        if beginnings.by_start:
            by_start = beginnings.by_start
            for word in document.positions:
                found = by_start.get(word[:MIN_PREFIX])
                if found is not None:
                    prefixes.update(p for p in found if word.startswith(p))
        bases = {handle.split("@")[0] for handle in document.handles}
        return cls(document, prefixes, bases)

    def test(self, function: Matches) -> bool:
        doc = self.document
        return function(doc, doc.positions, self.prefixes, doc.tags, doc.handles, self.bases)


@dataclass
class _Writer:
    """Writes a node as a Python expression; nodes that need their own code are kept as
    constants (c0, c1, …) the expression calls."""

    constants: dict[str, Any] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)

    def constant(self, value: Any) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def write(self, node: Node) -> str:
        if isinstance(node, Term):
            if not node.prefix:
                return f"({node.word!r} in P)"
            if len(node.word) < MIN_PREFIX:  # never from parse(); the tree's own scan
                return f"{self.constant(node)}.matches(d)"
            self.prefixes.add(node.word)
            return f"({node.word!r} in X)"
        if isinstance(node, Tag):
            return f"({node.name!r} in T)"
        if isinstance(node, Handle):
            return f"({node.name!r} in {'H' if '@' in node.name else 'B'})"
        if isinstance(node, Phrase):
            present = " and ".join(f"{word!r} in P" for word in sorted(set(node.words)))
            return f"({present} and {self.constant(node)}.matches(d))"
        if isinstance(node, Near):
            left, right = self.write(node.left), self.write(node.right)
            return f"({left} and {right} and bool({self.constant(node)}.spans(d)))"
        if isinstance(node, Not):
            return f"(not {self.write(node.child)})"
        if isinstance(node, And | Or):
            joiner = " and " if isinstance(node, And) else " or "
            return "(" + joiner.join(self.write(child) for child in node.children) + ")"
        if isinstance(node, Filter) and node.key == "lang":
            return f"(d.language == {node.value!r})"
        if isinstance(node, Filter) and node.key == "source":
            return f"({node.value!r} in d.sources)"
        return f"{self.constant(node)}.matches(d)"  # author:, or a node of another kind


@dataclass(frozen=True)
class Compiled:
    """A query's function, and the word beginnings it asks about."""

    function: Matches
    prefixes: frozenset[str]
    source: str = ""  # the generated expression ("" when the tree is walked instead)


def compile_query(query: Query) -> Compiled:
    writer = _Writer()
    try:
        expression = writer.write(query.root)
        code = compile(f"lambda d, P, X, T, H, B: {expression}", "<listening query>", "eval")
        # Only our own expression runs, with no builtins but bool: see the module docstring.
        scope = {"__builtins__": {"bool": bool}, **writer.constants}
        function = eval(code, scope)  # noqa: S307
    except (RecursionError, SyntaxError, MemoryError, ValueError):
        return Compiled(_walk(query), frozenset())
    return Compiled(function, frozenset(writer.prefixes), expression)


def _walk(query: Query) -> Matches:
    def walk(
        d: Document,
        P: dict[str, list[int]],
        X: set[str],
        T: dict[str, list[int]],
        H: dict[str, list[int]],
        B: set[str],
    ) -> bool:
        return query.matches(d)

    return walk
