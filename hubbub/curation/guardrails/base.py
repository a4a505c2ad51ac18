"""What the guardrails read (a `Subject`: what a post is) and what they say (`Finding`s).

A subject holds the texts grouped by channel: when several channels share one text (the
composer's default), it is one `ChannelText` for all of them, so a finding is said once and
names every channel it concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hubbub.core.models import Workspace

# Where in a channel's text a finding is: a part's index (0, 1…), or one of these.
FIRST_COMMENT = -1
LINK_FIELD = -2
MEDIA = -3
WHOLE_POST = -4
QUOTE_AROUND = 30  # characters of context shown on each side of a span


@dataclass(frozen=True)
class ChannelText:
    """The text going to one or more channels (labels like "Mastodon · @acme")."""

    channel_ids: tuple[int, ...]
    channel_labels: tuple[str, ...]
    parts: tuple[str, ...]
    first_comment: str = ""
    link: str = ""

    def pieces(self) -> list[tuple[int, str]]:
        """(where, text) of each non-empty piece: the parts, the first comment, the link."""
        found = [(i, p) for i, p in enumerate(self.parts) if p.strip()]
        if self.first_comment.strip():
            found.append((FIRST_COMMENT, self.first_comment))
        if self.link.strip():
            found.append((LINK_FIELD, self.link))
        return found

    @property
    def joined(self) -> str:
        return "\n".join(text for _where, text in self.pieces())


@dataclass(frozen=True)
class MediaAlt:
    label: str  # the file's name, as the composer shows it
    alt_text: str
    part_index: int = 0
    is_image: bool = True


@dataclass
class Subject:
    """Everything the rules read about one post (saved or being written)."""

    workspace: Workspace
    texts: list[ChannelText]
    media: list[MediaAlt] = field(default_factory=list)
    campaign_id: int | None = None
    share_sources: list[str] = field(default_factory=list)  # "feed:<id>", "library:<id>"
    sponsored: bool = False
    partner: str = ""
    post_id: int | None = None  # a post is never a duplicate of itself

    @property
    def channel_ids(self) -> list[int]:
        return [cid for t in self.texts for cid in t.channel_ids]


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's code, e.g. "personal_data"
    label: str  # the rule's name for people
    mode: str  # "warn" or "block"
    message: str  # what is wrong and what to do
    channels: tuple[str, ...] = ()  # the channels' labels; empty: the whole post
    where: int = WHOLE_POST  # a part's index, FIRST_COMMENT, LINK_FIELD, MEDIA, WHOLE_POST
    start: int | None = None  # the span in that piece of text (None: no span, e.g. missing)
    end: int | None = None
    matched: str = ""
    before: str = ""  # a little of the text around the span, to quote it
    after: str = ""

    @property
    def blocks(self) -> bool:
        return self.mode == "block"

    @property
    def part_number(self) -> int | None:
        return self.where + 1 if self.where >= 0 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": self.label,
            "mode": self.mode,
            "message": self.message,
            "channels": list(self.channels),
            "where": where_code(self.where),
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
        }


def where_code(where: int) -> str:
    """How the API names a finding's place: "part:1" (first part), "first_comment"…"""
    if where >= 0:
        return f"part:{where + 1}"
    return {
        FIRST_COMMENT: "first_comment",
        LINK_FIELD: "link",
        MEDIA: "media",
    }.get(where, "post")


@dataclass(frozen=True)
class Hit:
    """What a rule found, before the registry adds the rule's label and mode."""

    message: str
    text: ChannelText | None = None  # None: the whole post
    where: int = WHOLE_POST
    span: tuple[int, int] | None = None
    source: str = ""  # the piece of text the span is in

    def quote(self) -> tuple[str, str, str]:
        if self.span is None:
            return "", "", ""
        start, end = self.span
        before = self.source[max(0, start - QUOTE_AROUND) : start]
        after = self.source[end : end + QUOTE_AROUND]
        return before, self.source[start:end], after


# A rule: reads the subject and its options, returns what it found.
Check = Callable[[Subject, Mapping[str, Any]], list[Hit]]
