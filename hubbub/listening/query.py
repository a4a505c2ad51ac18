"""The listening query language: what a monitoring query says, and whether a mention meets it.

    acme AND (delivery OR livraison) NOT "gift card"
    #acme OR @acme.bsky.social
    refund NEAR/3 (late OR missing)
    deliver* lang:fr source:bluesky author:@journaliste

- Words match whole words, whatever their case and accents ("café" is "cafe", "Œuvre" is
  "oeuvre"); `deliver*` matches the words that start with "deliver" (three letters at least
  before the *). A word that the tokenizer splits ("e-mail") is a phrase of its parts.
- "An exact phrase" matches those words in that order, side by side.
- #tag matches that hashtag only; @handle that mention of an account only (Bluesky's dotted
  handles and Mastodon's @user@host included). A plain word matches the hashtag too: acme
  finds "#acme".
- AND, OR, NOT (in capitals; in lower case they are words) and parentheses. Words side by
  side are joined by AND. NOT binds tightest, then NEAR, then AND, then OR.
- a NEAR/n b: a and b at most n words apart, in either order (n from 1 to 50); a and b are
  words, phrases, tags, handles, or OR-groups of them.
- Filters: lang:fr (the mention's detected language), source:bluesky (its network or
  source), author:@name (its author's handle, with or without the @ and the @host).

A query must say what to look for: one made only of NOT and filters ("NOT spam",
"lang:fr") would match nearly everything, and is refused with a hint, like every other
mistake, at its position in the query (QuerySyntaxError).

Matching works on a `Document` — the mention's text cut into folded words once, with where
each word, hashtag and handle occurs — so that one mention is checked against many queries
without being read again.

Why our own parser: the grammar is small and its error messages are part of the product (a
position and a hint, in the user's language); a parser generator would need the same work to
say "NEAR needs a distance" where the user can act on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import regex
from django.utils.translation import gettext as _

from hubbub.inbox.rules_context import fold

MAX_NEAR = 50
MIN_PREFIX = 3
MAX_QUERY = 4000
# Groups and NOTs inside one another: far beyond what people write, and it keeps reading
# (and the compiled form, hubbub.listening.compiled) well within Python's recursion limit.
MAX_DEPTH = 32
FILTERS = ("lang", "source", "author")
OPERATORS = ("AND", "OR", "NOT")

# A mention's text: @handles (Bluesky's dotted, Mastodon's @user@host), #hashtags, words
# (letters and digits), and single symbols such as emoji — as hubbub.inbox.rules_context
# tokenizes, with handles and hashtags kept whole.
_TEXT = regex.compile(
    r"(?P<handle>(?<![\w@])@[\w][\w.\-]*(?:@[\w][\w.\-]*)?)|(?P<tag>#\w+)|(?P<word>\w+|\p{S})"
)
_WORDS = regex.compile(r"\w+|\p{S}")
_NEAR = regex.compile(r"NEAR(?:/(\d+))?")
# Quotes as keyboards type them: straight, curly, French guillemets.
_OPENING = '"“«'
_CLOSING = '"”»'
_STOPS = "()" + _OPENING + _CLOSING


class QuerySyntaxError(ValueError):
    """What is wrong with a query, where (a 0-based character position) and what to do, in
    the language active when it was found."""

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        self.message = message
        self.position = position
        self.hint = hint
        where = _("at character %(n)d") % {"n": position + 1}
        if hint:
            text = _("%(message)s (%(where)s): %(hint)s") % {
                "message": message,
                "where": where,
                "hint": hint,
            }
        else:
            text = f"{message} ({where})"
        super().__init__(text)


# --- the mention side ---------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORDS.findall(fold(text))


def _handle(text: str) -> str:
    return fold(text.lstrip("@").rstrip(".-"))


@dataclass
class Document:
    """A mention as queries see it: its folded words in order, where each word, hashtag and
    handle occurs, and its language, sources and author."""

    words: list[str]
    positions: dict[str, list[int]]
    tags: dict[str, list[int]]
    handles: dict[str, list[int]]
    language: str = ""
    sources: frozenset[str] = frozenset()
    author: str = ""

    @classmethod
    def of(
        cls, text: str, *, language: str = "", sources: Iterable[str] = (), author: str = ""
    ) -> Document:
        words: list[str] = []
        positions: dict[str, list[int]] = defaultdict(list)
        tags: dict[str, list[int]] = defaultdict(list)
        handles: dict[str, list[int]] = defaultdict(list)
        # Folded once, whole: a word of the folded text is a folded word (folding before
        # cutting gives the same words as cutting then folding each, at a third of the cost).
        folded = fold(text)
        if "@" not in folded and "#" not in folded:
            # Most mentions hold neither: their words alone, found in one call.
            words = _WORDS.findall(folded)
            for index, word in enumerate(words):
                positions[word].append(index)
        else:
            # findall's (handle, tag, word) tuples rather than match objects: a third faster.
            for handle, tag, word in _TEXT.findall(folded):
                if word:
                    positions[word].append(len(words))
                    words.append(word)
                    continue
                name = _handle(handle) if handle else tag[1:]
                (handles if handle else tags)[name].append(len(words))
                # The name's words count as words too: acme finds "#acme" and "@acme".
                for part in _words(name.split("@")[0] if handle else name):
                    positions[part].append(len(words))
                    words.append(part)
        return cls(
            words=words,
            positions=dict(positions),
            tags=dict(tags),
            handles=dict(handles),
            language=fold(language),
            sources=frozenset(fold(s) for s in sources if s),
            author=_handle(author) if author else "",
        )


# --- the query side ----------------------------------------------------------------------

Span = tuple[int, int]  # first word, last word + 1


class Node(Protocol):
    def matches(self, doc: Document) -> bool: ...

    def render(self) -> str: ...


class Positional(Node, Protocol):
    def spans(self, doc: Document) -> list[Span]: ...


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False

    def spans(self, doc: Document) -> list[Span]:
        if not self.prefix:
            return [(p, p + 1) for p in doc.positions.get(self.word, ())]
        return sorted(
            (p, p + 1)
            for word, found in doc.positions.items()
            if word.startswith(self.word)
            for p in found
        )

    def matches(self, doc: Document) -> bool:
        if not self.prefix:
            return self.word in doc.positions
        return any(word.startswith(self.word) for word in doc.positions)

    def render(self) -> str:
        return self.word + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]

    def spans(self, doc: Document) -> list[Span]:
        first, size = self.words[0], len(self.words)
        return [
            (p, p + size)
            for p in doc.positions.get(first, ())
            if tuple(doc.words[p : p + size]) == self.words
        ]

    def matches(self, doc: Document) -> bool:
        return bool(self.spans(doc))

    def render(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Tag:
    name: str

    def spans(self, doc: Document) -> list[Span]:
        return [(p, p + 1) for p in doc.tags.get(self.name, ())]

    def matches(self, doc: Document) -> bool:
        return self.name in doc.tags

    def render(self) -> str:
        return "#" + self.name


@dataclass(frozen=True)
class Handle:
    name: str

    def _found(self, doc: Document) -> list[int]:
        found = list(doc.handles.get(self.name, ()))
        if "@" not in self.name:  # @acme also finds @acme@mastodon.example
            for handle, places in doc.handles.items():
                if handle.split("@")[0] == self.name and handle != self.name:
                    found += places
        return sorted(found)

    def spans(self, doc: Document) -> list[Span]:
        return [(p, p + 1) for p in self._found(doc)]

    def matches(self, doc: Document) -> bool:
        return bool(self._found(doc))

    def render(self) -> str:
        return "@" + self.name


@dataclass(frozen=True)
class Filter:
    key: str  # one of FILTERS
    value: str

    def matches(self, doc: Document) -> bool:
        if self.key == "lang":
            return doc.language == self.value
        if self.key == "source":
            return self.value in doc.sources
        return bool(doc.author) and (
            doc.author == self.value or doc.author.split("@")[0] == self.value
        )

    def render(self) -> str:
        return f"{self.key}:{self.value}"


@dataclass(frozen=True)
class Not:
    child: Node

    def matches(self, doc: Document) -> bool:
        return not self.child.matches(doc)

    def render(self) -> str:
        return "NOT " + _grouped(self.child, Not)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def matches(self, doc: Document) -> bool:
        return all(child.matches(doc) for child in self.children)

    def render(self) -> str:
        return " AND ".join(_grouped(child, And) for child in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def spans(self, doc: Document) -> list[Span]:
        found: set[Span] = set()
        for child in self.children:
            found.update(child.spans(doc))  # type: ignore[attr-defined]
        return sorted(found)

    def matches(self, doc: Document) -> bool:
        return any(child.matches(doc) for child in self.children)

    def render(self) -> str:
        return " OR ".join(_grouped(child, Or) for child in self.children)


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int

    def spans(self, doc: Document) -> list[Span]:
        rights = _spans(self.right, doc)
        found: set[Span] = set()
        for a in _spans(self.left, doc):
            for b in rights:
                if max(b[0] - a[1], a[0] - b[1]) <= self.distance:
                    found.add((min(a[0], b[0]), max(a[1], b[1])))
        return sorted(found)

    def matches(self, doc: Document) -> bool:
        # Both sides present is cheap to ask and rarely true: only then are places compared.
        return self.left.matches(doc) and self.right.matches(doc) and bool(self.spans(doc))

    def render(self) -> str:
        return f"{_grouped(self.left, Near)} NEAR/{self.distance} {_grouped(self.right, Near)}"


def _spans(node: Node, doc: Document) -> list[Span]:
    return node.spans(doc)  # type: ignore[attr-defined,no-any-return]


# Binding strength: a child that binds less tightly than its parent is put in parentheses.
_STRENGTH: dict[type, int] = {Or: 1, And: 2, Near: 3, Not: 4}


def _grouped(child: Node, parent: type) -> str:
    strength = _STRENGTH.get(type(child))
    if strength is not None and strength <= _STRENGTH[parent]:
        return f"({child.render()})"
    return child.render()


def _positional(node: Node) -> bool:
    if isinstance(node, Term | Phrase | Tag | Handle | Near):
        return True
    return isinstance(node, Or) and all(_positional(child) for child in node.children)


def _says_what(node: Node) -> bool:
    """Whether the query looks for something (not only NOT and filters)."""
    if isinstance(node, Term | Phrase | Tag | Handle | Near):
        return True
    if isinstance(node, Not):
        return isinstance(node.child, Not) and _says_what(node.child.child)
    if isinstance(node, And):
        return any(_says_what(child) for child in node.children)
    if isinstance(node, Or):
        return all(_says_what(child) for child in node.children)
    return False


@dataclass(frozen=True)
class Query:
    """A parsed query: `matches(document)`, and `str()` its canonical form."""

    root: Node
    source: str = field(compare=False, default="")

    def matches(self, doc: Document) -> bool:
        return self.root.matches(doc)

    def __str__(self) -> str:
        return self.root.render()


# --- reading a query ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "phrase" "word" "AND" "OR" "NOT" "NEAR"
    text: str
    position: int
    distance: int = 0


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    index, size = 0, len(query)
    while index < size:
        char = query[index]
        if char.isspace():
            index += 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, index))
            index += 1
            continue
        if char in _OPENING:
            ends = [query.find(c, index + 1) for c in _CLOSING]
            end = min((e for e in ends if e != -1), default=-1)
            if end == -1:
                raise QuerySyntaxError(
                    _("This phrase has no closing quote."),
                    index,
                    _('add a " at the end of the phrase'),
                )
            tokens.append(_Token("phrase", query[index + 1 : end], index))
            index = end + 1
            continue
        end = index
        while end < size and not query[end].isspace() and query[end] not in _STOPS:
            end += 1
        text = query[index:end]
        near = _NEAR.fullmatch(text)
        if text in OPERATORS:
            tokens.append(_Token(text, text, index))
        elif near is not None:
            if near.group(1) is None:
                raise QuerySyntaxError(
                    _("NEAR needs a distance."), index, _("write it NEAR/3 (at most 3 words apart)")
                )
            distance = int(near.group(1))
            if not 1 <= distance <= MAX_NEAR:
                raise QuerySyntaxError(
                    _("The distance of NEAR must be between 1 and %(max)d.") % {"max": MAX_NEAR},
                    index,
                    _("for example NEAR/5"),
                )
            tokens.append(_Token("NEAR", text, index, distance))
        else:
            tokens.append(_Token("word", text, index))
        index = end
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.index = 0
        self.depth = 0

    def deeper(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                _("Groups and NOTs are nested more than %(n)d deep here.") % {"n": MAX_DEPTH},
                token.position,
                _("write the query flatter: a OR b OR c needs no parentheses"),
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError(
                _("The query is empty."), 0, _('type a word, a "phrase", a #hashtag or an @handle')
            )
        node = self.or_expr()
        token = self.peek()
        if token is not None:  # only a ")" can stop the expression early
            raise QuerySyntaxError(
                _("This ) closes nothing."), token.position, _("remove it, or add a ( before it")
            )
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr(after=token))
        return children[0] if len(children) == 1 else Or(tuple(_flatten(children, Or)))

    def and_expr(self, after: _Token | None = None) -> Node:
        children = [self.near_expr(after)]
        while (token := self.peek()) is not None and token.kind in (
            "AND",
            "word",
            "phrase",
            "(",
            "NOT",
        ):
            if token.kind == "AND":
                self.take()
                children.append(self.near_expr(token))
            else:  # side by side: AND
                children.append(self.near_expr())
        return children[0] if len(children) == 1 else And(tuple(_flatten(children, And)))

    def near_expr(self, after: _Token | None = None) -> Node:
        node = self.unary(after)
        while (token := self.peek()) is not None and token.kind == "NEAR":
            self.take()
            right = self.unary(token)
            if not (_positional(node) and _positional(right)):
                raise QuerySyntaxError(
                    _("NEAR joins words, phrases, tags or handles."),
                    token.position,
                    _("move filters, AND and NOT outside: (a NEAR/3 b) AND lang:fr"),
                )
            node = Near(node, right, token.distance)
        return node

    def unary(self, after: _Token | None = None) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            self.deeper(token)
            node = Not(self.unary(token))
            self.depth -= 1
            return node
        return self.primary(after)

    def primary(self, after: _Token | None) -> Node:
        token = self.peek()
        if token is None or token.kind in ("AND", "OR", "NEAR", ")"):
            if after is not None:
                raise QuerySyntaxError(
                    _("%(operator)s needs something after it.") % {"operator": after.text},
                    after.position,
                    _("add a word after it, or remove it"),
                )
            assert token is not None  # an empty query is reported before
            if token.kind == ")":
                raise QuerySyntaxError(
                    _("These parentheses hold nothing."),
                    token.position,
                    _("put words between them, or remove them"),
                )
            raise QuerySyntaxError(
                _("%(operator)s needs something before it.") % {"operator": token.text},
                token.position,
                _("add a word before it, or remove it"),
            )
        self.take()
        if token.kind == "(":
            self.deeper(token)
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QuerySyntaxError(
                    _("This ( is never closed."), token.position, _("add a ) where the group ends")
                )
            self.take()
            self.depth -= 1
            return node
        if token.kind == "phrase":
            return _phrase(token)
        return _word(token)


def _flatten(children: Sequence[Node], kind: type) -> list[Node]:
    flat: list[Node] = []
    for child in children:
        flat += list(child.children) if isinstance(child, kind) else [child]  # type: ignore[attr-defined]
    return flat


def _phrase(token: _Token) -> Node:
    words = tuple(_words(token.text))
    if not words:
        raise QuerySyntaxError(
            _("This phrase holds no word."), token.position, _("put words between the quotes")
        )
    return Term(words[0]) if len(words) == 1 else Phrase(words)


def _word(token: _Token) -> Node:
    text, position = token.text, token.position
    key, colon, value = text.partition(":")
    if colon and key.isalpha() and not text.startswith(("#", "@")) and "//" not in text:
        if key.lower() not in FILTERS:
            raise QuerySyntaxError(
                _("%(filter)s: is not a filter.") % {"filter": key},
                position,
                _("use lang:, source: or author:, or write the word in quotes"),
            )
        cleaned = _handle(value) if key.lower() == "author" else fold(value)
        if not cleaned:
            raise QuerySyntaxError(
                _("%(filter)s: needs a value.") % {"filter": key.lower()},
                position,
                _("for example lang:fr, source:bluesky or author:@acme"),
            )
        return Filter(key.lower(), cleaned)
    if text.startswith("#"):
        name = fold(text[1:])
        if not regex.fullmatch(r"\w+", name):
            raise QuerySyntaxError(
                _("A hashtag is # followed by letters or digits."), position, _("for example #acme")
            )
        return Tag(name)
    if text.startswith("@"):
        name = _handle(text)
        if not regex.fullmatch(r"[\w][\w.\-]*(?:@[\w][\w.\-]*)?", name):
            raise QuerySyntaxError(
                _("An @handle is @ followed by the account's name."),
                position,
                _("for example @acme or @acme.bsky.social"),
            )
        return Handle(name)
    star = text.find("*")
    if star != -1 and star != len(text) - 1:
        raise QuerySyntaxError(
            _("A * can only end a word."),
            position + star,
            _("write deliver* for deliver, delivery…"),
        )
    words = _words(text.rstrip("*"))
    if not words:
        raise QuerySyntaxError(
            _("%(text)s holds no word to look for.") % {"text": text},
            position,
            _("use letters or digits, or write it in quotes"),
        )
    if star != -1:
        if len(words) > 1 or len(words[0]) < MIN_PREFIX:
            raise QuerySyntaxError(
                _("A word ending in * needs at least %(n)d letters before it.") % {"n": MIN_PREFIX},
                position,
                _("for example deliv*"),
            )
        return Term(words[0], prefix=True)
    return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))


def parse(query: str) -> Query:
    """The query, read; raises QuerySyntaxError saying what to fix and where."""
    if len(query) > MAX_QUERY:
        raise QuerySyntaxError(
            _("A query is at most %(n)d characters long.") % {"n": MAX_QUERY},
            MAX_QUERY,
            _("split it into several queries"),
        )
    root = _Parser(query).parse()
    if not _says_what(root):
        raise QuerySyntaxError(
            _("The query only says what to leave out."),
            0,
            _("add what to look for, for example: acme NOT spam, or acme lang:fr"),
        )
    return Query(root, query)


def check(query: str) -> QuerySyntaxError | None:
    """The query's first mistake, or None: for forms and the live preview."""
    try:
        parse(query)
    except QuerySyntaxError as error:
        return error
    return None
