"""Images, GIFs and video on an X post, through the X API v2 media endpoints (docs.x.com,
X API > Media):

- a photo: one request, POST /2/media/upload (multipart: `media`, `media_category`
  tweet_image, `media_type`), answering the media id at once;
- a GIF or a video: the chunked upload, POST /2/media/upload/initialize (JSON: media_type,
  total_bytes, media_category tweet_gif / tweet_video), then POST
  /2/media/upload/{id}/append for each chunk (multipart: `media`, `segment_index`), then
  POST /2/media/upload/{id}/finalize. When FINALIZE answers a `processing_info`, X is still
  processing the file: GET /2/media/upload?command=STATUS&media_id=… tells its `state`
  (pending → in_progress → succeeded | failed) and `check_after_secs`, and a post may
  only use the media once it succeeded;
  (The API reference documents these three paths, "Initialize / Append / Finalize media
  upload"; the older `command=INIT|APPEND|FINALIZE` form on /2/media/upload still appears
  in the chunked-upload quickstart, and X's own Python sample moved to the new paths.)
- alt text: POST /2/media/metadata {"id", "metadata": {"alt_text": {"text"}}} (up to 1,000
  characters), before the post is created. X documents alt text for photos and GIFs.

Waiting for a video. A publishing worker must not sleep for minutes, so one call polls
STATUS for at most PROCESSING_WAIT seconds, as check_after_secs asks; if the video is still
processing then, the call ends with a TransientError whose retry_at is when X said to
check again. The uploaded media id is kept (Django's cache, keyed by the channel, the part's
idempotency key and the file) until that retry, which checks STATUS again for the same media
instead of uploading the file again. Where the cache is per process (Django's default), a
retry that lands on another process uploads once more: slower, never wrong, since media that
no post uses expires on X's side (expires_after_secs).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, TransientError, read_media, upload_file
from hubbub.networks.outgoing import MediaFile, OutgoingPart
from hubbub.networks.x.client import call, data_of

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector

UPLOAD = "/2/media/upload"
INITIALIZE = "/2/media/upload/initialize"
METADATA = "/2/media/metadata"
# APPEND chunks: X's own samples send 4 MB; segment_index goes up to 999, so 4 GB at most.
CHUNK_BYTES = 4 * 1024 * 1024
# How long one publish call waits for X to process a video before giving the worker back.
PROCESSING_WAIT = 5.0
DEFAULT_CHECK_AFTER = 5  # seconds, when X does not say
# A processing video's media id is kept this long at most (X keeps an unused upload for
# expires_after_secs, a day or more; a retry comes back within minutes).
KEEP_FOR = 6 * 3600
sleep = time.sleep  # replaced in tests
monotonic = time.monotonic


def upload_all(conn: XConnector, part: OutgoingPart) -> list[str]:
    """The media ids of the part's files, in order, each ready to be posted."""
    files = part.media
    gifs = [m for m in files if m.mime_type == "image/gif"]
    if gifs and len(files) > 1:
        raise PermanentError(
            _(
                "X takes one animated GIF alone in a post, not with other images: move "
                "%(name)s to a post of its own."
            )
            % {"name": gifs[0].path.name}
        )
    return [upload(conn, part, index, media) for index, media in enumerate(files)]


def upload(conn: XConnector, part: OutgoingPart, index: int, media: MediaFile) -> str:
    chunked = media.mime_type == "image/gif" or media.mime_type.startswith("video/")
    media_id = _chunked(conn, part, index, media) if chunked else _simple(conn, media)
    if media.alt_text and not media.mime_type.startswith("video/"):
        call(
            conn,
            "POST",
            METADATA,
            json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text}}},
        )
    return media_id


def _simple(conn: XConnector, media: MediaFile) -> str:
    body = call(
        conn,
        "POST",
        UPLOAD,
        data={"media_category": "tweet_image", "media_type": media.mime_type},
        files={"media": upload_file(media)},
    )
    return str(data_of(body, "the upload")["id"])


def processing_key(conn: XConnector, part: OutgoingPart, index: int, media: MediaFile) -> str:
    """Where a still-processing upload's media id waits for the retry: this channel, this
    part (its idempotency key stays the same across retries), this file."""
    return (
        f"hubbub:x:media:{conn.channel.pk}:{conn.channel.external_id}:"
        f"{part.idempotency_key}:{index}:{media.path.name}:{media.size}"
    )


def _chunked(conn: XConnector, part: OutgoingPart, index: int, media: MediaFile) -> str:
    key = processing_key(conn, part, index, media)
    kept = cache.get(key)
    if isinstance(kept, str) and kept:
        try:
            info = _status(conn, kept)
        except PermanentError as exc:
            if exc.status not in (400, 404):
                raise
            cache.delete(key)  # expired or unknown on X's side: upload it again
        else:
            return _until_ready(conn, kept, info, key, media)
    content = read_media(media)
    category = "tweet_gif" if media.mime_type == "image/gif" else "tweet_video"
    started = data_of(
        call(
            conn,
            "POST",
            INITIALIZE,
            json={
                "media_type": media.mime_type,
                "total_bytes": len(content),
                "media_category": category,
            },
        ),
        "the upload's initialisation",
    )
    media_id = str(started["id"])
    for segment, offset in enumerate(range(0, len(content), CHUNK_BYTES)):
        call(
            conn,
            "POST",
            f"{UPLOAD}/{media_id}/append",
            data={"segment_index": str(segment)},
            files={"media": ("chunk", content[offset : offset + CHUNK_BYTES], media.mime_type)},
        )
    finished = data_of(
        call(conn, "POST", f"{UPLOAD}/{media_id}/finalize"), "the upload's finalisation"
    )
    processing = finished.get("processing_info")
    if not isinstance(processing, dict):
        return media_id  # no processing_info: ready at once
    cache.set(key, media_id, timeout=KEEP_FOR)
    return _until_ready(conn, media_id, processing, key, media)


def _status(conn: XConnector, media_id: str) -> dict[str, Any]:
    body = call(conn, "GET", UPLOAD, params={"command": "STATUS", "media_id": media_id})
    info = data_of(body, "the upload's status").get("processing_info")
    return info if isinstance(info, dict) else {"state": "succeeded"}


def _until_ready(
    conn: XConnector, media_id: str, info: dict[str, Any], key: str, media: MediaFile
) -> str:
    deadline = monotonic() + PROCESSING_WAIT
    while True:
        state = str(info.get("state") or "succeeded")
        if state == "succeeded":
            return media_id
        if state == "failed":
            cache.delete(key)
            found = info.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            raise PermanentError(
                _("X could not process %(name)s: %(reason)s")
                % {
                    "name": media.path.name,
                    "reason": error.get("message") or error.get("name") or _("no reason given"),
                },
                network_message=str(error.get("message") or ""),
            )
        wait = info.get("check_after_secs")
        wait = wait if isinstance(wait, int | float) and wait > 0 else DEFAULT_CHECK_AFTER
        if monotonic() + wait > deadline:
            raise TransientError(
                _("X is still processing %(name)s (%(percent)s%%); Hubbub posts it once done.")
                % {"name": media.path.name, "percent": info.get("progress_percent") or 0},
                network_message=state,
                retry_at=timezone.now() + timedelta(seconds=wait),
            )
        sleep(wait)
        info = _status(conn, media_id)


def forget(conn: XConnector, part: OutgoingPart) -> None:
    """After the post is created: its kept media ids are used, and must not be reused."""
    for index, media in enumerate(part.media):
        cache.delete(processing_key(conn, part, index, media))
