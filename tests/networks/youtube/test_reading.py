"""Reading a YouTube video's comments and statistics beyond the conformance scenarios:
replies that come with their thread, and the string counts of videos.list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.youtube.connector import YouTubeConnector
from tests.networks.youtube.conftest import API, NOW, VIDEO_ID, make_channel, thread

pytestmark = pytest.mark.django_db
REF = PublishedRef(VIDEO_ID, data={"id": VIDEO_ID})


def test_replies_are_read_with_their_thread(acme: Workspace) -> None:
    top = thread("UgxTop", "First!", "fan", "UCfan", NOW - timedelta(hours=2))
    reply = {
        "kind": "youtube#comment",
        "id": "UgxTop.9zReply",
        "snippet": {
            **top["snippet"]["topLevelComment"]["snippet"],
            "textDisplay": "Thanks <3",
            "authorDisplayName": "@googledevelopers",
            "parentId": "UgxTop",
            "publishedAt": (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    top["replies"] = {"comments": [reply]}
    with respx.mock(assert_all_mocked=True) as router:
        router.get(f"{API}/commentThreads").respond(200, json={"items": [top]})
        page = YouTubeConnector(make_channel(acme)).fetch_comments(REF, None)

    assert [(i.external_id, i.in_reply_to, i.text) for i in page.items] == [
        ("UgxTop", VIDEO_ID, "First!"),
        ("UgxTop.9zReply", "UgxTop", "Thanks <3"),
    ]
    assert page.items[0].url == f"https://www.youtube.com/watch?v={VIDEO_ID}&lc=UgxTop"
    assert page.cursor == f"{(NOW - timedelta(hours=1)).isoformat()}|UgxTop.9zReply"


def test_statistics_are_numbers_and_a_deleted_video_is_left_out(acme: Workspace) -> None:
    stats = {"viewCount": "10", "likeCount": "2", "favoriteCount": "0", "commentCount": "1"}
    with respx.mock(assert_all_mocked=True) as router:
        route = router.get(f"{API}/videos").respond(
            200, json={"items": [{"id": VIDEO_ID, "statistics": stats}]}
        )
        got = YouTubeConnector(make_channel(acme)).fetch_metrics([REF, PublishedRef("gone123")])

    assert route.calls.last.request.url.params["id"] == f"{VIDEO_ID},gone123"
    assert got == {VIDEO_ID: PostMetrics(views=10, likes=2, comments=1)}
