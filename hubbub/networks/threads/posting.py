"""Publishing on Threads ("Posts", "Reply Management", "Delete Posts"; publishing reference).

Text. A text part is one request: POST /{threads-user-id}/threads with media_type=TEXT and
auto_publish_text=true creates the container and publishes it at once (the publishing
reference), answering the post's id. The answer has no address and asking for it would be a
second request for every post, so a text post's ref has no url; people open it from the
profile, and the id is what replies, deletion and reading need.

Media. A post with images or a video is made in steps, as Instagram's:
1. a container: POST /{threads-user-id}/threads with media_type IMAGE (image_url, alt_text)
   or VIDEO (video_url, alt_text); several files are carousel items (is_carousel_item=true)
   gathered by a CAROUSEL container (children). Threads fetches each file from its public
   address (hubbub.networks.instagram.public_media, shared: signed, expiring, unguessable);
2. Threads processes it: GET /{container-id}?fields=status,error_message says IN_PROGRESS,
   FINISHED, ERROR (with FAILED_DOWNLOADING_VIDEO, INVALID_DURATION, ... in error_message),
   EXPIRED (not published within 24 hours) or PUBLISHED ("Troubleshooting");
3. POST /{threads-user-id}/threads_publish with creation_id, within the profile's publishing
   limit (GET /{threads-user-id}/threads_publishing_limit: 250 posts, 1,000 replies a day).

Waiting. The container flow is Instagram's (hubbub.networks.facebook.containers): one call
polls for a few seconds; a video still IN_PROGRESS ends the call with a TransientError and a
retry_at, and the retry polls the same container, kept in Django's cache. Losing the cache
only costs a new container: an unpublished container is never shown, so nothing is
published twice.

Threads. Each part after the first, and the first comment, carries reply_to_id: the
previous part (the dispatcher's reply_to.parent), so a thread is a chain of replies.

Idempotency. Neither request takes an idempotency key. When an outcome is unknown,
find_published lists the profile's posts (GET /{threads-user-id}/threads, or /replies for
a reply) since the part was due, and matches the text.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hubbub.networks.base import PermanentError, RateLimited
from hubbub.networks.facebook import containers
from hubbub.networks.instagram import public_media
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.threads import client
from hubbub.networks.threads.limits import MAX_CAROUSEL, MAX_LINKS, MAX_TEXT, links, weight

if TYPE_CHECKING:
    from hubbub.networks.threads.connector import ThreadsConnector

# The publishing limit is a moving 24 hours: without knowing when the oldest post leaves
# it, look again in an hour.
QUOTA_RETRY = timedelta(hours=1)
# Posts are looked up from a minute before the part was due (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=1)
LOOKUP_PAGES = 4

CONTAINERS = containers.Containers(
    network="threads",
    status_field="status",
    reason_field="error_message",
    still_processing=gettext_lazy(
        "Threads is still processing the media: Hubbub looks again in a few minutes "
        "(the same upload, nothing is sent twice)."
    ),
    refused=gettext_lazy(
        "Threads could not process the media and refused it: check it against "
        "Threads' specifications (format, size, video length and frame rate), then "
        "attach it again. Threads said: %(why)s"
    ),
    published_but_missing=gettext_lazy(
        "Threads says this post was published, but Hubbub cannot find it among "
        "the profile's posts: look on Threads before sending it again."
    ),
)


def publish(conn: ThreadsConnector, part: OutgoingPart) -> PublishedRef:
    check_part(part)
    if not part.media:
        form = {"media_type": "TEXT", "text": part.text, "auto_publish_text": "true"}
        if part.link:
            form["link_attachment"] = part.link
        _reply(form, part)
        media_id = _id(conn.call("POST", f"{conn.user_id()}/threads", data=form))
        # the answer has the id only: ask for the address
        return containers.published_ref(conn, media_id)
    return CONTAINERS.publish(
        conn,
        part,
        create=lambda: _create(conn, part),
        publish=lambda container: _publish(conn, container, reply=part.reply_to is not None),
        find=lambda: find_published(conn, part),
    )


def _publish(conn: ThreadsConnector, container: str, *, reply: bool) -> str:
    _check_quota(conn, reply=reply)
    answer = conn.call("POST", f"{conn.user_id()}/threads_publish", data={"creation_id": container})
    return _id(answer)


def check_part(part: OutgoingPart) -> None:
    """What Threads would refuse, refused before anything is sent (the composer's
    check_variant counts code points; Threads weighs an emoji by its UTF-8 bytes)."""
    length = weight(part.text)
    if length > MAX_TEXT:
        raise PermanentError(
            _(
                "Threads counts this text as %(n)s characters (an emoji counts as several), "
                "over its limit of %(max)s: shorten it by %(over)s."
            )
            % {"n": length, "max": MAX_TEXT, "over": length - MAX_TEXT}
        )
    count = links(part.text, "" if part.media else part.link)
    if count > MAX_LINKS:
        raise PermanentError(
            _("Threads allows %(max)s links in a post; this one has %(n)s.")
            % {"max": MAX_LINKS, "n": count}
        )
    if len(part.media) > MAX_CAROUSEL:
        raise PermanentError(
            _("A Threads carousel holds at most %(max)s files; this post has %(n)s.")
            % {"max": MAX_CAROUSEL, "n": len(part.media)}
        )


def _reply(form: dict[str, str], part: OutgoingPart) -> None:
    if part.reply_to is not None:
        form["reply_to_id"] = part.reply_to.parent.external_id


def _create(conn: ThreadsConnector, part: OutgoingPart) -> str:
    user = conn.user_id()
    if len(part.media) == 1:
        form = _item(part.media[0])
    else:
        children = [
            _id(conn.call("POST", f"{user}/threads", data={**_item(m), "is_carousel_item": "true"}))
            for m in part.media
        ]
        form = {"media_type": "CAROUSEL", "children": ",".join(children)}
    if part.text:
        form["text"] = part.text
    _reply(form, part)
    return _id(conn.call("POST", f"{user}/threads", data=form))


def _item(media: MediaFile) -> dict[str, str]:
    address = public_media.public_url(media)
    if media.mime_type.startswith("video/"):
        form = {"media_type": "VIDEO", "video_url": address}
    else:
        form = {"media_type": "IMAGE", "image_url": address}
    if media.alt_text:
        form["alt_text"] = media.alt_text
    return form


def _check_quota(conn: ThreadsConnector, *, reply: bool) -> None:
    used_name, config_name = (
        ("reply_quota_usage", "reply_config") if reply else ("quota_usage", "config")
    )
    answer = conn.call(
        "GET",
        f"{conn.user_id()}/threads_publishing_limit",
        params={"fields": f"{used_name},{config_name}"},
    )
    data = answer.get("data")
    usage = client.obj(data[0]) if isinstance(data, list) and data else {}
    used = usage.get(used_name)
    total = client.obj(usage.get(config_name)).get("quota_total")
    if isinstance(used, int) and isinstance(total, int) and used >= total:
        raise RateLimited(
            _(
                "This Threads profile has published %(n)s posts or replies through the API in "
                "the last 24 hours, its limit: Hubbub publishes again when the oldest leaves "
                "the count."
            )
            % {"n": used},
            timezone.now() + QUOTA_RETRY,
            network_message=f"{used_name} {used} of {total}",
            status=client.RATE_LIMITED_STATUS,
        )


def find_published(conn: ThreadsConnector, part: OutgoingPart) -> PublishedRef | None:
    wanted = containers.normal(part.text)
    edge = "replies" if part.reply_to is not None else "threads"
    fields = "id,text,timestamp,permalink"
    parent = part.reply_to.parent.external_id if part.reply_to is not None else ""
    if parent:
        # The same words answering two people are two replies: the parent tells them apart.
        fields += ",replied_to"
    params = {"fields": fields, "limit": "25"}
    if part.not_before is not None:
        params["since"] = str(int((part.not_before - CLOCK_SKEW).timestamp()))
    for page in conn.paged(f"{conn.user_id()}/{edge}", params=params, max_pages=LOOKUP_PAGES):
        for item in page:
            answered = client.obj(item.get("replied_to")).get("id")
            if parent and answered and str(answered) != parent:
                continue
            if item.get("id") and containers.normal(item.get("text")) == wanted:
                media_id = str(item["id"])
                return PublishedRef(
                    external_id=media_id,
                    url=str(item.get("permalink") or ""),
                    data={"id": media_id},
                )
    return None


def delete(conn: ThreadsConnector, ref: PublishedRef) -> None:
    try:
        answer = conn.call("DELETE", ref.external_id)
    except client.ObjectMissing:
        return  # already gone: what deleting wanted
    if answer.get("success") is False:
        raise PermanentError(_("Threads did not delete the post."), network_message=str(answer))


def _id(answer: dict[str, Any]) -> str:
    value = answer.get("id")
    if not value:
        raise PermanentError(_("Threads answered without the id of what it made."))
    return str(value)
