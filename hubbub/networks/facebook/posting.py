"""Publishing on a Facebook Page (Pages API, "Posts" and "Page Photos" references).

- text (and a link to preview): POST /{page-id}/feed with message and link;
- one photo: POST /{page-id}/photos, a multipart upload of `source` with the text as
  `caption`; the answer's post_id is the Page post;
- several photos: each uploaded with published=false, then POST /{page-id}/feed with
  message and attached_media[i]={"media_fbid": ...} ("Publish a multi-photo post");
- the first comment (a part with reply_to): POST /{post-id}/comments as the Page; an answer
  from the inbox is one too, on the comment or tagging post answered (engage.py).

Idempotency: the Graph API has no idempotency key. After a time-out, find_published reads
the Page's published posts since the part was due (minus a minute for clock skew) and
matches the message; a first comment or an answer is looked for among the comments by the
Page on what it answered.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import ConnectorError, PermanentError, upload_file
from hubbub.networks.facebook import engage, graph, messenger
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.facebook.connector import FacebookConnector

# Compared with the part's due time: a post created this much earlier is still a candidate.
CLOCK_SKEW = timedelta(minutes=1)


def publish(conn: FacebookConnector, part: OutgoingPart) -> PublishedRef:
    if part.reply_to is not None and messenger.is_message(part.reply_to.parent):
        return messenger.reply(conn, part, part.reply_to.parent)  # a Messenger answer
    if part.reply_to is not None:
        # A first comment on our post, or an answer from the inbox (engage.reply_target).
        target = engage.reply_target(part.reply_to.parent)
        answer = conn.call("POST", f"{target}/comments", data={"message": part.text})
        return comment_ref(_id(answer))
    if any(not m.mime_type.startswith("image/") for m in part.media):
        raise PermanentError(_("Hubbub does not publish videos to Facebook Pages yet."))
    page = conn.page_id()
    if len(part.media) == 1:
        caption = {"caption": part.text} if part.text else {}
        answer = conn.call(
            "POST", f"{page}/photos", data=caption, files={"source": upload_file(part.media[0])}
        )
        return post_ref(str(answer.get("post_id") or _id(answer)))
    form: dict[str, Any] = {}
    if part.text:
        form["message"] = part.text
    if part.media:
        for index, media in enumerate(part.media):
            photo = conn.call(
                "POST",
                f"{page}/photos",
                data={"published": "false"},
                files={"source": upload_file(media)},
            )
            form[f"attached_media[{index}]"] = json.dumps({"media_fbid": _id(photo)})
    elif part.link:
        form["link"] = part.link
    return post_ref(_id(conn.call("POST", f"{page}/feed", data=form)))


def find_published(conn: FacebookConnector, part: OutgoingPart) -> PublishedRef | None:
    if part.reply_to is not None and messenger.is_message(part.reply_to.parent):
        return messenger.find_reply(conn, part, part.reply_to.parent)
    wanted = _normal(part.text)
    if part.reply_to is not None:
        page = conn.page_id()
        answer = conn.call(
            "GET",
            f"{engage.reply_target(part.reply_to.parent)}/comments",
            params={
                "filter": "stream",
                "order": "reverse_chronological",
                "fields": "id,message,from{id}",
                "limit": "100",
            },
        )
        for comment in _data(answer):
            author = graph.obj(comment.get("from"))
            if str(author.get("id")) == page and _normal(comment.get("message")) == wanted:
                return comment_ref(str(comment["id"]))
        return None
    params = {"fields": "id,message,created_time", "limit": "100"}
    if part.not_before is not None:
        params["since"] = str(int((part.not_before - CLOCK_SKEW).timestamp()))
    for posts in graph.paged(
        f"{conn.page_id()}/published_posts",
        token=conn.token(),
        network=conn.label,
        params=params,
        max_pages=5,
    ):
        for post in posts:
            if post.get("id") and _normal(post.get("message")) == wanted:
                return post_ref(str(post["id"]))
    return None


def delete(conn: FacebookConnector, ref: PublishedRef) -> None:
    try:
        conn.call("DELETE", ref.external_id)
    except graph.ObjectMissing:
        return  # already gone: what a delete wants


def post_ref(post_id: str) -> PublishedRef:
    # A Page post's id is "<page id>_<post id>", which www.facebook.com opens as is.
    return PublishedRef(external_id=post_id, url=f"{graph.WWW_URL}/{post_id}", data={"id": post_id})


def comment_ref(comment_id: str) -> PublishedRef:
    return PublishedRef(
        external_id=comment_id, url=f"{graph.WWW_URL}/{comment_id}", data={"id": comment_id}
    )


def _id(answer: dict[str, Any]) -> str:
    value = answer.get("id")
    if not value:
        raise ConnectorError(
            _("Facebook answered without the id of what it published."), permanent=True
        )
    return str(value)


def _data(answer: dict[str, Any]) -> list[dict[str, Any]]:
    data = answer.get("data")
    return (
        [d for d in data if isinstance(d, dict) and d.get("id")] if isinstance(data, list) else []
    )


def _normal(text: Any) -> str:
    # Facebook trims the message and may normalise line ends.
    return " ".join(str(text or "").split())
