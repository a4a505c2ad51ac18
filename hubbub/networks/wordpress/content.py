"""A Hubbub text as a WordPress post, and a WordPress comment as text.

Title. A blog post needs a title and Hubbub's text has none, so it is taken from the text:
- when the text has several lines and its first line is at most TITLE_MAX characters, that
  line is the title and the rest is the body (write a headline, a blank line, the article);
- otherwise the title is the start of the first line, cut at a word boundary to at most
  TITLE_MAX characters with "…", and the body is the whole text (nothing is lost).

Body. The text is HTML-escaped (what the person wrote is what readers see: a "<b>" in the
text shows as "<b>"), blank lines separate paragraphs (<p>), single line breaks become <br>,
and web addresses become links.
"""

from __future__ import annotations

import hashlib
import html
from html.parser import HTMLParser

import regex
from django.utils.text import slugify

TITLE_MAX = 80
# A slug's readable part: WordPress accepts 200 characters, short addresses read better.
SLUG_WORDS_MAX = 50
_URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'}]", regex.IGNORECASE)
_PARAGRAPHS = regex.compile(r"\n[ \t]*\n+")


def title_and_body(text: str) -> tuple[str, str]:
    text = text.strip().replace("\r\n", "\n")
    first, _sep, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and 0 < len(first) <= TITLE_MAX:
        return first, rest.strip()
    return shorten(first, TITLE_MAX), text


def shorten(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary not too far back; else cut the long word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"


def to_html(text: str) -> str:
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text.strip().replace("\r\n", "\n"))]
    return "\n\n".join(f"<p>{_linked(p)}</p>" for p in paragraphs if p)


def _linked(paragraph: str) -> str:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(paragraph):
        out.append(html.escape(paragraph[last : match.start()], quote=False))
        url = html.escape(match.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(html.escape(paragraph[last:], quote=False))
    return "".join(out).replace("\n", "<br>\n")


def slug_for(title: str, idempotency_key: str) -> str:
    """The post's slug: readable words from the title, then a tag derived from the key
    ("our-spring-launch-hb3f9c2a1d"). The tag makes the slug unique to this part, so that
    GET /wp/v2/posts?slug=... finds exactly it after an attempt whose outcome is unknown."""
    tag = "hb" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:10]
    words = slugify(title)[:SLUG_WORDS_MAX].strip("-")
    return f"{words}-{tag}" if words else tag


class _TextExtractor(HTMLParser):
    """The text of a rendered comment: paragraphs and line breaks become new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # Rendered HTML's own line breaks are tags (wpautop made them); a raw new line is
        # layout, as a space is.
        self.parts.append(data.replace("\n", " "))


def plain_text(rendered: str) -> str:
    parser = _TextExtractor()
    parser.feed(rendered)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
