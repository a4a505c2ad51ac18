"""Reading a post's comments: the request (post, status=all, date_gmt order, after, pages),
the cursor across calls (comments in the same second included), the account's own replies
left out, and a very busy post read over several calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import respx

from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.wordpress.connector import WordPressConnector
from hubbub.networks.wordpress.reading import decode_cursor
from tests.networks.wordpress.conftest import API, AUTH, POST_ID, USER_ID, comment

COMMENTS = f"{API}/wp/v2/comments"
REF = PublishedRef(external_id=str(POST_ID), data={"kind": "post", "id": POST_ID})


def serve(
    router: respx.MockRouter, comments: list[dict[str, Any]], per_page: int = 100
) -> respx.Route:
    """WordPress's answer: `after` (exclusive, whole seconds), date_gmt order, pages with
    X-WP-TotalPages."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["post"] == str(POST_ID) and params["status"] == "all"
        assert params["orderby"] == "date_gmt" and params["order"] == "asc"
        after = params.get("after")
        chosen = [c for c in comments if after is None or c["date_gmt"] > after.removesuffix("Z")]
        size = min(int(params["per_page"]), per_page)
        page = int(params["page"])
        pages = max(1, -(-len(chosen) // size))
        return httpx.Response(
            200,
            json=chosen[(page - 1) * size : page * size],
            headers={"X-WP-Total": str(len(chosen)), "X-WP-TotalPages": str(pages)},
        )

    return router.get(COMMENTS).mock(side_effect=answer)


def test_comments_are_read_page_after_page_then_from_the_cursor(
    wp: respx.MockRouter, channel: Channel
) -> None:
    comments = [
        comment(i, f"Comment {i}", f"2026-03-02T10:{i // 60:02d}:{i % 60:02d}")
        for i in range(1, 151)
    ]
    route = serve(wp, comments)
    connector = WordPressConnector(channel)

    first = connector.fetch_comments(REF, None)

    assert [i.external_id for i in first.items] == [str(i) for i in range(1, 151)]
    assert route.call_count == 2  # two pages of 100
    request = route.calls[0].request
    assert request.headers["authorization"] == AUTH
    assert "after" not in request.url.params and request.url.params["per_page"] == "100"
    assert first.cursor == "2026-03-02T10:02:30|150" and first.more is False

    # Two more in the same second as the newest seen, one a second later.
    comments += [
        comment(151, "Same second", "2026-03-02T10:02:30"),
        comment(152, "Later", "2026-03-02T10:02:31"),
    ]
    second = connector.fetch_comments(REF, first.cursor)

    assert route.calls.last.request.url.params["after"] == "2026-03-02T10:02:29Z"
    assert [i.external_id for i in second.items] == ["151", "152"]
    third = connector.fetch_comments(REF, second.cursor)
    assert third.items == [] and third.cursor == second.cursor


def test_a_comment_becomes_plain_text_with_its_author_and_parent(
    wp: respx.MockRouter, channel: Channel
) -> None:
    serve(
        wp,
        [
            comment(
                8,
                "Love it &amp; <b>really</b><br />\nSee &lt;this&gt;",
                "2026-03-02T10:00:00",
                author=0,
                name="Visitor",
                parent=5,
                status="hold",
            )
        ],
    )

    (item,) = WordPressConnector(channel).fetch_comments(REF, None).items

    assert item.text == "Love it & really\nSee <this>"
    assert item.author.external_id == "guest:Visitor" and item.author.handle == "Visitor"
    assert item.author.avatar_url.endswith("s=96&d=mm&r=g")
    assert item.created_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert item.in_reply_to == "5"
    assert item.data == {"kind": "comment", "post": POST_ID, "status": "hold"}


def test_the_accounts_own_replies_are_not_incoming(wp: respx.MockRouter, channel: Channel) -> None:
    serve(
        wp,
        [
            comment(1, "Question?", "2026-03-02T10:00:00"),
            comment(2, "Answer.", "2026-03-02T10:00:05", author=USER_ID, parent=1),
        ],
    )

    page = WordPressConnector(channel).fetch_comments(REF, None)

    assert [i.external_id for i in page.items] == ["1"]
    assert decode_cursor(page.cursor or "") == (datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC), {2})


def test_a_busy_post_is_read_over_several_calls(wp: respx.MockRouter, channel: Channel) -> None:
    total = MAX_ITEMS_PER_FETCH + 120
    comments = [
        comment(i, f"c{i}", f"2026-03-02T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}")
        for i in range(1, total + 1)
    ]
    serve(wp, comments)
    connector = WordPressConnector(channel)

    first = connector.fetch_comments(REF, None)
    assert len(first.items) == MAX_ITEMS_PER_FETCH and first.more is True
    rest = connector.fetch_comments(REF, first.cursor)
    assert [i.external_id for i in rest.items] == [
        str(i) for i in range(MAX_ITEMS_PER_FETCH + 1, total + 1)
    ]
    assert rest.more is False


def test_a_page_gone_while_reading_ends_the_read_without_losing_it(
    wp: respx.MockRouter, channel: Channel
) -> None:
    first_page = [comment(i, f"c{i}", f"2026-03-02T10:00:{i:02d}") for i in range(1, 3)]
    wp.get(COMMENTS, params={"page": "1"}).respond(
        200, json=first_page, headers={"X-WP-TotalPages": "2"}
    )
    wp.get(COMMENTS, params={"page": "2"}).respond(
        400,
        json={
            "code": "rest_comment_invalid_page_number",
            "message": "The page number requested is larger than the number of pages available.",
            "data": {"status": 400},
        },
    )

    page = WordPressConnector(channel).fetch_comments(REF, None)

    assert [i.external_id for i in page.items] == ["1", "2"]
    assert page.cursor == "2026-03-02T10:00:02|2"
