"""Reading from X beyond the conformance scenarios: who wrote a mention and where it lives,
a busy account's backlog read in several calls, metrics of a deleted post left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from hubbub.networks.incoming import MAX_ITEMS_PER_FETCH, PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import PublishedRef
from hubbub.networks.x.connector import XConnector
from tests.networks.conformance import adapters  # first: it registers adapter_x
from tests.networks.conformance.adapter_x import XAdapter, tweet_id
from tests.networks.x.conftest import API, TWEET_ID, USER_ID

pytestmark = pytest.mark.django_db
MENTIONS = f"{API}/2/users/{USER_ID}/mentions"


def said(number: int) -> adapters.Said:
    return adapters.Said(
        number=number,
        text=f"@TwitterDev hello {number}",
        author_id="6253282",
        author_handle="XAPI",
        at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC) + timedelta(seconds=number),
    )


def test_a_mention_says_who_wrote_it_and_where(channel: Channel, router: respx.MockRouter) -> None:
    XAdapter().serve_mentions(router, [said(1)])

    (item,) = XConnector(channel).fetch_mentions(None).items

    assert item.external_id == str(tweet_id(1))
    assert item.author.handle == "@XAPI" and item.author.external_id == "6253282"
    assert item.author.profile_url == "https://x.com/XAPI"
    assert item.url == f"https://x.com/XAPI/status/{tweet_id(1)}"
    assert item.created_at == datetime(2026, 5, 1, 9, 0, 1, tzinfo=UTC)
    params = router.calls.last.request.url.params
    assert params["max_results"] == "100" and "since_id" not in params


def test_a_backlog_over_one_call_is_read_oldest_first_in_several_calls(
    channel: Channel, router: respx.MockRouter
) -> None:
    mentions = [said(n) for n in range(1, 11)]
    XAdapter().serve_mentions(router, mentions)
    connector = XConnector(channel)
    first = connector.fetch_mentions(None)
    # While nobody read, more than one call's worth arrives.
    mentions += [said(n) for n in range(11, 12 + MAX_ITEMS_PER_FETCH)]

    second = connector.fetch_mentions(first.cursor)
    third = connector.fetch_mentions(second.cursor)

    assert second.more is True and len(second.items) == MAX_ITEMS_PER_FETCH
    assert second.items[0].external_id == str(tweet_id(11))
    assert third.more is False
    assert [i.external_id for i in third.items] == [
        str(tweet_id(n)) for n in range(11 + MAX_ITEMS_PER_FETCH, 12 + MAX_ITEMS_PER_FETCH)
    ]


def test_metrics_leave_out_a_deleted_post(channel: Channel, router: respx.MockRouter) -> None:
    gone = "1445880548472328000"
    answer: dict[str, Any] = {
        "data": [
            {
                "id": TWEET_ID,
                "text": "Hello",
                "public_metrics": {
                    "retweet_count": 0,
                    "reply_count": 1,
                    "like_count": 2,
                    "quote_count": 0,
                    "bookmark_count": 0,
                    "impression_count": 30,
                },
            }
        ],
        "errors": [
            {
                "value": gone,
                "detail": f"Could not find tweet with ids: [{gone}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": gone,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
    }
    route = router.get(f"{API}/2/tweets").respond(200, json=answer)
    refs = [PublishedRef(external_id=TWEET_ID), PublishedRef(external_id=gone)]

    got = XConnector(channel).fetch_metrics(refs)

    assert got == {TWEET_ID: PostMetrics(likes=2, shares=0, comments=1, impressions=30, saves=0)}
    assert route.calls.last.request.url.params["ids"] == f"{TWEET_ID},{gone}"


def test_comments_older_than_the_search_window_are_simply_absent(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.get(f"{API}/2/tweets/search/recent").mock(
        return_value=httpx.Response(200, json={"meta": {"result_count": 0}})
    )

    page = XConnector(channel).fetch_comments(PublishedRef(external_id=TWEET_ID), "42")

    assert page.items == [] and page.cursor == "42"
    params = router.calls.last.request.url.params
    assert params["query"] == f"conversation_id:{TWEET_ID}" and params["since_id"] == "42"
