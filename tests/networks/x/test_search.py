"""Listening on X: GET /2/tweets/search/recent (docs.x.com, X API > Posts > Search > Search
recent Posts). Answers are shaped like the reference's example: `data` (Posts with the asked
tweet.fields), `includes.users` (the authors, with public_metrics) and `meta` (newest_id,
oldest_id, result_count, next_token). The simulated endpoint honours X's rules: newest first,
`since_id` exclusive, `start_time` inclusive, max_results 10 to 100, an opaque next_token,
and a 400 for a since_id older than 7 days or combined with start_time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from hubbub.networks.base import AuthError, Capability, PermanentError, RateLimited
from hubbub.networks.models import Channel
from hubbub.networks.x import reading, searching
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import (
    ACCESS,
    API,
    NOW,
    REFRESH,
    TOKEN_URL,
    problem,
    token_answer,
)

pytestmark = pytest.mark.django_db
SEARCH = f"{API}/2/tweets/search/recent"
TWEET_FIELDS = (
    "created_at,lang,public_metrics,author_id,conversation_id,in_reply_to_user_id,referenced_tweets"
)
USER_FIELDS = "username,name,public_metrics,profile_image_url"
QUERY = "(hubbub OR #hubbub) -is:retweet lang:en"
SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake(at: datetime, sequence: int = 0) -> str:
    """A Post id as X makes them: milliseconds since X's epoch, shifted by 22 bits."""
    return str(((int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) + sequence)


def user(number: int, followers: int = 583) -> dict[str, Any]:
    """A User with the fields asked for (user.fields), as in the reference's includes."""
    return {
        "id": str(6253282 + number),
        "name": f"Fan {number}",
        "username": f"fan{number}",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{number}/fan_normal.jpg",
        "public_metrics": {
            "followers_count": followers,
            "following_count": 214,
            "tweet_count": 3627,
            "listed_count": 12,
            "like_count": 870,
        },
    }


def tweet(number: int, *, minutes_ago: float, text: str = "", **extra: Any) -> dict[str, Any]:
    """A Post with the fields asked for (tweet.fields), as in the reference's data."""
    at = NOW - timedelta(minutes=minutes_ago)
    tweet_id = snowflake(at, number)
    body: dict[str, Any] = {
        "id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "text": text or f"Trying hubbub, day {number}",
        "created_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "author_id": str(6253282 + number % 3),
        "conversation_id": tweet_id,
        "lang": "en",
        "public_metrics": {
            "retweet_count": number,
            "reply_count": 0,
            "like_count": 2 * number,
            "quote_count": 1,
            "bookmark_count": 0,
            "impression_count": 100 * number,
        },
    }
    body.update(extra)
    return body


def answer(
    tweets: list[dict[str, Any]], users: list[dict[str, Any]], next_token: str | None = None
) -> dict[str, Any]:
    if not tweets:
        return {"meta": {"result_count": 0}}
    meta: dict[str, Any] = {
        "newest_id": tweets[0]["id"],
        "oldest_id": tweets[-1]["id"],
        "result_count": len(tweets),
    }
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "includes": {"users": users}, "meta": meta}


