"""Reading a post's comments: GET /wp/v2/comments?post=ID, oldest first, with a cursor.

WordPress pages with `page` and `per_page` (at most 100) and says how many pages there are
in the X-WP-TotalPages header (REST API Handbook, "Pagination"). `after` limits the answer to
comments made after a date; it compares whole seconds and excludes the second it names, so
the cursor keeps the newest comment's date_gmt *and* the ids seen at that second: the next
call asks from one second earlier and leaves those ids out. Nothing made in that second is
missed, nothing is returned twice.

`status=all` reads comments held for moderation too (WordPress holds a first-time
commenter's comment by default): read only once approved, a comment approved later would
carry a date older than the cursor and never be seen. The person sees it at once, with
`data["status"] == "hold"`, and may approve it in WordPress. (The parameter needs the
edit_posts capability, which every user who can publish has.)

The account's own comments (its replies) are not incoming: they are skipped, the cursor
still moves past them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hubbub.networks.base import PermanentError
from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, Author, Incoming, Page
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.wordpress.content import plain_text

if TYPE_CHECKING:
    from hubbub.networks.wordpress.connector import WordPressConnector

PER_PAGE = 100  # the most WordPress returns a page


def encode_cursor(newest: datetime, ids: set[int]) -> str:
    return newest.strftime("%Y-%m-%dT%H:%M:%S") + "|" + ",".join(str(i) for i in sorted(ids))


def decode_cursor(cursor: str) -> tuple[datetime, set[int]]:
    try:
        when, _sep, ids = cursor.partition("|")
        newest = datetime.strptime(when, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        return newest, {int(i) for i in ids.split(",") if i}
    except ValueError:
        raise PermanentError(_("The saved position in the comments cannot be read.")) from None


def fetch_comments(conn: WordPressConnector, ref: PublishedRef, cursor: str | None) -> Page:
    newest, seen = decode_cursor(cursor) if cursor else (None, set())
    params: dict[str, Any] = {
        "post": int(ref.data.get("post") or ref.external_id)
        if ref.data.get("kind") == "comment"
        else int(ref.external_id),
        "status": "all",
        "orderby": "date_gmt",
        "order": "asc",
        "per_page": PER_PAGE,
    }
    if newest is not None:
        params["after"] = (newest - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    items: list[Incoming] = []
    read = 0
    page, pages = 1, 1
    more = False
    while page <= pages:
        try:
            response = conn.call("GET", "/wp/v2/comments", params={**params, "page": page})
        except PermanentError as exc:
            # Comments deleted while reading: the next page no longer exists. What was read
            # stands; the cursor continues from it.
            if page > 1 and exc.network_message.startswith("rest_comment_invalid_page_number"):
                break
            raise
        pages = _total_pages(response.headers.get("x-wp-totalpages"))
        comments = response.json()
        for comment in comments if isinstance(comments, list) else []:
            if not isinstance(comment, dict) or not isinstance(comment.get("id"), int):
                continue
            at = _date(comment.get("date_gmt"))
            if at is None:
                continue
            if newest is not None and (at < newest or (at == newest and comment["id"] in seen)):
                continue
            read += 1
            if newest is None or at > newest:
                newest, seen = at, set()
            seen.add(comment["id"])
            if comment.get("author") and comment.get("author") == conn.config.user_id:
                continue
            items.append(incoming(comment, ref))
        if read >= MAX_ITEMS_PER_FETCH and page < pages:
            more = True
            break
        page += 1
    return Page(
        items=items,
        cursor=encode_cursor(newest, seen) if newest is not None else cursor,
        more=more,
    )


def _total_pages(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


def _date(value: Any) -> datetime | None:
    """date_gmt: ISO 8601 without an offset, in UTC."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None


def incoming(comment: dict[str, Any], ref: PublishedRef) -> Incoming:
    found = comment.get("content")
    content: dict[str, Any] = found if isinstance(found, dict) else {}
    avatars = comment.get("author_avatar_urls")
    avatar = str(avatars.get("96") or "") if isinstance(avatars, dict) else ""
    author_id = comment.get("author") or 0
    name = str(comment.get("author_name") or "")
    parent = comment.get("parent") or 0
    post = comment.get("post")
    created = _date(comment.get("date_gmt"))
    assert created is not None
    return Incoming(
        external_id=str(comment["id"]),
        text=plain_text(str(content.get("rendered") or "")),
        author=Author(
            # A visitor without an account has no id: the name they typed stands for them.
            external_id=str(author_id) if author_id else f"guest:{name}",
            handle=name,
            name=name,
            avatar_url=avatar,
            profile_url=str(comment.get("author_url") or ""),  # the commenter's own website
        ),
        created_at=created,
        url=str(comment.get("link") or ""),
        in_reply_to=str(parent) if parent else str(post or ref.external_id),
        data={"kind": "comment", "post": post, "status": str(comment.get("status") or "")},
    )
