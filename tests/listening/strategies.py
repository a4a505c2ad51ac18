"""Hypothesis strategies for the listening tests: random queries and mentions over a small
vocabulary, so that queries and mentions often meet."""

from __future__ import annotations

from hypothesis import strategies as st

from hubbub.listening.query import And, Filter, Handle, Near, Node, Not, Or, Phrase, Tag, Term

WORDS = ["acme", "cafe", "froid", "livraison", "retard", "refund", "late"]


def leaf() -> st.SearchStrategy[Node]:
    return st.one_of(
        st.sampled_from(WORDS).map(Term),
        st.sampled_from(["liv", "ret", "caf"]).map(lambda w: Term(w, prefix=True)),
        st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(lambda w: Phrase(tuple(w))),
        st.sampled_from(["acme", "cafe"]).map(Tag),
        st.sampled_from(["acme", "acme@masto.example", "cafe.bsky.social"]).map(Handle),
    )


def filtered() -> st.SearchStrategy[Node]:
    """Words, and filters (which only ever appear beside words in a query)."""
    return st.one_of(leaf(), st.sampled_from(["fr", "en"]).map(lambda v: Filter("lang", v)))


def tree() -> st.SearchStrategy[Node]:
    return st.recursive(
        filtered(),
        lambda inner: st.one_of(
            inner.map(Not),
            st.lists(inner, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
            st.lists(inner, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
            st.tuples(leaf(), leaf(), st.integers(1, 4)).map(lambda t: Near(*t)),
        ),
        max_leaves=6,
    )


TEXTS = st.lists(
    st.sampled_from(
        [*WORDS, "#acme", "#cafe", "le", "et", "@acme", "@acme@masto.example", "@cafe.bsky.social"]
    ),
    max_size=12,
).map(" ".join)
LANGUAGES = st.sampled_from(["", "fr", "en"])
