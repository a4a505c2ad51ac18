"""Attachments on a Mastodon status: upload each file, wait until the server has processed it.

POST /api/v2/media (multipart: `file`, and `description` for the alt text) answers 200 with
a ready attachment, or 202 when the server still processes it (videos, large images): its
`url` is null until then. GET /api/v1/media/:id answers 206 while processing and 200 once
done. A status may only reference attachments that are ready, so we wait, but not for ever:
a job that waits minutes holds a worker, so after PROCESSING_WAIT seconds we give up with a
transient error and the dispatcher tries the whole part again later.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, TransientError, read_media
from hubbub.networks.mastodon.client import call, call_response, json_of
from hubbub.networks.outgoing import MediaFile

if TYPE_CHECKING:
    from hubbub.networks.mastodon.connector import MastodonConnector

PROCESSING_WAIT = 60.0  # seconds, for all the attachments of one status together
POLL_DELAYS = (1.0, 2.0, 3.0, 5.0)  # then every 5 s
sleep = time.sleep  # replaced in tests
monotonic = time.monotonic


def upload_all(conn: MastodonConnector, files: tuple[MediaFile, ...]) -> list[str]:
    """The attachment ids of the files, every one of them processed, in order."""
    deadline = monotonic() + PROCESSING_WAIT
    return [upload(conn, media, deadline) for media in files]


def upload(conn: MastodonConnector, media: MediaFile, deadline: float) -> str:
    content = read_media(media)
    data = {"description": media.alt_text} if media.alt_text else None
    response = call_response(
        "POST",
        conn.config.server,
        "/api/v2/media",
        token=conn.token(),
        data=data,
        files={"file": (media.path.name, content, media.mime_type)},
    )
    attachment = _attachment(json_of(response))
    if response.status_code == 200 and attachment.get("url"):
        return str(attachment["id"])
    return _wait_until_processed(conn, str(attachment["id"]), media, deadline)


def _wait_until_processed(
    conn: MastodonConnector, media_id: str, media: MediaFile, deadline: float
) -> str:
    attempt = 0
    while True:
        delay = POLL_DELAYS[min(attempt, len(POLL_DELAYS) - 1)]
        if monotonic() + delay > deadline:
            raise TransientError(
                _(
                    "%(host)s is still processing %(name)s; Hubbub will try the post again "
                    "in a few minutes."
                )
                % {"host": conn.host, "name": media.path.name},
                network_message=_("still processing"),
            )
        sleep(delay)
        attempt += 1
        attachment = _attachment(
            call("GET", conn.config.server, f"/api/v1/media/{media_id}", token=conn.token())
        )
        if attachment.get("url"):
            return media_id


def _attachment(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body.get("id"):
        raise PermanentError(_("The Mastodon server answered the upload without an attachment."))
    return body
