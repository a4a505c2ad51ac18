"""Engaging with what others wrote on Instagram, from the inbox ("Comment Moderation" guide;
IG Comment, IG Comment Replies and IG User Mentions references).

What the inbox holds is a comment on one of the account's posts, a reply to such a comment,
or a media the account is tagged in (reading.py puts which in Incoming.data["kind"]):

- answer a comment: POST /{ig-comment-id}/replies with `message`. Instagram nests one level:
  "You can only reply to top-level comments; replies to a reply will be added to the
  top-level comment", so an answer to a reply is sent to its top-level comment
  (data["parent_id"]) directly;
- answer a media the account is tagged in (or whose caption mentions it): POST
  /{ig-user-id}/mentions with media_id and message (a comment on that media, as the
  account); a comment elsewhere that mentions the account (kind "mention_comment", from the
  webhooks): the same with its comment_id, which answers under that comment;
- hide: POST /{ig-comment-id} with hide=true|false ("hidden from everyone except the
  comment's author"); delete: DELETE /{ig-comment-id}. Both for comments on the account's
  own media; someone else's media is theirs.

Instagram has no API to like a comment: LIKE is not declared. All of this needs
instagram_manage_comments.

After a time-out, find_published looks for the account's answer among the replies of the
comment answered (GET /{ig-comment-id}/replies), for a tagged media among its comments
(GET /{ig-user-id}?fields=mentioned_media.media_id(...){comments{...}}), for a mentioning
comment among its replies (mentioned_comment.comment_id(...){replies{...}}).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.facebook import containers, graph
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget

if TYPE_CHECKING:
    from hubbub.networks.instagram.connector import InstagramConnector


def answers(target: ReplyTarget) -> bool:
    """Whether the part answers something from the inbox, rather than being our own post's
    first comment (whose parent is the post itself). A message without reading.py's data
    (pushed by a webhook, say) that is not the post is a comment too."""
    parent = target.parent
    if parent.data.get("kind") in ("comment", "reply", "tag", "mention_comment"):
        return True
    return parent.external_id != target.root.external_id


def top_level(parent: PublishedRef) -> str:
    if parent.data.get("kind") == "reply" and parent.data.get("parent_id"):
        return str(parent.data["parent_id"])
    return parent.external_id


def reply(conn: InstagramConnector, part: OutgoingPart, parent: PublishedRef) -> PublishedRef:
    kind = parent.data.get("kind")
    if kind in ("tag", "mention_comment"):
        # Someone else's media: answered through the account's mentions edge, on the media
        # (a tag or caption mention) or under the comment that mentions the account.
        form = {"media_id": str(parent.data.get("media_id") or parent.external_id)}
        if kind == "mention_comment":
            form["comment_id"] = str(parent.data.get("comment_id") or parent.external_id)
        made = conn.call(
            "POST", f"{conn.ig_user_id()}/mentions", data={**form, "message": part.text}
        )
    else:
        made = conn.call("POST", f"{top_level(parent)}/replies", data={"message": part.text})
    comment_id = _id(made)
    return PublishedRef(external_id=comment_id, url=parent.url, data={"id": comment_id})


def find_reply(
    conn: InstagramConnector, part: OutgoingPart, parent: PublishedRef
) -> PublishedRef | None:
    fields = "id,text,username"
    if parent.data.get("kind") == "mention_comment":
        comment_id = str(parent.data.get("comment_id") or parent.external_id)
        answer = conn.call(
            "GET",
            conn.ig_user_id(),
            params={"fields": f"mentioned_comment.comment_id({comment_id}){{replies{{{fields}}}}}"},
        )
        found = graph.obj(answer.get("mentioned_comment"))
        comments = graph.obj(found.get("replies")).get("data")
    elif parent.data.get("kind") == "tag":
        media = str(parent.data.get("media_id") or parent.external_id)
        answer = conn.call(
            "GET",
            conn.ig_user_id(),
            params={"fields": f"mentioned_media.media_id({media}){{comments{{{fields}}}}}"},
        )
        found = graph.obj(answer.get("mentioned_media"))
        comments = graph.obj(found.get("comments")).get("data")
    else:
        answer = conn.call("GET", f"{top_level(parent)}/replies", params={"fields": fields})
        comments = answer.get("data")
    wanted = containers.normal(part.text)
    own = conn.config.username
    for comment in comments if isinstance(comments, list) else ():
        if (
            isinstance(comment, dict)
            and comment.get("id")
            and comment.get("username") == own
            and containers.normal(comment.get("text")) == wanted
        ):
            made = str(comment["id"])
            return PublishedRef(external_id=made, url=parent.url, data={"id": made})
    return None


def hide(conn: InstagramConnector, ref: PublishedRef, hidden: bool) -> None:
    _comment_only(ref)
    conn.call("POST", ref.external_id, data={"hide": "true" if hidden else "false"})


def delete_comment(conn: InstagramConnector, ref: PublishedRef) -> None:
    _comment_only(ref)
    try:
        conn.call("DELETE", ref.external_id)
    except graph.ObjectMissing:
        return  # already gone: what deleting wanted


def _comment_only(ref: PublishedRef) -> None:
    if ref.data.get("kind") in ("tag", "mention_comment"):
        raise PermanentError(
            _(
                "Instagram lets the account hide or delete comments on its own posts only: "
                "a post it is tagged in belongs to someone else."
            )
        )


def _id(answer: dict[str, Any]) -> str:
    value = answer.get("id")
    if not value:
        raise PermanentError(_("Instagram answered without the id of what it made."))
    return str(value)
