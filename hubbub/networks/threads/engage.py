"""Engaging with replies on Threads, from the inbox ("Reply Management").

Answering is publishing: a reply container whose reply_to_id is the reply or mention answered
(posting.py; permission threads_manage_replies), at any depth.

Hide: POST /{threads-reply-id}/manage_reply with hide=true|false, answered {"success": true}.
Threads hides "any top-level replies", together with everything nested under them; "replies
nested deeper than the top-level reply cannot be targeted in isolation". So a reply to a
reply is refused here, before any request, naming what can be hidden instead. (reading.py
marks each reply's data["top_level"].) Needs threads_manage_replies.

Threads has no API to like a reply or to delete someone else's: LIKE and DELETE_COMMENTS are
not declared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.threads.connector import ThreadsConnector


def hide(conn: ThreadsConnector, ref: PublishedRef, hidden: bool) -> None:
    if ref.data.get("top_level") is False:
        raise PermanentError(
            _(
                "Threads hides only replies made to the post itself, with everything under "
                "them: hide the reply this one answers instead."
            )
        )
    answer = conn.call(
        "POST", f"{ref.external_id}/manage_reply", data={"hide": "true" if hidden else "false"}
    )
    if answer.get("success") is False:
        raise PermanentError(
            _("Threads did not change whether the reply is hidden."), network_message=str(answer)
        )
