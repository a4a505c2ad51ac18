"""Engaging with what others wrote on X, from the inbox: liking a post, hiding a reply.

Like: POST /2/users/:id/likes with {"tweet_id"} (X API > Posts > Likes > Manage Likes), as
the signed-in account; X answers {"data": {"liked": true}}, also when the post was already
liked, so a retry never doubles it. Scope like.write.

Hide: PUT /2/tweets/:id/hidden with {"hidden": true|false} (X API > Posts > Hide replies),
answered {"data": {"hidden": ...}}. X lets an account hide only replies in conversations it
started (replies under its own posts); a mention elsewhere cannot be hidden, and X refuses
with 403. Each conversation holds at most 725 hidden replies. Scope tweet.moderate.write.

Replying needs nothing here: a reply is publish() with reply_to (posting.py), whose
in_reply_to_tweet_id is the mention or reply answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.x.client import call

if TYPE_CHECKING:
    from hubbub.networks.x.connector import XConnector


def tweet_id(ref: PublishedRef) -> str:
    return str(ref.data.get("id") or ref.external_id)


def like(conn: XConnector, ref: PublishedRef) -> None:
    call(conn, "POST", f"/2/users/{conn.user_id()}/likes", json={"tweet_id": tweet_id(ref)})


def hide(conn: XConnector, ref: PublishedRef, hidden: bool) -> None:
    try:
        call(conn, "PUT", f"/2/tweets/{tweet_id(ref)}/hidden", json={"hidden": hidden})
    except PermanentError as exc:
        if exc.status == 403 and not exc.needs_reconnect:
            raise PermanentError(
                _(
                    "X lets an account hide only the replies under its own posts: this one "
                    "is in someone else's conversation."
                ),
                network_message=exc.network_message,
                status=exc.status,
            ) from None
        raise