def serve(router: respx.MockRouter, tweets: list[dict[str, Any]]) -> respx.Route:
    """Recent search over `tweets` (which a test grows): newest first, the pages of
    max_results named by next_token."""

    def respond(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        size = int(params["max_results"])
        assert 10 <= size <= 100
        if "since_id" in params and "start_time" in params:
            return httpx.Response(
                400,
                json=problem(
                    400,
                    "Invalid Request",
                    "Invalid use of 'since_id' or 'until_id' in conjunction with "
                    "'start_time' or 'end_time'.",
                    "https://api.twitter.com/2/problems/invalid-request",
                ),
            )
        found = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        found = [t for t in found if t["created_at"] >= _iso(NOW - timedelta(days=7))]
        if "since_id" in params:
            since_id = int(params["since_id"])
            if since_id < int(snowflake(NOW - timedelta(days=7))):
                return httpx.Response(
                    400,
                    json=problem(
                        400,
                        "Invalid Request",
                        f"Invalid 'since_id':'{since_id}'. 'since_id' must be a tweet id "
                        "created after the last 7 days.",
                        "https://api.twitter.com/2/problems/invalid-request",
                    ),
                )
            found = [t for t in found if int(t["id"]) > since_id]
        if "start_time" in params:
            found = [t for t in found if t["created_at"][:19] >= params["start_time"][:19]]
        start = int(
            params.get("next_token", "b26v89c19zqg8o3fo0").removeprefix("b26v89c19zqg8o3fo")
        )
        page = found[start : start + size]
        more = start + size < len(found)
        token = f"b26v89c19zqg8o3fo{start + size}" if more else None
        authors = {t["author_id"] for t in page}
        users = [user(n) for n in range(3) if user(n)["id"] in authors]
        return httpx.Response(200, json=answer(page, users, token))

    return router.get(SEARCH).mock(side_effect=respond)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def connector(channel: Channel) -> Iterator[XConnector]:
    yield XConnector(channel)


def test_search_is_declared() -> None:
    assert Capability.SEARCH in XConnector.capabilities


def test_the_request_field_by_field_and_what_a_post_becomes(
    connector: XConnector, router: respx.MockRouter
) -> None:
    newer = tweet(
        4,
        minutes_ago=2,
        text="R&amp;D &lt;3 #hubbub &amp;amp; more",
        lang="fr",
        referenced_tweets=[{"type": "replied_to", "id": "1445880548472328192"}],
        in_reply_to_user_id="2244994945",
    )
    older = tweet(5, minutes_ago=9, lang="und")
    route = router.get(SEARCH).respond(
        200, json=answer([newer, older], [user(1, followers=583423), user(2, followers=0)])
    )

    page = connector.search(QUERY, None)

    sent = route.calls.last.request
    assert sent.method == "GET"
    assert sent.headers["authorization"] == f"Bearer {ACCESS}"
    assert {k: v for k, v in parse_qs(sent.url.query.decode()).items()} == {
        "query": [QUERY],
        "max_results": ["100"],
        "tweet.fields": [TWEET_FIELDS],
        "expansions": ["author_id"],
        "user.fields": [USER_FIELDS],
    }
    first, second = page.items  # oldest first
    assert [first.external_id, second.external_id] == [older["id"], newer["id"]]
    assert page.cursor == newer["id"] and page.more is False
    # X escapes &, < and >: unescaped once, never twice.
    assert second.text == "R&D <3 #hubbub &amp; more"
    assert second.language == "fr" and first.language == ""
    assert second.shares == 4 + 1 and first.shares == 5 + 1
    assert second.author.handle == "@fan1" and second.author.followers_count == 583423
    assert first.author.followers_count == 0
    assert second.author.avatar_url == "https://pbs.twimg.com/profile_images/1/fan_normal.jpg"
    assert second.url == f"https://x.com/fan1/status/{newer['id']}"
    assert second.in_reply_to == "1445880548472328192"
    assert second.created_at == NOW - timedelta(minutes=2)


def test_the_pages_are_followed_with_next_token(
    connector: XConnector, router: respx.MockRouter
) -> None:
    posts = [tweet(n, minutes_ago=200 - n) for n in range(1, 151)]  # 150 posts: two pages
    route = serve(router, posts)

    page = connector.search("hubbub", None)

    assert [i.external_id for i in page.items] == [p["id"] for p in posts]  # oldest first
    assert page.cursor == posts[-1]["id"]
    tokens = [c.request.url.params.get("next_token") for c in route.calls]
    assert tokens == [None, "b26v89c19zqg8o3fo100"]
    second = route.calls[1].request.url.params
    assert second["query"] == "hubbub" and second["max_results"] == "100"


def test_a_later_read_passes_since_id_and_returns_only_what_is_newer(
    connector: XConnector, router: respx.MockRouter
) -> None:
    posts = [tweet(n, minutes_ago=60 - n) for n in range(1, 4)]
    route = serve(router, posts)
    first = connector.search("hubbub", None)
    posts += [tweet(n, minutes_ago=60 - n) for n in range(4, 120)]  # two pages' worth

    second = connector.search("hubbub", first.cursor)
    third = connector.search("hubbub", second.cursor)

    assert [i.external_id for i in first.items] == [p["id"] for p in posts[:3]]
    assert [i.external_id for i in second.items] == [p["id"] for p in posts[3:]]
    assert second.cursor == posts[-1]["id"]
    later = [c.request.url.params for c in route.calls[1:]]
    assert [p["since_id"] for p in later] == [first.cursor, first.cursor, second.cursor]
    assert [p.get("next_token") for p in later] == [None, "b26v89c19zqg8o3fo100", None]
    assert all("start_time" not in p for p in later)
    # Nothing new: no items, and the cursor stays.
    assert third.items == [] and third.cursor == second.cursor


def test_the_cursor_is_the_largest_id_compared_as_a_number(
    connector: XConnector, router: respx.MockRouter
) -> None:
    short = tweet(1, minutes_ago=30, id="999999999999999999")  # fewer digits, yet older
    newest = tweet(2, minutes_ago=5)
    router.get(SEARCH).respond(200, json=answer([newest, short], [user(1), user(2)]))

    page = connector.search("hubbub", None)

    assert [i.external_id for i in page.items] == ["999999999999999999", newest["id"]]
    assert page.cursor == newest["id"]


def test_a_first_read_starts_at_since(connector: XConnector, router: respx.MockRouter) -> None:
    since = NOW - timedelta(hours=2, microseconds=500_000)  # 09:59:59.5
    posts = [
        tweet(1, minutes_ago=180),  # before start_time: X leaves it out
        tweet(2, minutes_ago=120 + 0.75 / 60),  # 09:59:59.25: X has it, yet before since
        tweet(3, minutes_ago=120),
        tweet(4, minutes_ago=60),
    ]
    route = serve(router, posts)

    page = connector.search("hubbub", None, since=since)

    params = route.calls.last.request.url.params
    assert params["start_time"] == "2026-05-04T09:59:59Z" and "since_id" not in params
    assert [i.external_id for i in page.items] == [posts[2]["id"], posts[3]["id"]]
    assert page.cursor == posts[3]["id"]


@pytest.mark.parametrize(
    ("since", "start_time"),
    [
        # Recent search reaches 7 days: an older `since` starts at the window (less a minute).
        (NOW - timedelta(days=30), "2026-04-27T12:01:00Z"),
        # start_time must come before end_time (30 seconds ago by default).
        (NOW + timedelta(hours=1), "2026-05-04T11:59:00Z"),
    ],
)
def test_since_is_clamped_into_the_search_window(
    connector: XConnector, router: respx.MockRouter, since: datetime, start_time: str
) -> None:
    route = router.get(SEARCH).respond(200, json={"meta": {"result_count": 0}})

    page = connector.search("hubbub", None, since=since)

    assert route.calls.last.request.url.params["start_time"] == start_time
    assert page.items == [] and page.cursor is None


def test_a_cursor_older_than_the_window_starts_at_the_window(
    connector: XConnector, router: respx.MockRouter
) -> None:
    """A source paused for more than a week: X refuses such a since_id, and everything it
    can still find is newer than the cursor anyway."""
    old_cursor = snowflake(NOW - timedelta(days=9))
    posts = [tweet(1, minutes_ago=60 * 24 * 6), tweet(2, minutes_ago=10)]
    route = serve(router, posts)

    page = connector.search("hubbub", old_cursor)

    params = route.calls.last.request.url.params
    assert "since_id" not in params and params["start_time"] == "2026-04-27T12:01:00Z"
    assert [i.external_id for i in page.items] == [posts[0]["id"], posts[1]["id"]]


def test_a_first_read_keeps_the_newest_and_a_later_one_continues(
    connector: XConnector, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searching, "MAX_ITEMS_PER_FETCH", 150)
    monkeypatch.setattr(reading, "MAX_ITEMS_PER_FETCH", 150)
    posts = [tweet(n, minutes_ago=1000 - n) for n in range(1, 251)]
    route = serve(router, posts)

    first = connector.search("hubbub", None)

    assert len(route.calls) == 2  # 200 read, the 150 newest kept: no third page
    assert [i.external_id for i in first.items] == [p["id"] for p in posts[100:250]]
    assert first.more is False

    posts += [tweet(n, minutes_ago=1000 - n) for n in range(251, 451)]  # 200 more
    second = connector.search("hubbub", first.cursor)
    third = connector.search("hubbub", second.cursor)

    assert [i.external_id for i in second.items] == [p["id"] for p in posts[250:400]]
    assert second.more is True
    assert [i.external_id for i in third.items] == [p["id"] for p in posts[400:]]
    assert third.more is False


def test_a_query_over_512_characters_is_refused_before_asking(
    connector: XConnector, router: respx.MockRouter
) -> None:
    route = router.get(SEARCH).respond(200, json={"meta": {"result_count": 0}})

    with pytest.raises(PermanentError) as caught:
        connector.search("hubbub OR " * 51 + "hubbubs", None)  # 517 characters

    assert caught.value.permanent and not caught.value.needs_reconnect
    assert "512" in caught.value.message and "517" in caught.value.message
    assert not route.called
    connector.search("h" * 512, None)  # the limit itself is fine
    assert route.call_count == 1


def test_a_rate_limit_waits_for_the_reset(connector: XConnector, router: respx.MockRouter) -> None:
    reset = NOW + timedelta(minutes=13)
    router.get(SEARCH).respond(
        429,
        headers={
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(reset.timestamp())),
        },
        json=problem(429, "Too Many Requests", "Too Many Requests"),
    )

    with pytest.raises(RateLimited) as caught:
        connector.search("hubbub", "1")

    assert caught.value.retry_at == reset and caught.value.status == 429


