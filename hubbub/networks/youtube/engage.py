"""Engaging with comments on the channel's videos, from the inbox (YouTube Data API v3,
"Comments" resource).

- answer: comments.insert (POST /comments?part=snippet) with snippet.parentId and
  snippet.textOriginal. YouTube threads are one level deep: parentId must be a top-level
  comment, so an answer to a reply goes to its thread's top-level comment (reading.py keeps
  it as data["thread_id"]; a reply's id is also "<top-level id>.<reply id>"). 50 units of
  quota. After a time-out, the answer is looked for among the thread's replies by our
  channel (comments.list?parentId=...), by its text;
- hide: comments.setModerationStatus with moderationStatus=heldForReview ("awaiting review
  by a moderator": no longer shown, kept), and published to show it again;
- delete: comments.setModerationStatus with moderationStatus=rejected. "To remove a comment
  authored by another user from your channel or video, set its moderation status to
  rejected" (comments.delete is for the comment's own author only). It also hides the
  replies under it, and a rejected comment cannot be published again: that is why it is
  the inbox's delete, not its hide.

All need the youtube.force-ssl scope, which the channel already has (reading comments). The
API cannot like (rate) a comment: LIKE is not declared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.youtube.connector import YouTubeConnector

LOOKUP_PAGES = 5  # comments.list gives up to 100 replies a page


def thread_id(parent: PublishedRef) -> str:
    return str(parent.data.get("thread_id") or parent.external_id.split(".", 1)[0])


def comment_url(video_id: str, comment_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}"


def _ref(parent: PublishedRef, comment: dict[str, Any]) -> PublishedRef:
    comment_id = str(comment["id"])
    snippet = comment.get("snippet") if isinstance(comment.get("snippet"), dict) else {}
    video_id = str(parent.data.get("video_id") or (snippet or {}).get("videoId") or "")
    return PublishedRef(
        external_id=comment_id,
        url=comment_url(video_id, comment_id) if video_id else parent.url,
        data={"id": comment_id, "video_id": video_id, "thread_id": thread_id(parent)},
    )


def reply(conn: YouTubeConnector, part: OutgoingPart, parent: PublishedRef) -> PublishedRef:
    body = {"snippet": {"parentId": thread_id(parent), "textOriginal": part.text}}
    made = http.json_object(conn.api("POST", "/comments", params={"part": "snippet"}, json=body))
    if not made.get("id"):
        # The comment may exist: find_reply looks for it before anything is sent again.
        raise TransientError(_("YouTube answered without the comment it made."), sent=True)
    return _ref(parent, made)


def find_reply(
    conn: YouTubeConnector, part: OutgoingPart, parent: PublishedRef
) -> PublishedRef | None:
    params = {
        "part": "snippet",
        "parentId": thread_id(parent),
        "maxResults": "100",
        "textFormat": "plainText",
    }
    wanted = " ".join(part.text.split())
    for _page in range(LOOKUP_PAGES):
        body = http.json_object(conn.api("GET", "/comments", params=params))
        for comment in body.get("items") or ():
            if not isinstance(comment, dict) or not comment.get("id"):
                continue
            snippet = comment.get("snippet") if isinstance(comment.get("snippet"), dict) else {}
            author = (snippet or {}).get("authorChannelId")
            author_id = author.get("value") if isinstance(author, dict) else None
            text = str((snippet or {}).get("textOriginal") or (snippet or {}).get("textDisplay"))
            if author_id == conn.config.channel_id and " ".join(text.split()) == wanted:
                return _ref(parent, comment)
        token = body.get("nextPageToken")
        if not token:
            break
        params["pageToken"] = str(token)
    return None


def moderate(conn: YouTubeConnector, ref: PublishedRef, status: str) -> None:
    comment_id = str(ref.data.get("id") or ref.external_id)
    conn.api(
        "POST",
        "/comments/setModerationStatus",
        params={"id": comment_id, "moderationStatus": status},
    )


def hide(conn: YouTubeConnector, ref: PublishedRef, hidden: bool) -> None:
    moderate(conn, ref, "heldForReview" if hidden else "published")


def delete_comment(conn: YouTubeConnector, ref: PublishedRef) -> None:
    try:
        moderate(conn, ref, "rejected")
    except PermanentError as exc:
        if exc.status == 404:
            return  # commentNotFound: already gone, what deleting wanted
        raise
