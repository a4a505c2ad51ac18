"""Template filters for the inbox pages: network text is shown, never trusted."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()

# Above this many characters a message is shown folded, with a "show all" toggle (CSS only).
LONG_TEXT = 1500


@register.filter
def web_url(value: object) -> str:
    """The address when it is an http(s) URL, else "": a network may send `javascript:`."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""


@register.filter
def is_long(value: object) -> bool:
    return len(str(value or "")) > LONG_TEXT


@register.filter
def network_initials(network: object) -> str:
    """A two-letter badge for a network key ("bluesky" → "Bl"), beside its full label."""
    name = str(network or "?")
    return name[:2].title()


@register.filter
def css_colour(value: object) -> str:
    """A tag's colour for a style attribute: #rgb or #rrggbb only, else a neutral grey."""
    text = str(value or "")
    if len(text) in (4, 7) and text[0] == "#" and all(c in HEX for c in text[1:]):
        return text
    return "#6b7280"


HEX = frozenset("0123456789abcdefABCDEF")


@register.filter
def network_label(network: object) -> str:
    """What people call a network ("bluesky" → "Bluesky"), for an identity's badge."""
    from hubbub.networks.registry import UnknownNetwork, connector_class

    try:
        return str(connector_class(str(network)).label)
    except UnknownNetwork:
        return str(network)


@register.filter
def invisibles(value: object) -> str:
    """The invisible and direction-changing characters of a text ("U+200B, U+202E"), or "":
    the thread warns about them (a link that is not what it reads, a reversed name)."""
    from hubbub.inbox.text import invisible_characters

    return ", ".join(invisible_characters(str(value or "")))


@register.filter
def revealed(value: object) -> str:
    """The text with each of those characters written out (⟦U+202E⟧); escape it as usual."""
    from hubbub.inbox.text import visible

    return visible(str(value or ""))
