"""Reading from TikTok: the published videos' counts.

Query Videos (https://developers.tiktok.com/doc/tiktok-api-v2-video-query):
POST /v2/video/query/?fields=id,like_count,comment_count,share_count,view_count with
{"filters": {"video_ids": [...]}}, up to 20 ids a request, scope video.list. Only the
account's own videos come back, and only those with a public id: a private post
(SELF_ONLY) has none (posting.py), so it is left out of the answer.

TikTok gives posting apps no API for comments or mentions: neither is declared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubbub.networks.incoming import PostMetrics
from hubbub.networks.outgoing import PublishedRef

if TYPE_CHECKING:
    from hubbub.networks.tiktok.connector import TikTokConnector

IDS_PER_CALL = 20  # "Up to 20 video IDs can be included per request"
FIELDS = "id,like_count,comment_count,share_count,view_count"


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
    def count(name: str) -> int | None:
        value = video.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return PostMetrics(
        likes=count("like_count"),
        comments=count("comment_count"),
        shares=count("share_count"),
        views=count("view_count"),
    )
