"""Engaging with comments on the page's posts, from the inbox (Community Management API:
Comments API and Reactions API), always as the organization, never as the person whose
token it is.

- answer: POST /rest/socialActions/{target}/comments with {"actor": <organization>,
  "object": <the post's activity>, "message": {"text"}, "parentComment": <comment URN>}.
  The target is the comment answered ("Create a nested comment": a comment on a comment
  names it in the path and in parentComment). LinkedIn nests one level: an answer to an
  answer goes under the top-level comment (data["parent_comment"]). The text is plain: a
  comment's message is not read in the "little" text format of posts. LinkedIn answers 201
  with the comment; its `id` is what reading.py calls it. After a time-out, the answer is
  looked for among the comments on the target by the organization, by its text;
- like: POST /rest/reactions?actor=<organization> with {"root": <comment URN>,
  "reactionType": "LIKE"} ("Create a Reaction on a Comment"); a reaction that already
  exists (409) is what liking wanted;
- delete: DELETE /rest/socialActions/{post activity}/comments/{comment id}?actor=<organization>:
  a page's administrators may delete comments on the page's posts, as the page.

LinkedIn has no hiding of comments: HIDE is not declared. Needs w_organization_social (write)
and r_organization_social (the lookup), both asked for when connecting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.linkedin import client
from hubbub.networks.linkedin.reading import post_url_for
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.linkedin.connector import LinkedInConnector

LOOKUP_COUNT = 100


def _is_comment(ref: PublishedRef) -> bool:
    return str(ref.data.get("urn") or "").startswith("urn:li:comment:")


def _target(part: OutgoingPart) -> tuple[str, str, str]:
    """(the URN in the path, the post's activity or URN, the parentComment or "")."""
    assert part.reply_to is not None
    parent, root = part.reply_to.parent, part.reply_to.root
    post = str(root.data.get("urn") or root.external_id)
    if not _is_comment(parent):
        return post, post, ""  # a comment on the post itself
    top = str(parent.data.get("parent_comment") or parent.data["urn"])
    return top, str(parent.data.get("object") or post), top


def reply(conn: LinkedInConnector, part: OutgoingPart) -> PublishedRef:
    target, post, parent_comment = _target(part)
    body: dict[str, Any] = {
        "actor": conn.author(),
        "object": post,
        "message": {"text": part.text},
    }
    if parent_comment:
        body["parentComment"] = parent_comment
    response = conn.api("POST", f"/socialActions/{client.urn(target)}/comments", json=body)
    made = http.json_object(response)
    comment_id = str(made.get("id") or response.headers.get("x-restli-id") or "")
    if not comment_id:
        # The comment exists; find_reply finds it by its text.
        raise TransientError(
            _("LinkedIn accepted the comment without saying which it is."), sent=True
        )
    return _ref(made, comment_id, post)


def _ref(made: dict[str, Any], comment_id: str, post: str) -> PublishedRef:
    return PublishedRef(
        external_id=comment_id,
        url=post_url_for(post),
        data={"id": comment_id, "urn": str(made.get("commentUrn") or ""), "object": post},
    )


def find_reply(conn: LinkedInConnector, part: OutgoingPart) -> PublishedRef | None:
    target, post, _parent = _target(part)
    response = conn.api(
        "GET",
        f"/socialActions/{client.urn(target)}/comments?"
        + client.query([("start", "0"), ("count", str(LOOKUP_COUNT))]),
    )
    wanted = " ".join(part.text.split())
    for element in http.json_object(response).get("elements") or ():
        if not isinstance(element, dict) or element.get("actor") != conn.author():
            continue
        message = element.get("message") if isinstance(element.get("message"), dict) else {}
        if " ".join(str((message or {}).get("text") or "").split()) == wanted and element.get("id"):
            return _ref(element, str(element["id"]), post)
    return None


def like(conn: LinkedInConnector, ref: PublishedRef) -> None:
    root = str(ref.data.get("urn") or ref.external_id)
    try:
        conn.api(
            "POST",
            "/reactions?" + client.query([("actor", client.urn(conn.author()))]),
            json={"root": root, "reactionType": "LIKE"},
        )
    except PermanentError as exc:
        if exc.status != 409:  # already liked: what liking wanted
            raise


def delete_comment(conn: LinkedInConnector, ref: PublishedRef) -> None:
    if not _is_comment(ref):
        raise PermanentError(_("Hubbub deletes comments on the page's posts only."))
    post = str(ref.data.get("object") or "")
    comment_id = str(ref.data.get("id") or ref.external_id)
    try:
        conn.api(
            "DELETE",
            f"/socialActions/{client.urn(post)}/comments/{comment_id}?"
            + client.query([("actor", client.urn(conn.author()))]),
            extra_headers={"X-RestLi-Method": "DELETE"},
        )
    except PermanentError as exc:
        if exc.status != 404:  # already gone: what deleting wanted
            raise
