"""Text from networks, made safe to store without losing any of it.

What a network sends is untrusted and sometimes broken: invalid UTF-8, lone surrogates from a
JSON escape, NUL bytes (which PostgreSQL refuses in text), control characters, decomposed
accents. `clean` repairs only what cannot be stored or compared, and keeps everything a
person wrote as text: HTML stays literal (it is escaped wherever shown), zero-width and
right-to-left characters stay (the page escapes them and `visible` shows where they are).
Nothing is cut below MAX_TEXT characters; above, the start is kept and ingestion records the
original length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Far above any network's limit (the longest comments are a few tens of thousands of
# characters): only a broken or hostile network sends more.
MAX_TEXT = 1_000_000

# C0 controls except tab and line feed; carriage returns become line feeds first.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEWLINES = re.compile(r"\r\n?")
_SPACES = re.compile(r"\s+")

# Characters that change how text around them is shown without showing themselves.
INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u180e"  # Mongolian vowel separator
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space, (non-)joiner, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides (U+202E: RTL override)
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # isolates
    "\ufeff"  # zero-width no-break space (BOM)
)
# Bidi controls that open a run, and the character that closes each.
_OPENERS = {
    "\u202a": "\u202c",
    "\u202b": "\u202c",
    "\u202d": "\u202c",
    "\u202e": "\u202c",
    "\u2066": "\u2069",
    "\u2067": "\u2069",
    "\u2068": "\u2069",
}
_CLOSERS = frozenset("\u202c\u2069")


@dataclass(frozen=True)
class Cleaned:
    text: str
    truncated_from: int | None = None  # the cleaned length before cutting, when cut


def clean_text(raw: str | bytes | None) -> Cleaned:
    """`clean`, saying whether the text was cut at MAX_TEXT (and from what length)."""
    if raw is None:
        return Cleaned("")
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace")
    else:
        text = str(raw)
        if not text.isascii():
            # A str from a JSON escape may hold surrogates: pairs become the character they
            # encode, a lone one (not storable in UTF-8) becomes U+FFFD.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    text = _CONTROLS.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if len(text) > MAX_TEXT:
        return Cleaned(text[:MAX_TEXT], truncated_from=len(text))
    return Cleaned(text)


def clean(raw: str | bytes | None) -> str:
    """Text as a network sent it, made storable: invalid UTF-8 and lone surrogates become
    U+FFFD, NUL and other C0 controls (except tab and line feed) go, CR LF becomes LF, NFC.
    Everything else is kept as written, up to MAX_TEXT characters."""
    return clean_text(raw).text


def clean_line(raw: str | bytes | None, length: int) -> str:
    """A one-line field (a name, a handle) cleaned and cut to fit its column."""
    return _SPACES.sub(" ", clean(raw)).strip()[:length]


def excerpt(text: str, length: int = 140) -> str:
    """One line of at most `length` characters for lists, ending with … when cut. A
    right-to-left override or isolate left open is closed at the end, so that it cannot
    reverse what the page shows after the excerpt."""
    line = _SPACES.sub(" ", text).strip()
    if len(line) > length:
        line = line[: max(length - 1, 0)].rstrip() + "…"
    return _close_bidi(line)


def _close_bidi(text: str) -> str:
    if not any(char in _OPENERS or char in _CLOSERS for char in text):
        return text
    stack: list[str] = []
    for char in text:
        if char in _OPENERS:
            stack.append(_OPENERS[char])
        elif char in _CLOSERS and stack and stack[-1] == char:
            stack.pop()
    return text + "".join(reversed(stack))


def invisible_characters(text: str) -> list[str]:
    """The invisible and direction-changing characters in `text`, in order of appearance,
    each once (e.g. ["U+200B", "U+202E"]): what a page warns about."""
    seen: dict[str, None] = {}
    for char in text:
        if char in INVISIBLE:
            seen.setdefault(f"U+{ord(char):04X}", None)
    return list(seen)


def visible(text: str) -> str:
    """`text` with each invisible or direction-changing character written out as ⟦U+202E⟧,
    for a person checking what a message really contains (still to be escaped when shown)."""
    if not any(char in INVISIBLE for char in text):
        return text
    return "".join(f"⟦U+{ord(char):04X}⟧" if char in INVISIBLE else char for char in text)
