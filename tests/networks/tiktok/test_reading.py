"""Reading the published videos' counts with Query Videos (video.list)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import respx
import time_machine

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.tiktok.connector import TikTokConnector
from tests.networks.tiktok.conftest import (
    ACCESS_TOKEN,
    NOW,
    PUBLISH_ID,
    VIDEO_ID,
    VIDEO_QUERY,
    make_channel,
    ok,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _ref(video_id: str) -> PublishedRef:
    return PublishedRef(external_id=video_id, data={"video_id": video_id, "publish_id": "p"})


def test_counts_are_read_for_public_videos(router: respx.MockRouter, acme: Workspace) -> None:
    other = "7314569872345670000"
    route = router.post(
        VIDEO_QUERY, params={"fields": "id,like_count,comment_count,share_count,view_count"}
    ).respond(
        200,
        json=ok(
            {
                "videos": [
                    {
                        "id": VIDEO_ID,
                        "like_count": 87,
                        "comment_count": 12,
                        "share_count": 3,
                        "view_count": 1520,
                    }
                ],
                "cursor": 0,
                "has_more": False,
            }
        ),
    )
    private = PublishedRef(external_id=PUBLISH_ID, data={"publish_id": PUBLISH_ID})
    connector = TikTokConnector(make_channel(acme))

    got = connector.fetch_metrics([_ref(VIDEO_ID), _ref(other), private])

    # A deleted video is left out; a private post has no public id to ask about.
    assert got == {VIDEO_ID: PostMetrics(likes=87, comments=12, shares=3, views=1520)}
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert json.loads(request.content) == {"filters": {"video_ids": [VIDEO_ID, other]}}


def test_more_than_twenty_videos_take_several_requests(
    router: respx.MockRouter, acme: Workspace
) -> None:
    route = router.post(VIDEO_QUERY).respond(200, json=ok({"videos": []}))
    refs = [_ref(str(7000000000000000000 + n)) for n in range(45)]

    TikTokConnector(make_channel(acme)).fetch_metrics(refs)

    sizes = [len(json.loads(c.request.content)["filters"]["video_ids"]) for c in route.calls]
    assert sizes == [20, 20, 5]


def test_only_private_posts_ask_nothing(router: respx.MockRouter, acme: Workspace) -> None:
    private = PublishedRef(external_id=PUBLISH_ID, data={"publish_id": PUBLISH_ID})

    assert TikTokConnector(make_channel(acme)).fetch_metrics([private]) == {}
    assert not router.calls
