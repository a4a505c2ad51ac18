"""Reading from a Facebook Page beyond the conformance scenarios: the Page's own comments are
not comments to read, a deleted post is left out of metrics, and counts still come when
insights are refused."""

from __future__ import annotations

import pytest
import respx

from hubbub.networks.facebook.connector import FacebookConnector
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from tests.networks.facebook.conftest import GRAPH, PAGE_ID, POST_ID, error, query

POST = PublishedRef(POST_ID, f"https://www.facebook.com/{POST_ID}", {"id": POST_ID})
pytestmark = pytest.mark.django_db


def comment(ident: str, author: dict[str, str] | None, minute: int) -> dict[str, object]:
    item: dict[str, object] = {
        "id": ident,
        "message": f"comment {ident}",
        "created_time": f"2026-05-04T09:{minute:02d}:00+0000",
    }
    if author is not None:
        item["from"] = author
    return item


def test_the_pages_own_comments_are_left_out(router: respx.MockRouter, channel: Channel) -> None:
    route = router.get(f"{GRAPH}/{POST_ID}/comments").respond(
        200,
        json={
            "data": [
                comment("1_1", {"id": PAGE_ID, "name": "Acme Coffee"}, 1),
                comment("1_2", {"id": "42", "name": "Dana"}, 2),
                comment("1_3", None, 3),  # no `from`: Facebook hides who wrote it
            ],
            "paging": {"cursors": {"before": "a", "after": "b"}},
        },
    )

    page = FacebookConnector(channel).fetch_comments(POST, None)

    assert [(i.external_id, i.author.handle) for i in page.items] == [
        ("1_2", "Dana"),
        ("1_3", "A Facebook user"),
    ]
    assert page.cursor == "2026-05-04T09:03:00+00:00|1_3"
    sent = query(route.calls.last.request)
    assert sent["order"] == ["chronological"] and sent["filter"] == ["stream"]
    assert "since" not in sent  # a first read takes what Facebook still shows


def test_a_later_read_asks_only_for_what_is_new(router: respx.MockRouter, channel: Channel) -> None:
    route = router.get(f"{GRAPH}/{POST_ID}/comments").respond(200, json={"data": []})

    page = FacebookConnector(channel).fetch_comments(POST, "2026-05-04T09:03:00+00:00|1_3")

    assert page.items == [] and page.cursor == "2026-05-04T09:03:00+00:00|1_3"
    assert query(route.calls.last.request)["since"] == ["1777885380"]


def test_metrics_leave_out_a_deleted_post_and_survive_refused_insights(
    router: respx.MockRouter, channel: Channel
) -> None:
    gone = PublishedRef(f"{PAGE_ID}_404", "", {})
    router.get(f"{GRAPH}/{PAGE_ID}_404").respond(
        400, json=error("Object does not exist", 100, 33, kind="GraphMethodException")
    )
    router.get(f"{GRAPH}/{POST_ID}").respond(
        200,
        json={
            "reactions": {"data": [], "summary": {"total_count": 5}},
            "comments": {"data": [], "summary": {"total_count": 1}},
            "id": POST_ID,
        },
    )
    router.get(f"{GRAPH}/{POST_ID}/insights").respond(
        403, json=error("(#10) Requires read_insights permission", 10)
    )

    got = FacebookConnector(channel).fetch_metrics([gone, POST])

    # Never shared: Facebook leaves `shares` out, which means none.
    assert got == {POST_ID: PostMetrics(likes=5, comments=1, shares=0)}
