"""Rich text for a Bluesky post: links, #hashtags and @mentions as facets.

Bluesky does not parse a post's text: a link is only clickable if the post carries a
`app.bsky.richtext.facet` over it, and its range is in *bytes of the UTF-8 text*, not in
characters (an "é" is 2 bytes, most emoji 4). The detection follows the rules of Bluesky's
own client library (@atproto/api, src/rich-text/detection.ts), so a post made by Hubbub
looks like one made in the app, with one difference: only links written with http:// or
https:// become links, not bare domains ("example.com"), which the app recognises from a
list of top-level domains that changes over time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

# (^|\s|\() then a URL up to the next white space; trailing punctuation is trimmed below.
_LINK = regex.compile(r"(^|\s|\()(https?://\S+)", regex.IGNORECASE)
_MENTION = regex.compile(r"(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)")
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(^|\s)[#\uff03]((?!\ufe0f)[^\s{_INVISIBLE}]*[^\d\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)?"
)
# A handle is a domain name (atproto.com/specs/handle), as in session.py.
_HANDLE = regex.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
MAX_TAG_LENGTH = 64  # app.bsky.richtext.facet#tag: maxLength 640 bytes, maxGraphemes 64


@dataclass(frozen=True)
class Span:
    """A detected facet, in character offsets, before it is turned into bytes."""

    start: int
    end: int
    kind: str  # "link", "tag" or "mention"
    value: str  # the URI, the tag without "#", or the handle without "@"


def detect(text: str) -> list[Span]:
    spans = [*_links(text), *_tags(text), *_mentions(text)]
    spans.sort(key=lambda s: s.start)
    # Keep the first of overlapping spans (a URL wins over what looks like a tag inside it).
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def _links(text: str) -> list[Span]:
    found = []
    for match in _LINK.finditer(text):
        uri = match.group(2)
        start = match.start(2)
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
        found.append(Span(start, start + len(uri), "link", uri))
    return found


def _tags(text: str) -> list[Span]:
    found = []
    for match in _TAG.finditer(text):
        tag = match.group(2)
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", tag.strip())
        if not tag or len(tag) > MAX_TAG_LENGTH:
            continue
        start = match.start(2) - 1  # the "#"
        found.append(Span(start, start + 1 + len(tag), "tag", tag))
    return found


def _mentions(text: str) -> list[Span]:
    found = []
    for match in _MENTION.finditer(text):
        handle = match.group(3)
        if not _HANDLE.match(handle.lower()):
            continue
        start = match.start(2)
        found.append(Span(start, start + 1 + len(handle), "mention", handle.lower()))
    return found


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The `facets` of a post with this text. Mentions need the account's DID:
    `resolve_handle` returns it, or None for a handle nobody has (left as plain text)."""
    result: list[dict[str, Any]] = []
    for span in detect(text):
        if span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            did = resolve_handle(span.value)
            if did is None:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        result.append(
            {
                "index": {
                    "byteStart": byte_offset(text, span.start),
                    "byteEnd": byte_offset(text, span.end),
                },
                "features": [feature],
            }
        )
    return result
