"""Publishing on a WordPress site: one part is one post (or, replying, one comment).

Post. POST /wp/v2/posts with the title and HTML body made by content.py, the channel's
categories and comment status, and a status:
- "publish" (default): Hubbub is the scheduler. It sends the post at its due time and
  WordPress publishes it at once, dated then (never back-dated to the due time, when a retry
  or a held channel made it late).
- "draft" (the channel's option): WordPress keeps it in Posts → Drafts, for an editor to
  review and publish in WordPress.
- "future", WordPress's own schedule, is not an option: Hubbub already publishes at the due
  time, and a post waiting in WordPress would escape Hubbub's pause, cancel and approval
  rules. It is a safety net instead: a part that reaches WordPress more than a minute before
  its due time (`not_before`; Hubbub's dispatcher does not send early today) goes as status
  future dated the due time, so WordPress publishes it then, never early.

Featured image. POST /wp/v2/media with the file as the raw body (Content-Type and
Content-Disposition: attachment; filename=...) and alt_text as a query parameter (the media
endpoint reads its arguments from the query string as well), then the post's featured_media.

Idempotency. WordPress has no idempotency key, and custom post meta would need a plugin to
register it. The post's slug carries a tag derived from the part's idempotency key
(content.slug_for), so find_published asks GET /wp/v2/posts?slug=...&status=any and finds
exactly that part, published, draft or scheduled. A reply (a comment) is found as the
user's comment on that post, under that parent, with the same text, made since the part was
due; WordPress itself refuses an identical comment twice (comment_duplicate).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError, read_media
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.wordpress import client
from hubbub.networks.wordpress.content import plain_text, slug_for, title_and_body, to_html

if TYPE_CHECKING:
    from hubbub.networks.wordpress.connector import WordPressConnector

# wp_insert_post turns "future" into "publish" when the date is less than a minute ahead.
FUTURE_MARGIN = timedelta(minutes=1)
# A reply made a little before it was due still counts when looking it up: clocks differ.
CLOCK_MARGIN = timedelta(minutes=5)


def publish(conn: WordPressConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None:
        return _reply(conn, part)
    if not part.text.strip():
        raise PermanentError(_("A WordPress post needs some text for its title."))
    title, body = title_and_body(part.text)
    payload: dict[str, Any] = {
        "title": title,
        "content": to_html(body),
        "slug": slug_for(title, part.idempotency_key),
        **_status(conn, part),
    }
    if conn.config.categories:
        payload["categories"] = list(conn.config.categories)
    if conn.config.comment_status:
        payload["comment_status"] = conn.config.comment_status
    if part.media:
        if len(part.media) > 1:
            raise PermanentError(
                _("A WordPress post takes one image, its featured image: keep one.")
            )
        payload["featured_media"] = upload(conn, part.media[0])
    post = client.body_of(conn.call("POST", "/wp/v2/posts", json=payload))
    return post_ref(post)


def _status(conn: WordPressConnector, part: OutgoingPart) -> dict[str, str]:
    if conn.config.post_status == "draft":
        return {"status": "draft"}
    due = part.not_before
    if due is not None and due - timezone.now() >= FUTURE_MARGIN:
        # date_gmt is naive UTC in the REST API ("The date the post was published, as GMT").
        return {"status": "future", "date_gmt": due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")}
    return {"status": "publish"}


def upload(conn: WordPressConnector, media: MediaFile) -> int:
    data = read_media(media)
    params = {"alt_text": media.alt_text} if media.alt_text else None
    answer = client.body_of(
        conn.call(
            "POST",
            "/wp/v2/media",
            content=data,
            params=params,
            headers={
                "Content-Type": media.mime_type,
                "Content-Disposition": f'attachment; filename="{_ascii_name(media)}"',
            },
        )
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
        raise PermanentError(_("WordPress answered the upload without the image it stored."))
    return int(answer["id"])


def _ascii_name(media: MediaFile) -> str:
    """The file name in a header: ASCII, no quotes (WordPress sanitises it again)."""
    name = unicodedata.normalize("NFKD", media.path.name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return name or "image"


def post_ref(post: Any) -> PublishedRef:
    if not isinstance(post, dict) or not isinstance(post.get("id"), int):
        raise PermanentError(_("WordPress answered without the post it created."))
    return PublishedRef(
        external_id=str(post["id"]),
        url=str(post.get("link") or ""),
        data={"kind": "post", "id": post["id"], "status": str(post.get("status") or "")},
    )


def _reply(conn: WordPressConnector, part: OutgoingPart) -> PublishedRef:
    post_id, parent_id = _reply_target(part)
    payload = {"post": post_id, "parent": parent_id, "content": to_html(part.text)}
    comment = client.body_of(conn.call("POST", "/wp/v2/comments", json=payload))
    return comment_ref(comment)


def _reply_target(part: OutgoingPart) -> tuple[int, int]:
    """(post id, parent comment id or 0): the parent is a comment read from the post
    (reading.py puts kind "comment" and its post in the data), or the post itself."""
    assert part.reply_to is not None
    parent, root = part.reply_to.parent, part.reply_to.root
    try:
        if parent.data.get("kind") == "comment":
            return int(parent.data.get("post") or root.external_id), int(parent.external_id)
        return int(root.external_id), 0
    except (TypeError, ValueError):
        raise PermanentError(
            _("This reply does not point to a WordPress post or comment.")
        ) from None


def comment_ref(comment: Any) -> PublishedRef:
    if not isinstance(comment, dict) or not isinstance(comment.get("id"), int):
        raise PermanentError(_("WordPress answered without the comment it created."))
    return PublishedRef(
        external_id=str(comment["id"]),
        url=str(comment.get("link") or ""),
        data={"kind": "comment", "id": comment["id"], "post": comment.get("post")},
    )


def find_published(conn: WordPressConnector, part: OutgoingPart) -> PublishedRef | None:
    if part.reply_to is not None:
        return _find_reply(conn, part)
    title, _body = title_and_body(part.text)
    posts = client.body_of(
        conn.call(
            "GET",
            "/wp/v2/posts",
            params={
                "slug": slug_for(title, part.idempotency_key),
                # Published, scheduled, draft, pending and private; not the trash.
                "status": "any",
                "context": "edit",
            },
        )
    )
    if isinstance(posts, list) and posts:
        return post_ref(posts[0])
    return None


def _find_reply(conn: WordPressConnector, part: OutgoingPart) -> PublishedRef | None:
    post_id, parent_id = _reply_target(part)
    params: dict[str, Any] = {
        "post": post_id,
        "parent": parent_id,
        "author": conn.config.user_id,
        "per_page": 100,
        "orderby": "date_gmt",
        "order": "desc",
    }
    if part.not_before is not None:
        params["after"] = (part.not_before - CLOCK_MARGIN).astimezone(UTC).isoformat()
    comments = client.body_of(conn.call("GET", "/wp/v2/comments", params=params))
    wanted = _comparable(part.text)
    for comment in comments if isinstance(comments, list) else []:
        rendered = (comment.get("content") or {}).get("rendered", "")
        if isinstance(rendered, str) and _comparable(plain_text(rendered)) == wanted:
            return comment_ref(comment)
    return None


def _comparable(text: str) -> str:
    return " ".join(text.split())


def delete(conn: WordPressConnector, ref: PublishedRef) -> None:
    """To the trash (force=false): a person can still restore it in WordPress for 30 days."""
    route = "/wp/v2/comments" if ref.data.get("kind") == "comment" else "/wp/v2/posts"
    try:
        conn.call("DELETE", f"{route}/{int(ref.external_id)}", params={"force": "false"})
    except PermanentError as exc:
        code = exc.network_message.split(":", 1)[0]
        if code in ("rest_already_trashed", "rest_post_invalid_id", "rest_comment_invalid_id"):
            return  # already gone: what a delete wants
        raise
