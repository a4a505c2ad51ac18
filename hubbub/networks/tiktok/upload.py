"""Sending a video's bytes to the upload_url of a FILE_UPLOAD post, in chunks.

Media Transfer Guide (https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide),
"Chunk restrictions":
- total_chunk_count is video_size divided by chunk_size, rounded down;
- each chunk is 5 MB to 64 MB, except the last, which takes the trailing bytes (up to 128 MB);
- a video under 5 MB goes whole (chunk_size = video_size); one over 64 MB must be chunked;
- 1 to 1000 chunks, sent in order.
Each chunk is a PUT with Content-Type (the video's MIME type) and
Content-Range: bytes {first}-{last}/{total}. TikTok answers 206 Partial Content while
chunks remain and 201 Created once the whole video is in. The upload_url carries its own
token (no Authorization header) and is valid for an hour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import TransientError, open_media
from hubbub.networks.outgoing import MediaFile
from hubbub.networks.tiktok import client

MB = 1024 * 1024
# Up to this size a video goes in one request (the guide allows one chunk up to 64 MB).
SINGLE_MAX = 64 * MB
# Chunks of a larger video: within 5 to 64 MB; 4 GB makes 409 of them, under the 1000 cap.
CHUNK = 10 * MB
CHUNK_TIMEOUT = 120.0  # seconds for one chunk, on a slow uplink


@dataclass(frozen=True)
class Plan:
    size: int
    chunk_size: int
    total_chunk_count: int

    def span(self, index: int) -> tuple[int, int]:
        """The first and last byte of chunk `index`; the last chunk takes the rest."""
        first = index * self.chunk_size
        last = self.size - 1 if index == self.total_chunk_count - 1 else first + self.chunk_size - 1
        return first, last

    def source_info(self) -> dict[str, object]:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }


def plan(size: int) -> Plan:
    if size <= SINGLE_MAX:
        return Plan(size, size, 1)
    return Plan(size, CHUNK, size // CHUNK)


def send(upload_url: str, video: MediaFile, chunks: Plan, before_last: Callable[[], None]) -> None:
    """PUT every chunk in order, calling `before_last` just before the last one (from then
    on the post may appear). Raises TransientError (sent=True only when the last chunk may
    have arrived, which makes the video whole) or the mapped TikTok error."""
    with open_media(video) as handle:
        for index in range(chunks.total_chunk_count):
            first, last = chunks.span(index)
            handle.seek(first)
            body = handle.read(last - first + 1)
            final = index == chunks.total_chunk_count - 1
            if final:
                before_last()
            headers = {
                "Content-Type": video.mime_type,
                "Content-Range": f"bytes {first}-{last}/{chunks.size}",
            }
            try:
                response = http.request(
                    "PUT", upload_url, headers=headers, content=body, timeout=CHUNK_TIMEOUT
                )
            except http.OutboundError as exc:
                raise TransientError(
                    _("The upload to TikTok broke off: %(reason)s") % {"reason": exc.message},
                    sent=final and exc.sent,
                ) from None
            if response.status_code in (200, 201, 206):
                continue
            error = client.error_for(response)
            error.sent = False  # a refused chunk leaves the video incomplete: no post
            raise error
