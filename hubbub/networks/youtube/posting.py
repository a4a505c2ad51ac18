"""Publishing on YouTube: one part is one video upload (videos.insert), with the resumable
upload protocol (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol).

1. POST .../upload/youtube/v3/videos?uploadType=resumable&part=snippet,status with the
   video's metadata: the answer's Location header is the session URI.
2. PUT the bytes to the session URI in chunks (multiples of 256 KiB) with Content-Range;
   YouTube answers 308 with the Range it holds, and 200/201 with the video resource once
   the last byte is in. The video exists from then on (YouTube processes it afterwards).
3. After an interruption, PUT an empty body with Content-Range: bytes */<size>: the answer
   is 308 with the Range received (resume from there) or 200/201 with the finished video.

The session URI is kept with the channel's encrypted credentials, under the part's
idempotency key, until the upload is finished. That makes reconciliation exact: after a
time-out, find_published asks the session (step 3): a finished upload gives the video
itself, an unfinished one means no video exists yet, and the next publish resumes the same
session instead of uploading a second copy. A session URI lets anyone holding it upload, so
it is stored like a token and never logged (hubbub.core.http logs no query strings).

A part with reply_to is an answer to a comment from the inbox, not a video: engage.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import ConnectorError, PermanentError, TransientError, open_media
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.youtube import client, engage
from hubbub.networks.youtube.limits import description_of, title_of

if TYPE_CHECKING:
    from hubbub.networks.youtube.connector import YouTubeConnector

# "the size of each chunk must be a multiple of 256 KB" (resumable upload guide, step 3).
CHUNK = 32 * 256 * 1024  # 8 MiB
CHUNK_TIMEOUT = 120.0  # seconds for one chunk, on a slow uplink
# Google keeps an unfinished session about a week; older ones are forgotten.
SESSION_LIFETIME = timedelta(days=7)
SESSIONS = "upload_sessions"


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def metadata(conn: YouTubeConnector, part: OutgoingPart, video: MediaFile) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "title": title_of(part.text, fallback=video.path.stem[:100]),
        "description": description_of(part.text),
        "categoryId": conn.config.category_id,
    }
    if part.language:
        snippet["defaultLanguage"] = part.language
    return {
        "snippet": snippet,
        "status": {
            "privacyStatus": conn.config.privacy_status,
            "selfDeclaredMadeForKids": conn.config.made_for_kids,
        },
    }


def publish(conn: YouTubeConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None:  # an answer to a comment, from the inbox
        return engage.reply(conn, part, part.reply_to.parent)
    video = _video(part)
    session = _stored(conn, part.idempotency_key, video.size)
    offset = 0
    if session:
        state = query(conn, session, video.size)
        if isinstance(state, dict):  # the earlier attempt finished after all
            _forget(conn, part.idempotency_key)
            return finished(state)
        if state is None:  # Google no longer knows the session: start over
            _forget(conn, part.idempotency_key)
            session = ""
        else:
            offset = state
    if not session:
        session = start(conn, part, video)
        _remember(conn, part.idempotency_key, session, video.size)
    resource = send(conn, session, video, offset)
    _forget(conn, part.idempotency_key)
    return finished(resource)


def _video(part: OutgoingPart) -> MediaFile:
    videos = [m for m in part.media if m.mime_type.startswith("video/")]
    if len(videos) != 1 or len(part.media) != 1:
        raise PermanentError(_("A YouTube post is exactly one video: attach one, and only one."))
    return videos[0]


def start(conn: YouTubeConnector, part: OutgoingPart, video: MediaFile) -> str:
    try:
        response = conn.api(
            "POST",
            f"{client.UPLOAD}?uploadType=resumable&part=snippet,status",
            json=metadata(conn, part, video),
            headers={
                "X-Upload-Content-Length": str(video.size),
                "X-Upload-Content-Type": video.mime_type,
            },
        )
    except ConnectorError as exc:
        exc.sent = False  # a session without bytes is no video: nothing to reconcile
        raise
    location = str(response.headers.get("location", ""))
    if not location.startswith("https://"):
        raise TransientError(_("YouTube did not open an upload session: Hubbub will try again."))
    return location


def send(conn: YouTubeConnector, session: str, video: MediaFile, offset: int) -> dict[str, Any]:
    size = video.size
    with open_media(video) as handle:
        while True:
            handle.seek(offset)
            chunk = handle.read(CHUNK)
            last = offset + len(chunk) >= size
            headers = {
                "Authorization": f"Bearer {conn.token()}",
                "Content-Type": video.mime_type,
                "Content-Range": f"bytes {offset}-{offset + len(chunk) - 1}/{size}",
            }
            try:
                response = http.request(
                    "PUT", session, headers=headers, content=chunk, timeout=CHUNK_TIMEOUT
                )
            except http.OutboundError as exc:
                # Only the last chunk can finish the video; either way the session stays,
                # and find_published or the next attempt asks it how far it got.
                raise TransientError(
                    _("The upload to YouTube broke off: %(reason)s") % {"reason": exc.message},
                    sent=last and exc.sent,
                ) from None
            if response.status_code == 308:
                offset = received(response)
                continue
            if response.is_success:
                return http.json_object(response)
            error = client.error_for(response)
            error.sent = False
            raise error


def received(response: httpx.Response) -> int:
    """The next byte to send after a 308: `Range: bytes=0-N` means N+1; no Range, none yet."""
    value = response.headers.get("range", "")
    _unit, _sep, span = value.partition("=")
    _first, _dash, last = span.partition("-")
    return int(last) + 1 if last.strip().isdigit() else 0


def query(conn: YouTubeConnector, session: str, size: int) -> dict[str, Any] | int | None:
    """Step 3 of the guide: the finished video (a dict), the offset to resume from (an
    int), or None when the session is gone (expired or never finished in time)."""
    try:
        response = http.request(
            "PUT",
            session,
            headers={
                "Authorization": f"Bearer {conn.token()}",
                "Content-Range": f"bytes */{size}",
            },
            content=b"",
        )
    except http.OutboundError as exc:
        raise TransientError(
            _("YouTube cannot be asked how far the upload got: %(reason)s")
            % {"reason": exc.message}
        ) from None
    if response.status_code == 308:
        return received(response)
    if response.is_success:
        return http.json_object(response)
    if response.status_code in (404, 410):
        return None
    raise client.error_for(response)


def finished(resource: dict[str, Any]) -> PublishedRef:
    video_id = resource.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise PermanentError(_("YouTube finished the upload without naming the video."))
    status = resource.get("status") if isinstance(resource.get("status"), dict) else {}
    upload_status = (status or {}).get("uploadStatus")
    if upload_status in ("rejected", "failed"):
        details = status or {}
        reason = str(
            details.get("rejectionReason") or details.get("failureReason") or upload_status
        )
        if upload_status == "rejected":
            message = _(
                "YouTube rejected the video after the upload (%(reason)s): see it in YouTube "
                "Studio, %(url)s"
            )
        else:
            message = _(
                "YouTube could not process the video (%(reason)s): see it in YouTube Studio, "
                "%(url)s"
            )
        raise PermanentError(
            message % {"reason": reason, "url": watch_url(video_id)}, network_message=reason
        )
    return PublishedRef(external_id=video_id, url=watch_url(video_id), data={"id": video_id})


def find_published(conn: YouTubeConnector, part: OutgoingPart) -> PublishedRef | None:
    if part.reply_to is not None:
        return engage.find_reply(conn, part, part.reply_to.parent)
    if not part.media:
        return None
    video = _video(part)
    session = _stored(conn, part.idempotency_key, video.size)
    if not session:
        # No session was opened, so no byte was sent: there is no video to find.
        return None
    state = query(conn, session, video.size)
    if isinstance(state, dict):
        _forget(conn, part.idempotency_key)
        return finished(state)
    if state is None:
        _forget(conn, part.idempotency_key)
    # Not finished: no video exists; the next publish resumes this session.
    return None


def delete(conn: YouTubeConnector, ref: PublishedRef) -> None:
    video_id = str(ref.data.get("id") or ref.external_id)
    try:
        conn.api("DELETE", "/videos", params={"id": video_id})
    except PermanentError as exc:
        if exc.status == 404:
            return  # videoNotFound: already gone, what a delete wants
        raise


# --- the sessions kept with the channel's credentials -------------------------------------


def _sessions(conn: YouTubeConnector) -> dict[str, dict[str, Any]]:
    stored = conn.channel.credentials.get(SESSIONS)
    return dict(stored) if isinstance(stored, dict) else {}


def _stored(conn: YouTubeConnector, key: str, size: int) -> str:
    entry = _sessions(conn).get(key)
    if not isinstance(entry, dict) or entry.get("size") != size:
        return ""
    return str(entry.get("uri") or "")


def _save(conn: YouTubeConnector, sessions: dict[str, dict[str, Any]]) -> None:
    credentials = {**conn.channel.credentials, SESSIONS: sessions}
    if not sessions:
        credentials.pop(SESSIONS)
    conn.save_credentials(credentials, conn.channel.token_expires_at)


def _remember(conn: YouTubeConnector, key: str, uri: str, size: int) -> None:
    now = timezone.now()
    sessions = {k: v for k, v in _sessions(conn).items() if _fresh(v, now)}
    sessions[key] = {"uri": uri, "size": size, "started": now.isoformat()}
    _save(conn, sessions)


def _fresh(entry: Any, now: datetime) -> bool:
    try:
        started = datetime.fromisoformat(str(entry.get("started")))
    except (AttributeError, ValueError):
        return False
    return now - started < SESSION_LIFETIME


def _forget(conn: YouTubeConnector, key: str) -> None:
    sessions = _sessions(conn)
    if sessions.pop(key, None) is not None:
        _save(conn, sessions)
