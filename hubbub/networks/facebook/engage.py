"""Engaging with what visitors wrote on a Facebook Page, from the inbox (Graph API, "Comments"
and "Likes" references; "Page Moderation": hiding comments).

What the inbox holds is either a comment on one of the Page's posts or a visitor's post that
tags the Page (reading.py puts which in Incoming.data["kind"]):

- reply: POST /{comment-id}/comments with `message`, as the Page. Facebook nests comments two
  levels deep, so an answer to a reply goes to the top-level comment it belongs to
  (data["parent_id"]), where Facebook itself shows the whole exchange; a tagging post is
  answered with POST /{post-id}/comments (posting.py calls reply_target);
- like: POST /{object-id}/likes, as the Page (answered {"success": true}; liking twice is
  not an error);
- hide: POST /{comment-id} with is_hidden=true|false: hidden from everyone but its author
  and their friends; only comments can be hidden, not a visitor's own post;
- delete: DELETE /{comment-id}, for comments on the Page's posts; a visitor's post is theirs.

All need pages_manage_engagement (and pages_read_user_content to have read them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.facebook import graph
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.facebook.connector import FacebookConnector


def reply_target(parent: PublishedRef) -> str:
    """Where an answer to `parent` is posted as a comment."""
    if parent.data.get("kind") == "comment" and parent.data.get("parent_id"):
        return str(parent.data["parent_id"])
    return parent.external_id


def like(conn: FacebookConnector, ref: PublishedRef) -> None:
    conn.call("POST", f"{ref.external_id}/likes")


def hide(conn: FacebookConnector, ref: PublishedRef, hidden: bool) -> None:
    _comment_only(ref, _("Facebook hides comments only, not a visitor's post that tags the Page."))
    conn.call("POST", ref.external_id, data={"is_hidden": "true" if hidden else "false"})


def delete_comment(conn: FacebookConnector, ref: PublishedRef) -> None:
    _comment_only(
        ref,
        _(
            "Hubbub deletes comments on the Page's posts only; a visitor's post that tags the "
            "Page is theirs to delete."
        ),
    )
    try:
        conn.call("DELETE", ref.external_id)
    except graph.ObjectMissing:
        return  # already gone: what deleting wanted


def _comment_only(ref: PublishedRef, refusal: str) -> None:
    if ref.data.get("kind") == "post":
        raise PermanentError(refusal)
