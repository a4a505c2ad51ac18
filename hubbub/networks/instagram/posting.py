"""Publishing on Instagram (Content Publishing guide; IG User Media and Media Publish
references).

A post is made in steps:
1. a container: POST /{ig-user-id}/media with image_url (+ alt_text) or, for a reel,
   media_type=REELS and video_url; a carousel is one container per item
   (is_carousel_item=true), then a CAROUSEL container with their ids as `children`. Meta
   fetches each file from its public address (public_media.py);
2. Meta processes it: GET /{container-id}?fields=status_code,status says IN_PROGRESS,
   FINISHED, ERROR, EXPIRED (not published within 24 hours) or PUBLISHED;
3. POST /{ig-user-id}/media_publish with creation_id, once FINISHED, within the account's
   publishing limit (GET /{ig-user-id}/content_publishing_limit: 100 posts in 24 hours).

Waiting. The container flow shared with Threads (hubbub.networks.facebook.containers) polls
for a few seconds at most; a reel still IN_PROGRESS ends the call with a TransientError and
a retry_at, and the retry polls the same container, kept in Django's cache.

Idempotency. media_publish has no idempotency key. When its outcome is unknown (a time-out),
find_published lists the account's media since the part was due (GET /{ig-user-id}/media
with `since`) and matches the caption; when the kept container already says PUBLISHED, the
same lookup finds the post. A container whose processing failed (ERROR) is refused for good
with Meta's reason: the same file would fail the same way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hubbub.networks.base import PermanentError, RateLimited
from hubbub.networks.facebook import containers, graph
from hubbub.networks.facebook.posting import CLOCK_SKEW
from hubbub.networks.instagram import engage, public_media
from hubbub.networks.instagram.limits import (
    MAX_ASPECT,
    MAX_HASHTAGS,
    MAX_MENTIONS,
    MIN_ASPECT,
)
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.instagram.connector import InstagramConnector

# The account's publishing limit is a moving 24 hours ("Content Publishing", Rate Limit):
# without knowing when the oldest post leaves it, look again in an hour.
QUOTA_RETRY = timedelta(hours=1)
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@.])@[\w.]+")

CONTAINERS = containers.Containers(
    network="instagram",
    status_field="status_code",
    reason_field="status",
    still_processing=gettext_lazy(
        "Instagram is still processing the media: Hubbub looks again in a few minutes "
        "(the same upload, nothing is sent twice)."
    ),
    refused=gettext_lazy(
        "Instagram could not process the media and refused it: check it against "
        "Instagram's specifications (format, size, aspect ratio, video length), then "
        "attach it again. Instagram said: %(why)s"
    ),
    published_but_missing=gettext_lazy(
        "Instagram says this post was published, but Hubbub cannot find it among "
        "the account's posts: look on Instagram before sending it again."
    ),
)


def publish(conn: InstagramConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None:
        parent = part.reply_to.parent
        if engage.answers(part.reply_to):  # a comment, reply or tag from the inbox
            return engage.reply(conn, part, parent)
        answer = conn.call("POST", f"{parent.external_id}/comments", data={"message": part.text})
        return PublishedRef(external_id=_id(answer), url=parent.url, data={"id": _id(answer)})
    check_part(conn, part)
    return CONTAINERS.publish(
        conn,
        part,
        create=lambda: _create(conn, part),
        publish=lambda container: _publish(conn, container),
        find=lambda: find_published(conn, part),
    )


def _publish(conn: InstagramConnector, container: str) -> str:
    _check_quota(conn)
    answer = conn.call(
        "POST", f"{conn.ig_user_id()}/media_publish", data={"creation_id": container}
    )
    return _id(answer)


def check_part(conn: InstagramConnector, part: OutgoingPart) -> None:
    """What Instagram would refuse, refused before anything is sent (the composer's
    check_variant catches most of it earlier)."""
    if not part.media:
        raise PermanentError(
            _("An Instagram post needs an image or a video: Instagram does not publish text alone.")
        )
    hashtags = len(_HASHTAG.findall(part.text))
    if hashtags > MAX_HASHTAGS:
        raise PermanentError(
            _("Instagram allows %(max)s hashtags in a caption; this one has %(n)s.")
            % {"max": MAX_HASHTAGS, "n": hashtags}
        )
    mentions = len(_MENTION.findall(part.text))
    if mentions > MAX_MENTIONS:
        raise PermanentError(
            _("Instagram allows %(max)s @mentions in a caption; this one has %(n)s.")
            % {"max": MAX_MENTIONS, "n": mentions}
        )
    videos = [m for m in part.media if m.mime_type.startswith("video/")]
    if videos and len(part.media) > 1:
        raise PermanentError(
            _("Hubbub publishes a video to Instagram as a reel, alone: remove the other files.")
        )
    for media in part.media:
        _check_aspect(media)


def _check_aspect(media: MediaFile) -> None:
    if not media.mime_type.startswith("image/") or not media.width or not media.height:
        return
    ratio = media.width / media.height
    if ratio < MIN_ASPECT - 0.005 or ratio > MAX_ASPECT + 0.005:
        raise PermanentError(
            _(
                "%(file)s is %(w)s x %(h)s pixels; Instagram takes images from 4:5 (portrait) "
                "to 1.91:1 (landscape): crop it."
            )
            % {"file": media.path.name, "w": media.width, "h": media.height}
        )


def _create(conn: InstagramConnector, part: OutgoingPart) -> str:
    user = conn.ig_user_id()
    media = part.media
    if len(media) == 1:
        form = _item(media[0])
        if part.text:
            form["caption"] = part.text
        return _id(conn.call("POST", f"{user}/media", data=form))
    children = [
        _id(conn.call("POST", f"{user}/media", data={**_item(m), "is_carousel_item": "true"}))
        for m in media
    ]
    form = {"media_type": "CAROUSEL", "children": ",".join(children)}
    if part.text:
        form["caption"] = part.text
    return _id(conn.call("POST", f"{user}/media", data=form))


def _item(media: MediaFile) -> dict[str, str]:
    address = public_media.public_url(media)
    if media.mime_type.startswith("video/"):
        return {"media_type": "REELS", "video_url": address, "share_to_feed": "true"}
    form = {"image_url": address}
    if media.alt_text:
        form["alt_text"] = media.alt_text  # image posts only (Content Publishing, March 2025)
    return form


def _check_quota(conn: InstagramConnector) -> None:
    answer = conn.call(
        "GET",
        f"{conn.ig_user_id()}/content_publishing_limit",
        params={"fields": "quota_usage,config"},
    )
    data = answer.get("data")
    usage = graph.obj(data[0]) if isinstance(data, list) and data else {}
    used = usage.get("quota_usage")
    total = graph.obj(usage.get("config")).get("quota_total", 100)
    if isinstance(used, int) and isinstance(total, int) and used >= total:
        raise RateLimited(
            _(
                "This Instagram account has published %(n)s posts through the API in the last "
                "24 hours, its limit: Hubbub publishes again when the oldest leaves the count."
            )
            % {"n": used},
            timezone.now() + QUOTA_RETRY,
            network_message=f"quota_usage {used} of {total}",
        )


def find_published(conn: InstagramConnector, part: OutgoingPart) -> PublishedRef | None:
    wanted = containers.normal(part.text)
    if part.reply_to is not None:
        parent = part.reply_to.parent
        if engage.answers(part.reply_to):
            return engage.find_reply(conn, part, parent)
        answer = conn.call(
            "GET", f"{parent.external_id}/comments", params={"fields": "id,text,username"}
        )
        own = conn.config.username
        for comment in answer.get("data") or ():
            if (
                isinstance(comment, dict)
                and comment.get("id")
                and comment.get("username") == own
                and containers.normal(comment.get("text")) == wanted
            ):
                return PublishedRef(
                    external_id=str(comment["id"]), url=parent.url, data={"id": str(comment["id"])}
                )
        return None
    params = {"fields": "id,caption,timestamp,permalink", "limit": "25"}
    if part.not_before is not None:
        params["since"] = str(int((part.not_before - CLOCK_SKEW).timestamp()))
    for media in graph.paged(
        f"{conn.ig_user_id()}/media",
        token=conn.token(),
        network=conn.label,
        params=params,
        max_pages=4,
    ):
        for item in media:
            if item.get("id") and containers.normal(item.get("caption")) == wanted:
                return PublishedRef(
                    external_id=str(item["id"]),
                    url=str(item.get("permalink") or ""),
                    data={"id": str(item["id"])},
                )
    return None


def _id(answer: dict[str, Any]) -> str:
    value = answer.get("id")
    if not value:
        raise PermanentError(_("Instagram answered without the id of what it made."))
    return str(value)
