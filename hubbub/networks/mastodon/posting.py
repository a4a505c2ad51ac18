"""Publishing on Mastodon: one part is one status.

publish: POST /api/v1/statuses with the `Idempotency-Key` header set to the part's
idempotency key. Mastodon keeps the key for an hour (Redis, `idempotency:status:<account>:
<key>`) and answers a second request with the same key with the status the first one made,
so a retry soon after a lost answer cannot post twice. Past that hour, and when the outcome
of an attempt is unknown, the dispatcher asks find_published, which looks for a status with
the same text among the account's latest ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import regex
from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.mastodon import media
from hubbub.networks.mastodon.client import call
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.mastodon.connector import MastodonConnector

RECENT = 40  # the most /api/v1/accounts/:id/statuses returns in one page
# A status created a little before it was due still counts: the clocks of Hubbub's server
# and Mastodon's differ by a few seconds, and a person may "send now" a post due later.
CLOCK_MARGIN = timedelta(minutes=5)
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w")


def publish(conn: MastodonConnector, part: OutgoingPart) -> PublishedRef:
    form: dict[str, Any] = {"status": part.text, "visibility": "public"}
    if part.language:
        form["language"] = part.language
    if part.reply_to is not None:
        parent = part.reply_to.parent
        form["in_reply_to_id"] = parent.data.get("id") or parent.external_id
        # An answer is never more public than what it answers: a reply to a direct message
        # stays direct (a public one would publish a private conversation).
        form["visibility"] = reply_visibility(str(parent.data.get("visibility") or ""))
        form["status"] = addressed(part.text, str(parent.data.get("acct") or ""))
    if part.media:
        form["media_ids[]"] = media.upload_all(conn, part.media)
    status = call(
        "POST",
        conn.config.server,
        "/api/v1/statuses",
        token=conn.token(),
        data=form,
        headers={"Idempotency-Key": part.idempotency_key},
    )
    return published_ref(status)


# From most to least public (Mastodon's visibility values).
_VISIBILITY = ("public", "unlisted", "private", "direct")


def reply_visibility(parent: str) -> str:
    return parent if parent in _VISIBILITY else "public"


def addressed(text: str, acct: str) -> str:
    """The reply, starting with @acct unless it already names them: Mastodon tells (and, for a
    direct message, shows the status to) only the accounts a status mentions."""
    if not acct:
        return text
    mention = f"@{acct}"
    local = mention.split("@")[1]
    if regex.search(rf"(?<![\w@])@{regex.escape(local)}(@[\w.-]+\w)?(?![\w@])", text):
        return text
    return f"{mention} {text}"


def like(conn: MastodonConnector, ref: PublishedRef) -> None:
    status_id = str(ref.data.get("id") or ref.external_id)
    call("POST", conn.config.server, f"/api/v1/statuses/{status_id}/favourite", token=conn.token())


def find_published(conn: MastodonConnector, part: OutgoingPart) -> PublishedRef | None:
    statuses = call(
        "GET",
        conn.config.server,
        f"/api/v1/accounts/{conn.account_id()}/statuses",
        token=conn.token(),
        params={"limit": RECENT},
    )
    if not isinstance(statuses, list):
        return None
    text, parent = part.text, None
    if part.reply_to is not None:
        answered = part.reply_to.parent
        parent = str(answered.data.get("id") or answered.external_id)
        text = addressed(text, str(answered.data.get("acct") or ""))
    wanted = comparable(text)
    since = part.not_before - CLOCK_MARGIN if part.not_before else None
    for status in statuses:  # newest first
        if not isinstance(status, dict) or status.get("reblog"):
            continue
        if since is not None and not _created_since(status, since):
            continue
        if parent is not None and str(status.get("in_reply_to_id") or "") != parent:
            continue
        if comparable(plain_text(str(status.get("content") or ""))) == wanted:
            return published_ref(status)
    return None


def delete(conn: MastodonConnector, ref: PublishedRef) -> None:
    try:
        call(
            "DELETE", conn.config.server, f"/api/v1/statuses/{ref.external_id}", token=conn.token()
        )
    except PermanentError as exc:
        if exc.status == 404:  # already gone: what a delete wants
            return
        raise


def published_ref(status: Any) -> PublishedRef:
    if not isinstance(status, dict) or not status.get("id"):
        raise PermanentError(_("The Mastodon server answered the post without a status."))
    return PublishedRef(
        external_id=str(status["id"]),
        url=str(status.get("url") or status.get("uri") or ""),
        data={"id": str(status["id"])},
    )


def _created_since(status: dict[str, Any], since: datetime) -> bool:
    try:
        created = datetime.fromisoformat(str(status.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return False
    return created >= since


class _TextExtractor(HTMLParser):
    """The text of Mastodon's status HTML: paragraphs and line breaks become new lines, and
    every span counts, including the `invisible` ones that hold the parts of long links
    the web page hides (so a link reads whole again)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def comparable(text: str) -> str:
    """What must be equal between our text and Mastodon's rendering of it: Mastodon shows
    a mention of another server's account as @user only, and may rewrite white space."""
    return " ".join(_REMOTE_MENTION.sub(r"\1", text).split())
