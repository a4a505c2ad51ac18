"""Publishing on TikTok: one part is one video or one photo post, with the Content Posting
API's Direct Post (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
and the Photo Post reference). The video flow:

1. POST /v2/post/publish/creator_info/query/: the account's privacy options, interaction
   settings and longest video, as they are now. The channel's choices (made by the account
   holder on the channel's TikTok settings page, as TikTok's guidelines ask) are checked
   against them before anything is sent: a privacy level the account no longer offers, or a
   video longer than it may post, is refused here, not by TikTok after the upload.
2. POST /v2/post/publish/video/init/ with post_info (caption, privacy, interactions) and
   source_info (FILE_UPLOAD, size, chunks): TikTok answers a publish_id and an upload_url.
3. PUT the bytes to the upload_url in chunks (upload.py).
4. POST /v2/post/publish/status/fetch/ {publish_id}: PROCESSING_UPLOAD, then
   PUBLISH_COMPLETE (with publicaly_available_post_id, the video's id) or FAILED (with a
   fail_reason). Processing takes from seconds to minutes, and public posts are moderated
   first ("usually within one minute ... in some cases a few hours", Get Post Status).

Hubbub waits a few seconds at most (POLL_DELAYS). A video still processing after that is a
TransientError with sent=True and a retry_at: the dispatcher then asks find_published,
which fetches the status again, and the part is published (a PublishedRef) only once
TikTok says PUBLISH_COMPLETE. The publish_id is kept with the channel's encrypted
credentials under the part's idempotency key until then (with the upload_url, which lets
anyone holding it upload): a retry never starts a second post while the first may still
appear, and an upload that broke off before its last chunk (no post can come of it) is
started again from the beginning.

Photos (_start_photos) go through POST /v2/post/publish/content/init/ with media_type PHOTO:
TikTok fetches the images from Hubbub's public media addresses, so there is no upload, and
the same status fetch follows. An unanswered content/init is the one case Hubbub cannot
settle: TikTok may be making the post, and without a publish_id nothing can ask, so the
lookup refuses (a person looks on TikTok) rather than posting twice.

A private post (SELF_ONLY) is not "publicly available": TikTok gives no video id for it,
so its PublishedRef is the publish_id and the account's profile, and it has no metrics.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hubbub.networks.base import ConnectorError, PermanentError, TransientError
from hubbub.networks.instagram import public_media
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.tiktok import upload
from hubbub.networks.tiktok.client import profile_url

if TYPE_CHECKING:
    from hubbub.networks.tiktok.connector import TikTokConnector

PENDING = "pending_posts"  # in the channel's credentials: idempotency key → publish
# Seconds to wait before each status fetch after the upload: about five seconds in all.
POLL_DELAYS = (0.0, 2.0, 3.0)
# When to look again at a post TikTok is still processing or reviewing: three times as long
# as it has waited so far, from half a minute up to an hour. The dispatcher gives a part 8
# attempts; these reach about four and a half hours, TikTok's "in some cases, moderation
# may take a few hours" (Get Post Status).
PROCESSING_RETRY = timedelta(seconds=30)
PROCESSING_RETRY_MAX = timedelta(hours=1)
# The upload_url lasts an hour; a publish older than a day has long been settled by TikTok.
PENDING_LIFETIME = timedelta(days=1)
sleep = time.sleep  # replaced in tests

# Get Post Status, the fail_reason table: what each means for the person.
_FAIL_REASONS: dict[str, str] = {
    "file_format_check_failed": gettext_noop(
        "TikTok does not accept this video's format: use MP4, WebM or MOV (H.264 or H.265)."
    ),
    "duration_check_failed": gettext_noop(
        "The video is longer than this TikTok account may post, or too short."
    ),
    "frame_rate_check_failed": gettext_noop(
        "TikTok accepts videos of 23 to 60 frames a second: export the video again."
    ),
    "picture_size_check_failed": gettext_noop(
        "TikTok accepts videos of 360 to 4096 pixels a side: export the video again."
    ),
    "video_pull_failed": gettext_noop("TikTok could not fetch the media from Hubbub."),
    "photo_pull_failed": gettext_noop("TikTok could not fetch the images from Hubbub."),
    "publish_cancelled": gettext_noop("The post was cancelled on TikTok."),
    "auth_removed": gettext_noop(
        "The account removed Hubbub's access while TikTok was processing the video: reconnect."
    ),
    "spam_risk_too_many_posts": gettext_noop(
        "This TikTok account has reached the number of posts TikTok allows it a day."
    ),
    "spam_risk_user_banned_from_posting": gettext_noop(
        "TikTok does not let this account post at the moment."
    ),
    "spam_risk_text": gettext_noop("TikTok took the caption for spam: reword it."),
    "spam_risk": gettext_noop("TikTok took the post for spam."),
}
# Reasons on TikTok's side, for which trying again makes sense.
_TRANSIENT_REASONS = {"internal", "video_pull_failed", "photo_pull_failed"}


def _media(part: OutgoingPart) -> tuple[str, list[MediaFile]]:
    """("video", [the video]) or ("photo", [1 to 35 images]); validation refuses anything
    else while composing (Limits.requires_media, max_videos=1, no images with a video)."""
    videos = [m for m in part.media if m.mime_type.startswith("video/")]
    images = [m for m in part.media if m.mime_type.startswith("image/")]
    if len(videos) == 1 and len(part.media) == 1:
        return "video", videos
    if images and len(images) == len(part.media):
        return "photo", images
    raise PermanentError(
        _("A TikTok post is one video, or photos: attach one video, or only images.")
    )


def _size(part: OutgoingPart) -> int:
    return sum(m.size for m in part.media)


def publish(conn: TikTokConnector, part: OutgoingPart) -> PublishedRef:
    kind, files = _media(part)
    key, size = part.idempotency_key, _size(part)
    entry = _stored(conn, key, size)
    if entry:
        found = _look(conn, key, entry)
        if found is not None:
            return found
    if not conn.config.privacy_level:
        raise PermanentError(
            _(
                "Choose who may see this channel's TikTok posts (its privacy level) on the "
                "channel's TikTok settings page: TikTok asks the account holder to choose it."
            )
        )
    creator = conn.creator_info()
    if kind == "video":
        entry = _start_video(conn, part, files[0], creator)
    else:
        entry = _start_photos(conn, part, files, creator)
    try:
        for delay in POLL_DELAYS:
            if delay:
                sleep(delay)
            found = _look(conn, key, entry, after_upload=True)
            if found is not None:
                return found
    except ConnectorError as exc:
        # Still pending (not FAILED): TikTok has the media, the post may yet appear.
        if _stored(conn, key, size):
            exc.sent = True
        raise
    raise _still_processing(entry)


def _start_video(
    conn: TikTokConnector, part: OutgoingPart, video: MediaFile, creator: dict[str, Any]
) -> dict[str, Any]:
    post_info = _post_info(conn, part, video, creator)
    chunks = upload.plan(video.size)
    try:
        data = conn.api(
            "POST",
            "/post/publish/video/init/",
            json={"post_info": post_info, "source_info": chunks.source_info()},
        )
    except ConnectorError as exc:
        exc.sent = False  # a post without its bytes never appears: nothing to reconcile
        raise
    publish_id = str(data.get("publish_id") or "")
    upload_url = str(data.get("upload_url") or "")
    if not publish_id or not upload_url.startswith("https://"):
        raise TransientError(
            _("TikTok did not open an upload for the video: Hubbub will try again.")
        )
    key = part.idempotency_key
    entry = _remember(conn, key, "video", publish_id, video.size, upload_url=upload_url)
    upload.send(upload_url, video, chunks, lambda: _mark_sent(conn, key))
    return {**entry, "sent": True}


def _start_photos(
    conn: TikTokConnector, part: OutgoingPart, images: list[MediaFile], creator: dict[str, Any]
) -> dict[str, Any]:
    """Photo Post (POST /v2/post/publish/content/init/, media_type PHOTO): TikTok fetches
    each image from its public address (PULL_FROM_URL; the domain must be verified in the
    developer portal). The caption goes in `description` (4,000 runes); the optional
    90-rune `title` is left out rather than cut from the text. Photos have no Duet or
    Stitch, and TikTok takes no alt text."""
    body = {
        "post_info": {
            "description": part.text,
            "privacy_level": _privacy(conn, creator),
            "disable_comment": not conn.config.allow_comment
            or bool(creator.get("comment_disabled")),
        },
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_cover_index": 0,
            "photo_images": [public_media.public_url(image) for image in images],
        },
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
    }
    key, size = part.idempotency_key, _size(part)
    conn.refresh_if_due()  # now, so that a time-out below can only be the post's own call
    # Remembered before the call: once TikTok has it, it fetches the images on its own, so
    # a time-out leaves a post that may appear, and no publish_id to ask about it.
    _remember(conn, key, "photo", "", size)
    try:
        data = conn.api("POST", "/post/publish/content/init/", json=body)
    except ConnectorError as exc:
        if not exc.sent:
            _forget(conn, key)  # TikTok answered (or was never reached): no post
        raise
    publish_id = str(data.get("publish_id") or "")
    if not publish_id:
        _forget(conn, key)
        raise TransientError(_("TikTok did not accept the photo post: Hubbub will try again."))
    return _remember(conn, key, "photo", publish_id, size, sent=True)


def _privacy(conn: TikTokConnector, creator: dict[str, Any]) -> str:
    options = [str(o) for o in creator.get("privacy_level_options") or ()]
    if conn.config.privacy_level not in options:
        raise PermanentError(
            _(
                "This TikTok account no longer offers the privacy level chosen for the "
                "channel (%(level)s): choose one of its privacy options on the channel's "
                "TikTok settings page."
            )
            % {"level": conn.config.privacy_level},
            network_message=", ".join(options),
        )
    return conn.config.privacy_level


def _post_info(
    conn: TikTokConnector, part: OutgoingPart, video: MediaFile, creator: dict[str, Any]
) -> dict[str, Any]:
    config = conn.config
    privacy = _privacy(conn, creator)
    longest = creator.get("max_video_post_duration_sec")
    if (
        isinstance(longest, int)
        and video.duration_seconds is not None
        and video.duration_seconds > longest
    ):
        raise PermanentError(
            _(
                "This TikTok account may post videos of up to %(max)s seconds; this one "
                "lasts %(length)s."
            )
            % {"max": longest, "length": round(video.duration_seconds)}
        )
    # An interaction the account has turned off in its TikTok privacy settings stays off,
    # whatever the channel chose (Query Creator Info: comment/duet/stitch_disabled).
    return {
        "title": part.text,
        "privacy_level": privacy,
        "disable_comment": not config.allow_comment or bool(creator.get("comment_disabled")),
        "disable_duet": not config.allow_duet or bool(creator.get("duet_disabled")),
        "disable_stitch": not config.allow_stitch or bool(creator.get("stitch_disabled")),
    }


def find_published(conn: TikTokConnector, part: OutgoingPart) -> PublishedRef | None:
    entry = _stored(conn, part.idempotency_key, _size(part))
    if not entry:
        # No publish was opened, so nothing can appear on TikTok.
        return None
    return _look(conn, part.idempotency_key, entry)


def _look(
    conn: TikTokConnector, key: str, entry: dict[str, Any], *, after_upload: bool = False
) -> PublishedRef | None:
    """The post if TikTok published it; None when it cannot appear any more (the upload
    broke off: the next publish starts again); raises while it may still appear, or when
    TikTok failed it."""
    if not entry.get("id"):
        # A photo post whose content/init got no answer: TikTok may have made it, and
        # without a publish_id nothing can ask. A person looks; sending again is theirs.
        _forget(conn, key)
        raise PermanentError(
            _(
                "TikTok did not answer whether it made the photo post: look at the account "
                "on TikTok, and send the post again only if it is not there."
            )
        )
    if not entry.get("sent"):
        _forget(conn, key)  # the last chunk never left: TikTok has an incomplete video
        return None
    data = conn.api("POST", "/post/publish/status/fetch/", json={"publish_id": entry["id"]})
    status = str(data.get("status") or "")
    if status == "PUBLISH_COMPLETE":
        _forget(conn, key)
        return _ref(conn, entry, data)
    if status == "FAILED":
        _forget(conn, key)
        raise _failure(str(data.get("fail_reason") or ""))
    if status == "SEND_TO_USER_INBOX":
        _forget(conn, key)
        raise PermanentError(
            _(
                "TikTok put the video in the account's TikTok inbox instead of posting it: "
                "finish the post in the TikTok app."
            ),
            network_message=status,
        )
    uploaded = data.get("uploaded_bytes")
    if (
        status == "PROCESSING_UPLOAD"
        and isinstance(uploaded, int)
        and uploaded < int(entry.get("size") or 0)
        and not after_upload
    ):
        _forget(conn, key)  # the bytes never all arrived: no post can come of this one
        return None
    if after_upload:
        return None  # the caller waits a little and asks again
    raise _still_processing(entry)


def _ref(conn: TikTokConnector, entry: dict[str, Any], data: dict[str, Any]) -> PublishedRef:
    publish_id = str(entry["id"])
    ids = [str(i) for i in data.get("publicaly_available_post_id") or () if i]  # sic
    username = conn.config.username
    if not ids:
        # Private (SELF_ONLY) and not-yet-public posts have no public id to give.
        return PublishedRef(
            external_id=publish_id, url=profile_url(username), data={"publish_id": publish_id}
        )
    video_id = ids[0]
    path = "photo" if entry.get("kind") == "photo" else "video"
    url = f"https://www.tiktok.com/@{username}/{path}/{video_id}" if username else ""
    return PublishedRef(
        external_id=video_id, url=url, data={"video_id": video_id, "publish_id": publish_id}
    )


def _still_processing(entry: dict[str, Any]) -> TransientError:
    now = timezone.now()
    try:
        waited = now - datetime.fromisoformat(str(entry.get("started")))
    except ValueError:
        waited = timedelta(0)
    delay = min(max(waited * 3, PROCESSING_RETRY), PROCESSING_RETRY_MAX)
    return TransientError(
        _(
            "TikTok is still processing or reviewing the post: Hubbub looks again in a "
            "moment (public posts are reviewed by TikTok first)."
        ),
        retry_at=now + delay,
        sent=True,  # the post may still appear: find_published asks, nothing is resent
    )


def _failure(reason: str) -> ConnectorError:
    explained = _FAIL_REASONS.get(reason)
    message = (
        _("TikTok rejected the post after processing it: %(why)s") % {"why": _(explained)}
        if explained
        else _("TikTok rejected the post after processing it (%(reason)s).")
        % {"reason": reason or _("no reason given")}
    )
    if reason in _TRANSIENT_REASONS:
        return TransientError(message, network_message=reason)
    return PermanentError(message, network_message=reason)


# --- the publishes kept with the channel's credentials -------------------------------------


def _pending(conn: TikTokConnector) -> dict[str, dict[str, Any]]:
    stored = conn.channel.credentials.get(PENDING)
    return dict(stored) if isinstance(stored, dict) else {}


def _stored(conn: TikTokConnector, key: str, size: int) -> dict[str, Any]:
    entry = _pending(conn).get(key)
    if not isinstance(entry, dict) or entry.get("size") != size:
        return {}
    return entry


def _save(conn: TikTokConnector, pending: dict[str, dict[str, Any]]) -> None:
    credentials = {**conn.channel.credentials, PENDING: pending}
    if not pending:
        credentials.pop(PENDING)
    conn.save_credentials(credentials, conn.channel.token_expires_at)


def _remember(
    conn: TikTokConnector,
    key: str,
    kind: str,
    publish_id: str,
    size: int,
    *,
    upload_url: str = "",
    sent: bool = False,
) -> dict[str, Any]:
    """Keep a publish under the part's key: `sent` once TikTok may make the post (a video's
    last chunk has left; a photo post was accepted)."""
    now = timezone.now()
    pending = {k: v for k, v in _pending(conn).items() if _fresh(v, now)}
    entry: dict[str, Any] = {
        "kind": kind,
        "id": publish_id,
        "size": size,
        "sent": sent,
        "started": now.isoformat(),
    }
    if upload_url:
        entry["upload_url"] = upload_url
    pending[key] = entry
    _save(conn, pending)
    return entry


def _mark_sent(conn: TikTokConnector, key: str) -> None:
    pending = _pending(conn)
    if key in pending:
        pending[key] = {**pending[key], "sent": True}
        _save(conn, pending)


def _fresh(entry: Any, now: datetime) -> bool:
    try:
        started = datetime.fromisoformat(str(entry.get("started")))
    except (AttributeError, ValueError):
        return False
    return now - started < PENDING_LIFETIME


def _forget(conn: TikTokConnector, key: str) -> None:
    pending = _pending(conn)
    if pending.pop(key, None) is not None:
        _save(conn, pending)
