"""Reading a LinkedIn page's comments and statistics beyond the conformance scenarios:
URN encoding in paths and List(...) parameters, posts made through the UGC API, and what
LinkedIn leaves out."""

from __future__ import annotations

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.linkedin.connector import LinkedInConnector
from hubbub.networks.outgoing import PublishedRef
from tests.networks.linkedin.conftest import API, NOW, POST_URN, comment, make_channel

pytestmark = pytest.mark.django_db
UGC = "urn:li:ugcPost:7100000000000000001"


def test_statistics_ask_shares_and_ugc_posts_separately(acme: Workspace) -> None:
    connector = LinkedInConnector(make_channel(acme))
    stats = {"likeCount": 1, "commentCount": 0, "shareCount": 0, "impressionCount": 10}
    with respx.mock(assert_all_mocked=True) as router:
        route = router.get(url__startswith=f"{API}/organizationalEntityShareStatistics")
        route.side_effect = [
            respx.MockResponse(
                200, json={"elements": [{"share": POST_URN, "totalShareStatistics": stats}]}
            ),
            respx.MockResponse(
                200, json={"elements": [{"ugcPost": UGC, "totalShareStatistics": stats}]}
            ),
        ]

        got = connector.fetch_metrics(
            [
                PublishedRef(POST_URN, data={"urn": POST_URN}),
                PublishedRef(UGC),
                PublishedRef("urn:li:share:gone"),
            ]
        )

    queries = [c.request.url.query.decode() for c in route.calls]
    assert queries[0].endswith(
        "&shares=List(urn%3Ali%3Ashare%3A6844785523593134080,urn%3Ali%3Ashare%3Agone)"
    )
    assert queries[1].endswith("&ugcPosts=List(urn%3Ali%3AugcPost%3A7100000000000000001)")
    expected = PostMetrics(likes=1, comments=0, shares=0, impressions=10)
    assert got == {POST_URN: expected, UGC: expected}  # the post LinkedIn lost is left out


def test_comments_keep_their_urn_for_a_reply(acme: Workspace) -> None:
    connector = LinkedInConnector(make_channel(acme))
    actor = "urn:li:person:9000"
    with respx.mock(assert_all_mocked=True) as router:
        route = router.get(url__startswith=f"{API}/socialActions/").respond(
            200,
            json={
                "paging": {"start": 0, "count": 100, "total": 1},
                "elements": [comment(7, "Nice <b>", actor, NOW)],
            },
        )
        page = connector.fetch_comments(PublishedRef(POST_URN, data={"urn": POST_URN}), None)

    assert route.calls.last.request.url.raw_path == (
        b"/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134080/comments?start=0&count=100"
    )
    (item,) = page.items
    assert item.text == "Nice <b>" and item.author.external_id == actor
    assert item.data["urn"] == "urn:li:comment:(urn:li:activity:6844785523593134080,7)"
    assert page.cursor == f"{int(NOW.timestamp() * 1000)}:7"
