"""Reading from TikTok: the published videos' counts.

Query Videos (https://developers.tiktok.com/doc/tiktok-api-v2-video-query):
POST /v2/video/query/?fields=id,like_count,comment_count,share_count,view_count with
{"filters": {"video_ids": [...]}}, up to 20 ids a request, scope video.list. Only the
account's own videos come back, and only those with a public id: a private post
(SELF_ONLY) has none (posting.py), so it is left out of the answer.

TikTok gives posting apps no API for comments or mentions: neither is declared.

Account metrics: GET /v2/user/info/?fields=follower_count,following_count,video_count (Get
User Info). Those fields need the user.info.stats scope, which Hubbub does not ask for yet
(oauth.SCOPES): an authorization that did not grant it reads nothing, rather than a call
TikTok would refuse every day (scope_not_authorized).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubbub.networks.incoming import AccountMetrics, PostMetrics
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.tiktok.connector import TikTokConnector

IDS_PER_CALL = 20  # "Up to 20 video IDs can be included per request"
FIELDS = "id,like_count,comment_count,share_count,view_count"
ACCOUNT_FIELDS = "follower_count,following_count,video_count"
STATS_SCOPE = "user.info.stats"  # follower_count, following_count, video_count (Get User Info)


def fetch_metrics(conn: TikTokConnector, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
    by_id = {str(ref.data["video_id"]): ref.external_id for ref in refs if ref.data.get("video_id")}
    ids = list(by_id)
    result: dict[str, PostMetrics] = {}
    for begin in range(0, len(ids), IDS_PER_CALL):
        data = conn.api(
            "POST",
            "/video/query/",
            params={"fields": FIELDS},
            json={"filters": {"video_ids": ids[begin : begin + IDS_PER_CALL]}},
        )
        for video in data.get("videos") or ():
            if isinstance(video, dict) and str(video.get("id")) in by_id:
                result[by_id[str(video["id"])]] = _metrics(video)
    return result


def _metrics(video: dict[str, Any]) -> PostMetrics:
    return PostMetrics(
        likes=_count(video, "like_count"),
        comments=_count(video, "comment_count"),
        shares=_count(video, "share_count"),
        views=_count(video, "view_count"),
    )


def fetch_account_metrics(conn: TikTokConnector) -> AccountMetrics:
    """The account's followers, the accounts it follows and its videos (user.info.stats)."""
    granted = str(conn.stored_credentials().get("scope") or "")
    if granted and STATS_SCOPE not in granted.replace(" ", ",").split(","):
        return AccountMetrics()  # not allowed to the connection: nothing to read
    data = conn.api("GET", "/user/info/", params={"fields": ACCOUNT_FIELDS})
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    user = user or {}
    return AccountMetrics(
        followers=_count(user, "follower_count"),
        following=_count(user, "following_count"),
        posts=_count(user, "video_count"),
    )


def _count(found: dict[str, Any], name: str) -> int | None:
    value = found.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
