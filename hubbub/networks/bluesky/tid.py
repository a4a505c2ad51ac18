"""Record keys for posts, derived from the part's idempotency key.

An app.bsky.feed.post's record key must be a TID (atproto.com/specs/tid): 13 characters of
the "base32-sortable" alphabet encoding a 64-bit number whose top bit is 0, then 53 bits of
microseconds since the Unix epoch, then a 10-bit clock id.

We choose the key ourselves rather than letting the PDS pick one, so that a retried
createRecord of a post that was already created targets the *same* record: the PDS refuses
the second create instead of publishing a duplicate, and getRecord on that key finds the
post after an attempt whose outcome is unknown. The TID is built from:
- the second the part was due (`not_before`): it stays the same across retries, and keeps
  the key close to the post's real time, as the spec asks of TIDs;
- a SHA-256 hash of the idempotency key for the microseconds within that second (20 bits)
  and the clock id (10 bits): two different parts of one account due in the same second
  collide with a probability of about one in a billion.
Without `not_before` the current second is used, so the key is stable only within one
attempt; the dispatcher always passes it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LENGTH = 13
_MICROS = 1_000_000


def encode(value: int) -> str:
    """A 63-bit number as its 13-character base32-sortable form (most significant first)."""
    if not 0 <= value < 1 << 63:
        raise ValueError("a TID holds a 63-bit number")
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode(tid: str) -> int:
    value = 0
    for char in tid:
        value = value * 32 + ALPHABET.index(char)
    return value


def is_valid(tid: str) -> bool:
    """The spec's syntax: 13 characters of the alphabet, the first one keeping bit 64 at 0."""
    return (
        len(tid) == LENGTH
        and all(c in ALPHABET for c in tid)
        and tid[0] in ALPHABET[:16]  # "234567abcdefghij"
    )


def for_part(idempotency_key: str, due: datetime | None) -> str:
    """The record key of the post that publishes the part with this idempotency key."""
    moment = (due or datetime.now(UTC)).astimezone(UTC)
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    seed = int.from_bytes(digest[:8], "big")
    micros_in_second = (seed >> 10) % _MICROS
    clock_id = seed & 0x3FF
    timestamp = int(moment.timestamp()) * _MICROS + micros_in_second
    return encode((timestamp << 10) | clock_id)


def timestamp_of(tid: str) -> datetime:
    return datetime.fromtimestamp((decode(tid) >> 10) / _MICROS, UTC)
