"""Matrix's only text limit: the size of an event, in bytes.

Client-Server API, "Size limits": "The complete event MUST NOT be larger than 65536 bytes,
when formatted with the federation event format, including any signatures, and encoded as
Canonical JSON." There is no limit on characters. The body we write is one JSON string in
that event, so what counts is its UTF-8 bytes *after JSON escaping*: an ASCII letter is one
byte, "é" two, "€" three, an emoji four; a quote, a backslash or a newline two (\\" \\\\ \\n),
another control character six (\\u0001). Canonical JSON writes non-ASCII characters as UTF-8,
not as \\u escapes, so they are not inflated further.

The rest of the event is the envelope the homeserver adds (room_id and sender, up to 255
bytes each; event type; origin_server_ts; depth; up to 20 prev_events and the auth_events,
44-byte ids each; hashes; the server's signature) plus our own content keys (msgtype, a
thread relation with two event ids). That stays under 3 KiB even with long ids; HEADROOM
keeps 4 KiB for it, so a body we accept is never refused with M_TOO_LARGE.
"""

from __future__ import annotations

import json

from hubbub.networks.base import TextLimits

MAX_EVENT_BYTES = 65_536  # "Size limits"
HEADROOM = 4_096  # the federation envelope and our content keys, see above
MAX_BODY_BYTES = MAX_EVENT_BYTES - HEADROOM
# GET /_matrix/client/v1/media/config answers m.upload.size; a server that does not say
# (the key is optional) gets Synapse's default max_upload_size, 50M.
DEFAULT_UPLOAD_BYTES = 50 * 1024 * 1024


def body_bytes(text: str) -> int:
    """The bytes `text` takes as a JSON string value in the event (without its quotes)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


class EventBytesTextLimits(TextLimits):
    """TextLimits counted as Matrix does: bytes of the event's body, JSON-escaped."""

    def count(self, text: str) -> int:
        return body_bytes(text)
