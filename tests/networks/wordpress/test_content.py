"""A Hubbub text as a WordPress title and body, the slug that finds it again, and a rendered
comment as plain text."""

from __future__ import annotations

import pytest

from hubbub.networks.wordpress.content import (
    TITLE_MAX,
    plain_text,
    slug_for,
    title_and_body,
    to_html,
)


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        # A headline line, then the article: the headline is the title.
        ("Spring launch\n\nIt starts today.", "Spring launch", "It starts today."),
        ("Spring launch\nIt starts today.", "Spring launch", "It starts today."),
        # One line: the title is that line, the body keeps it too (a post is never empty).
        ("Short news", "Short news", "Short news"),
        # A first line over the limit is cut at a word and kept whole in the body.
        ("word " * 30 + "\nmore", ("word " * 15).strip() + "…", "word " * 30 + "\nmore"),
    ],
)
def test_title_and_body(text: str, title: str, body: str) -> None:
    got_title, got_body = title_and_body(text)
    assert got_title == title
    assert got_body == body.strip()
    assert len(got_title) <= TITLE_MAX


def test_a_long_word_is_cut_where_it_must() -> None:
    title, _body = title_and_body("x" * 200)
    assert title == "x" * (TITLE_MAX - 1) + "…"


def test_the_body_is_escaped_with_paragraphs_breaks_and_links() -> None:
    assert to_html("A <b> & 'q'\nnext line\n\n\nhttps://example.com/a?b=1&c=2, ok") == (
        "<p>A &lt;b&gt; &amp; 'q'<br>\nnext line</p>\n\n"
        '<p><a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>'
        ", ok</p>"
    )
    assert '"><script>' not in to_html('https://example.com/"><script>')


def test_the_slug_is_readable_and_unique_to_the_part() -> None:
    slug = slug_for("Déjà vu: our launch!", "delivery-7:0")
    assert slug.startswith("deja-vu-our-launch-hb") and len(slug) == len("deja-vu-our-launch-") + 12
    assert slug == slug_for("Déjà vu: our launch!", "delivery-7:0")
    assert slug != slug_for("Déjà vu: our launch!", "delivery-7:1")
    assert slug_for("🎉", "k").startswith("hb")


def test_a_rendered_comment_reads_as_text() -> None:
    rendered = "<p>Nice <b>post</b> &amp; more<br />\nline two</p>\n<p>&lt;b&gt; stays</p>\n"
    assert plain_text(rendered) == "Nice post & more\nline two\n\n<b> stays"
