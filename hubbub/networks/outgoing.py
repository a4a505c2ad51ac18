"""What the publishing dispatcher hands a connector, and what the connector hands back.

The dispatcher publishes one *part* at a time: a thread is a chain of parts, each a reply
to the previous one (the connector receives `reply_to` with the thread's root and parent),
and a first comment is one more part whose parent is the post. Every part carries an
`idempotency_key` that stays the same across retries, so that a connector can find a part
it may already have published when an earlier attempt's outcome is unknown (a timeout after
the request was sent): `Connector.find_published()` is asked before any retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MediaFile:
    """One image or video, stored locally before it is uploaded to the network."""

    path: Path
    mime_type: str  # image/jpeg, image/png, image/webp, image/gif, video/mp4, ...
    size: int  # bytes
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True)
class PublishedRef:
    """Where a published part lives on the network.

    external_id: the network's id for it (Bluesky: the at:// URI; Mastodon: the status id).
    url: the public web address people open. data: what the network needs to reply to it or
    delete it later (Bluesky: uri and cid).
    """

    external_id: str
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyTarget:
    root: PublishedRef
    parent: PublishedRef


@dataclass(frozen=True)
class OutgoingPart:
    text: str
    idempotency_key: str
    media: tuple[MediaFile, ...] = ()
    link: str = ""  # a link to preview (card); networks that build cards from the text ignore it
    reply_to: ReplyTarget | None = None
    language: str = ""  # BCP 47, e.g. "en" or "fr"; empty when unknown
    not_before: datetime | None = None  # when the part was due: used to narrow reconciliation
