"""Reading from LinkedIn: comments on the page's posts, and the posts' statistics.

Comments: GET /rest/socialActions/{post urn}/comments, paged with start and count (Comments
API). The order of the pages is not something we rely on: every page is read (up to
MAX_PAGES), and the comments newer than the cursor kept; the page's own comments (answers
sent from Hubbub) are not comments to read. The cursor is the newest comment
seen, as "<created time in ms>:<comment id>".

Metrics: GET /rest/organizationalEntityShareStatistics?q=organizationalEntity with
shares=List(...) or ugcPosts=List(...) (Organization Share Statistics): likeCount,
commentCount, shareCount, impressionCount, clickCount and uniqueImpressionsCount (reach).

Account metrics: GET /rest/networkSizes/{organization urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
(Organization Lookup API, "Retrieve Organization Follower Count"): firstDegreeSize, the
page's followers. A channel is always an organization (connector.py); a page follows no
one, and LinkedIn gives no count of its posts there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hubbub.core import http
from hubbub.networks.incoming import (
    MAX_ITEMS_PER_FETCH,
    AccountMetrics,
    Author,
    Incoming,
    Page,
    PostMetrics,
)
from hubbub.networks.linkedin import client
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.linkedin.connector import LinkedInConnector

PAGE_SIZE = 100  # Comments API count per page
MAX_PAGES = 50  # a post's first 5,000 comments: never a walk without end
STATS_PER_CALL = 20

Key = tuple[int, str]


def fetch_comments(conn: LinkedInConnector, ref: PublishedRef, cursor: str | None) -> Page:
    post_urn = str(ref.data.get("urn") or ref.external_id)
    after = _parse_cursor(cursor)
    own = conn.author()
    found: dict[str, tuple[Key, Incoming]] = {}
    start = 0
    for _page in range(MAX_PAGES):
        body = http.json_object(
            conn.api(
                "GET",
                f"/socialActions/{client.urn(post_urn)}/comments?"
                + client.query([("start", str(start)), ("count", str(PAGE_SIZE))]),
            )
        )
        elements = [e for e in body.get("elements") or () if isinstance(e, dict)]
        for element in elements:
            item = _comment(element, post_urn)
            if item is None or item.author.external_id == own:
                continue  # the page's own comments (answers sent from Hubbub) are not read
            key: Key = (int(item.created_at.timestamp() * 1000), item.external_id)
            if after is None or key > after:
                found[item.external_id] = (key, item)
        start += len(elements)
        paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
        total = paging.get("total") if paging else None
        if not elements or (isinstance(total, int) and start >= total):
            break
    ordered = sorted(found.values(), key=lambda pair: pair[0])
    more = False
    if len(ordered) > MAX_ITEMS_PER_FETCH:
        if after is None:  # a first read keeps the newest: what came before is history
            ordered = ordered[-MAX_ITEMS_PER_FETCH:]
        else:
            ordered, more = ordered[:MAX_ITEMS_PER_FETCH], True
    if not ordered:
        return Page(items=[], cursor=cursor)
    newest = ordered[-1][0]
    return Page(items=[i for _k, i in ordered], cursor=f"{newest[0]}:{newest[1]}", more=more)


def _parse_cursor(cursor: str | None) -> Key | None:
    if not cursor:
        return None
    millis, _sep, comment_id = cursor.partition(":")
    try:
        return (int(millis), comment_id)
    except ValueError:
        return None


def _comment(element: dict[str, Any], post_urn: str) -> Incoming | None:
    comment_id = str(element.get("id") or "")
    created = element.get("created") if isinstance(element.get("created"), dict) else {}
    millis = created.get("time") if created else None
    if not comment_id or not isinstance(millis, int):
        return None
    message = element.get("message") if isinstance(element.get("message"), dict) else {}
    actor = str(element.get("actor") or (created or {}).get("actor") or "")
    comment_urn = str(element.get("commentUrn") or element.get("$URN") or "")
    return Incoming(
        external_id=comment_id,
        text=str((message or {}).get("text") or ""),
        # The Comments API names the commenter by URN only: a member's name needs the
        # person's own permission, which a page's token does not have.
        author=Author(external_id=actor, handle=actor),
        created_at=datetime.fromtimestamp(millis / 1000, UTC),
        url=post_url_for(post_urn),
        in_reply_to=str(element.get("parentComment") or post_urn),
        # What answering, liking or deleting it needs (engage.py): its URN, the post's
        # activity it sits on, and the comment it answers when it is itself an answer.
        data={
            "id": comment_id,
            "urn": comment_urn,
            "object": str(element.get("object") or post_urn),
            "parent_comment": str(element.get("parentComment") or ""),
        },
    )


def post_url_for(post_urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{post_urn}/"


def fetch_metrics(conn: LinkedInConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_urn = {str(ref.data.get("urn") or ref.external_id): ref.external_id for ref in refs}
    shares = [u for u in by_urn if u.startswith("urn:li:share:")]
    ugc_posts = [u for u in by_urn if u.startswith("urn:li:ugcPost:")]
    result: dict[str, PostMetrics] = {}
    for param, field, urns in (("shares", "share", shares), ("ugcPosts", "ugcPost", ugc_posts)):
        for begin in range(0, len(urns), STATS_PER_CALL):
            chunk = urns[begin : begin + STATS_PER_CALL]
            listed = "List(" + ",".join(client.urn(u) for u in chunk) + ")"
            body = http.json_object(
                conn.api(
                    "GET",
                    "/organizationalEntityShareStatistics?"
                    + client.query(
                        [
                            ("q", "organizationalEntity"),
                            ("organizationalEntity", client.urn(conn.author())),
                            (param, listed),
                        ]
                    ),
                )
            )
            for element in body.get("elements") or ():
                if not isinstance(element, dict) or element.get(field) not in by_urn:
                    continue
                stats = element.get("totalShareStatistics")
                if isinstance(stats, dict):
                    result[by_urn[str(element[field])]] = _metrics(stats)
    return result


def _metrics(stats: dict[str, Any]) -> PostMetrics:
    def count(name: str) -> int | None:
        value = stats.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return PostMetrics(
        likes=count("likeCount"),
        comments=count("commentCount"),
        shares=count("shareCount"),
        impressions=count("impressionCount"),
        clicks=count("clickCount"),
        reach=count("uniqueImpressionsCount"),
    )


def fetch_account_metrics(conn: LinkedInConnector) -> AccountMetrics:
    """The organization's followers (networkSizes, edge COMPANY_FOLLOWED_BY_MEMBER)."""
    body = http.json_object(
        conn.api(
            "GET",
            f"/networkSizes/{client.urn(conn.author())}?"
            + client.query([("edgeType", "COMPANY_FOLLOWED_BY_MEMBER")]),
        )
    )
    size = body.get("firstDegreeSize")
    return AccountMetrics(
        followers=size if isinstance(size, int) and not isinstance(size, bool) else None
    )