def test_a_refused_token_is_refreshed_once_then_needs_reconnecting(
    connector: XConnector, router: respx.MockRouter
) -> None:
    route = router.get(SEARCH).respond(401, json=problem(401, "Unauthorized", "Unauthorized"))
    refresh = router.post(TOKEN_URL).respond(200, json=token_answer("new-access", "new-refresh"))

    with pytest.raises(AuthError) as caught:
        connector.search("hubbub", None)

    assert caught.value.needs_reconnect and caught.value.network_message == "Unauthorized"
    assert parse_qs(refresh.calls.last.request.content.decode())["refresh_token"] == [REFRESH]
    assert [c.request.headers["authorization"] for c in route.calls] == [
        f"Bearer {ACCESS}",
        "Bearer new-access",
    ]


def test_an_app_without_search_access_is_the_operators_to_fix(
    connector: XConnector, router: respx.MockRouter
) -> None:
    router.get(SEARCH).respond(
        403,
        json={
            "client_id": "12345",
            "detail": "When authenticating requests to the Twitter API v2 endpoints, you must "
            "use keys and tokens from a Twitter developer App that is attached to a Project.",
            "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
            "title": "Client Forbidden",
            "required_enrollment": "Appropriate Level of API Access",
            "reason": "client-not-enrolled",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
        },
    )

    with pytest.raises(PermanentError) as caught:
        connector.search("hubbub", None)

    assert "operator" in caught.value.message and not caught.value.needs_reconnect


def test_an_empty_answer_keeps_the_cursor(connector: XConnector, router: respx.MockRouter) -> None:
    cursor = snowflake(NOW - timedelta(hours=1))
    route = router.get(SEARCH).respond(200, json={"meta": {"result_count": 0}})

    page = connector.search("hubbub", cursor)

    assert page.items == [] and page.cursor == cursor and page.more is False
    assert route.calls.last.request.url.params["since_id"] == cursor


@pytest.mark.parametrize(
    ("lang", "language"),
    [("en", "en"), ("pt", "pt"), ("und", ""), ("qme", ""), ("zxx", ""), ("in", "id"), ("", "")],
)
def test_the_language_is_an_iso_639_1_code_or_nothing(lang: str, language: str) -> None:
    assert searching.language_of({"lang": lang}) == language
