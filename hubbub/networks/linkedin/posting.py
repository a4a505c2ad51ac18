"""Publishing on a LinkedIn page: one part is one post (Posts API), its images uploaded
first (Images API).

The text goes out as the post's `commentary`, which LinkedIn reads in its "little" text
format: | { } @ [ ] ( ) < > # \\ * _ ~ are markup there (mentions @[Name](urn:li:...),
hashtags {hashtag|\\#|tag}, ...) and "must be escaped to be treated as plaintext"
(learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format).
Unescaped, LinkedIn drops or cuts the text at the first such character; escaped, what the
person wrote is shown as written (a #tag then shows as text, not as a hashtag link).

Idempotency: the Posts API has no idempotency key. After a time-out, find_published reads
the page's latest posts (GET /rest/posts?q=author) and looks for the same commentary
created since the part was due. LinkedIn also refuses an identical post (422
DUPLICATE_POST), so a resend after a missed lookup cannot double a post.

A part with reply_to is an answer to a comment from the inbox: engage.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import ConnectorError, PermanentError, TransientError, read_media
from hubbub.networks.linkedin import client, engage
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.linkedin.connector import LinkedInConnector

RESERVED = frozenset("|{}@[]()<>#\\*_~")
# How many of the page's latest posts find_published compares.
LOOKUP_COUNT = 20


def escape_little(text: str) -> str:
    return "".join(f"\\{c}" if c in RESERVED else c for c in text)


def post_url(post_urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{post_urn}/"


def publish(conn: LinkedInConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None:  # an answer to a comment, from the inbox
        return engage.reply(conn, part)
    if any(not m.mime_type.startswith("image/") for m in part.media):
        raise PermanentError(_("Hubbub posts images on LinkedIn, not videos or documents yet."))
    images = [(m, upload_image(conn, m)) for m in part.media]
    body: dict[str, Any] = {
        "author": conn.author(),
        "commentary": escape_little(part.text),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    if len(images) == 1:
        media, image_urn = images[0]
        body["content"] = {"media": _image(media, image_urn)}
    elif images:
        body["content"] = {"multiImage": {"images": [_image(m, u) for m, u in images]}}
    response = conn.api("POST", "/posts", json=body)
    # "A successful response returns 201 Created, and the newly created post is identified
    # by the x-restli-id response header" (Posts API, "Create a Post").
    post_urn = response.headers.get("x-restli-id", "")
    if not post_urn.startswith("urn:li:"):
        # The post exists; find_published finds it by its text.
        raise TransientError(_("LinkedIn accepted the post without saying which it is."), sent=True)
    return ref_for(post_urn)


def ref_for(post_urn: str) -> PublishedRef:
    return PublishedRef(external_id=post_urn, url=post_url(post_urn), data={"urn": post_urn})


def _image(media: MediaFile, image_urn: str) -> dict[str, str]:
    entry = {"id": image_urn}
    if media.alt_text:
        entry["altText"] = media.alt_text
    return entry


def upload_image(conn: LinkedInConnector, media: MediaFile) -> str:
    """Images API: initializeUpload gives an upload URL and the image URN; the bytes go to
    that URL with a PUT. A failure here left no post behind, so nothing is marked sent."""
    content = read_media(media)
    try:
        started = conn.api(
            "POST",
            "/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": conn.author()}},
        )
        value = http.json_object(started).get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise PermanentError(_("LinkedIn did not give an address to upload the image to."))
        upload = str(value["uploadUrl"])
        try:
            response = http.request(
                "PUT",
                upload,
                content=content,
                headers={
                    "Authorization": f"Bearer {conn.token()}",
                    "Content-Type": media.mime_type,
                },
                timeout=120,
            )
        except http.OutboundError as exc:
            raise TransientError(
                _("The image upload to LinkedIn failed: %(reason)s") % {"reason": exc.message}
            ) from None
        if not response.is_success:
            raise client.error_for(response)
    except ConnectorError as exc:
        exc.sent = False  # no post exists yet: the dispatcher may simply try again
        raise
    return str(value["image"])


def find_published(conn: LinkedInConnector, part: OutgoingPart) -> PublishedRef | None:
    if part.reply_to is not None:
        return engage.find_reply(conn, part)
    author = conn.author()
    response = conn.api(
        "GET",
        "/posts?"
        + client.query(
            [
                ("author", client.urn(author)),
                ("q", "author"),
                ("count", str(LOOKUP_COUNT)),
                ("sortBy", "CREATED"),
            ]
        ),
    )
    wanted = {escape_little(part.text), part.text}
    since = part.not_before - timedelta(minutes=10) if part.not_before else None
    for post in http.json_object(response).get("elements") or ():
        if not isinstance(post, dict) or post.get("commentary") not in wanted:
            continue
        created = post.get("createdAt")
        if since is not None and isinstance(created, int) and created < since.timestamp() * 1000:
            continue  # the same words posted before this part was due: another post
        post_urn = str(post.get("id") or "")
        if post_urn.startswith("urn:li:"):
            return ref_for(post_urn)
    return None


def delete(conn: LinkedInConnector, ref: PublishedRef) -> None:
    post_urn = str(ref.data.get("urn") or ref.external_id)
    try:
        conn.api(
            "DELETE",
            f"/posts/{client.urn(post_urn)}",
            extra_headers={"X-RestLi-Method": "DELETE"},
        )
    except PermanentError as exc:
        if exc.status == 404:
            return  # already gone: what a delete wants
        raise
