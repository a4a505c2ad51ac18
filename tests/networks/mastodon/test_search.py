"""Listening on Mastodon (docs.joinmastodon.org): one hashtag reads the tag's timeline
(methods/timelines, GET /api/v1/timelines/tag/:hashtag: an array of Status, newest first,
with a Link header), other terms the server's search (methods/search, GET /api/v2/search:
{"accounts", "statuses", "hashtags"}). Statuses are the recorded STATUS of test_publish.py
with new values (reading_sim.status). The simulated endpoints page as Mastodon does:
limit at most 40; on the timeline max_id (older), since_id (newest above) and min_id (just
above); on search, the results by id descending, min_id and max_id as bounds, no Link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import respx

from hubbub.networks.base import AuthError, Capability, RateLimited
from hubbub.networks.mastodon import searching
from hubbub.networks.mastodon.connector import MastodonConnector
from hubbub.networks.models import Channel
from tests.networks.conformance.adapters import Said
from tests.networks.mastodon import bodies
from tests.networks.mastodon import reading_sim as sim
from tests.networks.mastodon.conftest import query
from tests.networks.mastodon.test_publish import channel

__all__ = ["channel"]  # the fixture, from test_publish

pytestmark = pytest.mark.django_db
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
TAG = f"{bodies.SERVER}/api/v1/timelines/tag/hubbub"
SEARCH = f"{bodies.SERVER}/api/v2/search"
NO_SEARCH: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}


def said(number: int, text: str = "") -> Said:
    return Said(
        number=number,
        text=text or f"#hubbub post {number}",
        author_id=str(number % 3),
        author_handle=f"fan{number % 3}",
        at=START + timedelta(minutes=number),
    )


def status(number: int, text: str = "", **extra: Any) -> dict[str, Any]:
    """A status as the timelines and search answer it: counts, language, the author's
    followers."""
    made = sim.status(said(number, text), in_reply_to=None, reblogs_count=number)
    made.update(extra)
    made["account"]["followers_count"] = 100 * number
    return made


def sid(number: int) -> str:
    return sim.status_id_of(number)


def serve_tag(router: respx.MockRouter, statuses: list[dict[str, Any]], tag: str = "hubbub"):
    """GET /api/v1/timelines/tag/:hashtag over `statuses` (which a test grows)."""
    path = f"{bodies.SERVER}/api/v1/timelines/tag/{quote(tag)}"

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = min(int(params.get("limit", "20")), 40)
        found = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)
        if params.get("max_id"):
            found = [s for s in found if int(s["id"]) < int(params["max_id"])]
        if params.get("since_id"):
            found = [s for s in found if int(s["id"]) > int(params["since_id"])]
        if params.get("min_id"):
            found = [s for s in found if int(s["id"]) > int(params["min_id"])][-limit:]
        page = found[:limit]
        headers = {}
        if page:
            headers["Link"] = (
                f'<{path}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{path}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return httpx.Response(200, json=page, headers=headers)

    return router.get(path).mock(side_effect=answer)


def serve_search(router: respx.MockRouter, statuses: list[dict[str, Any]]) -> respx.Route:
    """GET /api/v2/search on a server with Elasticsearch: `statuses` are what matches."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["type"] == "statuses"
        limit = min(int(params.get("limit", "20")), 40)
        found = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)
        if params.get("min_id"):
            found = [s for s in found if int(s["id"]) > int(params["min_id"])]
        if params.get("max_id"):
            found = [s for s in found if int(s["id"]) < int(params["max_id"])]
        offset = int(params.get("offset", "0"))
        return httpx.Response(200, json={**NO_SEARCH, "statuses": found[offset : offset + limit]})

    return router.get(SEARCH).mock(side_effect=answer)


def test_search_is_declared() -> None:
    assert Capability.SEARCH in MastodonConnector.capabilities


def test_a_hashtag_reads_the_tag_timeline_field_by_field(
    server: respx.MockRouter, channel: Channel
) -> None:
    html = (
        '<p>R&amp;D &lt;3 <a href="https://social.example/tags/hubbub" class="mention '
        'hashtag" rel="tag">#<span>hubbub</span></a> &amp;amp; caf&eacute;<br />Bye</p>'
    )
    newer = status(2, content=html, language="fr", quotes_count=2)
    older = status(1, language="kab")  # Kabyle: ISO 639-3 only
    tag = server.get(TAG).mock(
        side_effect=[httpx.Response(200, json=[newer, older]), httpx.Response(200, json=[])]
    )
    search = server.get(SEARCH).respond(200, json=NO_SEARCH)

    page = MastodonConnector(channel).search("#hubbub", None)

    sent = tag.calls[0].request
    assert sent.method == "GET"
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert query(sent.url) == {"limit": "40"}
    # No Link header: the next page starts below the oldest status read.
    assert query(tag.calls[1].request.url) == {"limit": "40", "max_id": sid(1)}
    assert not search.called
    first, second = page.items  # oldest first
    assert [first.external_id, second.external_id] == [sid(1), sid(2)]
    assert page.cursor == sid(2) and page.more is False
    # HTML made plain text; entities decoded once, never twice.
    assert second.text == "R&D <3 #hubbub &amp; café\nBye"
    assert second.language == "fr" and first.language == ""
    assert second.shares == 2 + 2 and first.shares == 1
    assert second.author.followers_count == 200 and first.author.followers_count == 100
    assert second.author.handle == "@fan2@other.example"
    assert second.url == f"https://other.example/@fan2/{sid(2)}"
    assert second.created_at == START + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("terms", "path"),
    [
        ("#hubbub", "/api/v1/timelines/tag/hubbub"),
        ("  #Hubbub ", "/api/v1/timelines/tag/Hubbub"),
        ("#café", "/api/v1/timelines/tag/caf%C3%A9"),
        ("#hubbub launch", "/api/v2/search"),
        ("#hubbub #launch", "/api/v2/search"),
        ("hubbub", "/api/v2/search"),
        ("#c++", "/api/v2/search"),
    ],
)
def test_one_hashtag_reads_its_timeline_anything_else_searches(
    server: respx.MockRouter, channel: Channel, terms: str, path: str
) -> None:
    tag = server.get(url__regex=r"/api/v1/timelines/tag/").respond(200, json=[])
    search = server.get(SEARCH).respond(200, json=NO_SEARCH)

    MastodonConnector(channel).search(terms, None)

    (call,) = list(tag.calls) + list(search.calls)
    assert call.request.url.raw_path.decode().split("?")[0] == path


def test_free_text_asks_the_search_field_by_field(
    server: respx.MockRouter, channel: Channel
) -> None:
    route = serve_search(server, [status(1), status(2)])

    page = MastodonConnector(channel).search('hubbub "new release"', None)

    sent = route.calls[0].request
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert query(sent.url) == {
        "q": 'hubbub "new release"',
        "type": "statuses",
        "resolve": "false",
        "limit": "40",
    }
    assert [i.external_id for i in page.items] == [sid(1), sid(2)]
    assert page.cursor == sid(2)


def test_a_first_read_of_a_tag_walks_back_with_max_id(
    server: respx.MockRouter, channel: Channel
) -> None:
    statuses = [status(n) for n in range(1, 101)]
    route = serve_tag(server, statuses)

    page = MastodonConnector(channel).search("#hubbub", None)

    assert [i.external_id for i in page.items] == [sid(n) for n in range(1, 101)]
    assert page.cursor == sid(100)
    asked = [query(c.request.url) for c in route.calls]
    assert asked[0] == {"limit": "40"}
    # The Link header's next page: max_id, the oldest of the page before.
    assert [a.get("max_id") for a in asked[1:]] == [sid(61), sid(21), sid(1)]


def test_a_later_read_of_a_tag_walks_forward_with_min_id(
    server: respx.MockRouter, channel: Channel
) -> None:
    statuses = [status(n) for n in range(1, 4)]
    route = serve_tag(server, statuses)
    connector = MastodonConnector(channel)
    first = connector.search("#hubbub", None)
    statuses += [status(n) for n in range(4, 90)]
    before = route.call_count

    second = connector.search("#hubbub", first.cursor)
    third = connector.search("#hubbub", second.cursor)

    assert [i.external_id for i in first.items] == [sid(n) for n in range(1, 4)]
    assert [i.external_id for i in second.items] == [sid(n) for n in range(4, 90)]
    assert second.cursor == sid(89)
    asked = [query(c.request.url) for c in route.calls[before:]]
    assert [a.get("min_id") for a in asked] == [
        sid(3),  # the cursor
        sid(43),  # then each page's Link rel="prev"
        sid(83),
        sid(89),  # answered with nothing: the end
        sid(89),  # the third read
    ]
    assert all("max_id" not in a and a["limit"] == "40" for a in asked)
    assert third.items == [] and third.cursor == second.cursor


def test_a_busy_tag_is_read_over_several_calls(
    server: respx.MockRouter, channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searching, "MAX_ITEMS_PER_FETCH", 50)
    statuses = [status(n) for n in range(1, 121)]
    serve_tag(server, statuses)
    connector = MastodonConnector(channel)

    first = connector.search("#hubbub", None)
    statuses += [status(n) for n in range(121, 191)]
    second = connector.search("#hubbub", first.cursor)
    third = connector.search("#hubbub", second.cursor)

    # A first read keeps the newest; later ones continue oldest first.
    assert [i.external_id for i in first.items] == [sid(n) for n in range(71, 121)]
    assert [i.external_id for i in second.items] == [sid(n) for n in range(121, 171)]
    assert second.more is True
    assert [i.external_id for i in third.items] == [sid(n) for n in range(171, 191)]
    assert third.more is False


def test_a_first_read_goes_back_to_since(server: respx.MockRouter, channel: Channel) -> None:
    statuses = [status(n) for n in range(1, 201)]  # one a minute from 08:01
    route = serve_tag(server, statuses)

    page = MastodonConnector(channel).search("#hubbub", None, since=START + timedelta(minutes=150))

    assert [i.external_id for i in page.items] == [sid(n) for n in range(150, 201)]
    assert route.call_count == 2  # the second page reached `since`: no third


def test_a_search_pages_back_between_the_cursor_and_max_id(
    server: respx.MockRouter, channel: Channel
) -> None:
    statuses = [status(n) for n in range(1, 3)]
    route = serve_search(server, statuses)
    connector = MastodonConnector(channel)
    first = connector.search("hubbub", None)
    statuses += [status(n) for n in range(3, 90)]
    before = route.call_count

    second = connector.search("hubbub", first.cursor)
    third = connector.search("hubbub", second.cursor)

    assert [i.external_id for i in second.items] == [sid(n) for n in range(3, 90)]
    assert second.cursor == sid(89)
    asked = [query(c.request.url) for c in route.calls[before:]]
    assert [(a.get("min_id"), a.get("max_id")) for a in asked] == [
        (sid(2), None),
        (sid(2), sid(50)),  # the oldest of the page before
        (sid(2), sid(10)),
        (sid(2), sid(3)),  # nothing older: the end
        (sid(89), None),  # the third read
    ]
    assert third.items == [] and third.cursor == second.cursor


def test_ids_compare_as_integers_even_when_the_server_ignores_min_id(
    server: respx.MockRouter, channel: Channel
) -> None:
    """ "99" sorts after "100" as text. A server that does not bound search by min_id
    answers what we already have too: it is not returned twice."""
    answers = [status(1, id="100"), status(2, id="99"), status(3, id="98")]
    server.get(SEARCH).respond(200, json={**NO_SEARCH, "statuses": answers})

    page = MastodonConnector(channel).search("hubbub", "99")

    assert [i.external_id for i in page.items] == ["100"] and page.cursor == "100"


def test_only_public_statuses_are_returned_and_the_cursor_moves_past_the_others(
    server: respx.MockRouter, channel: Channel
) -> None:
    answers = [status(3, visibility="private"), status(2, visibility="unlisted"), status(1)]
    server.get(SEARCH).respond(200, json={**NO_SEARCH, "statuses": answers})

    page = MastodonConnector(channel).search("hubbub", None)

    assert [i.external_id for i in page.items] == [sid(1), sid(2)]
    assert page.cursor == sid(3)


def test_a_server_without_full_text_search_answers_nothing_and_the_cursor_stays(
    server: respx.MockRouter, channel: Channel
) -> None:
    route = server.get(SEARCH).respond(200, json=NO_SEARCH)

    page = MastodonConnector(channel).search("hubbub", sid(7))

    assert page.items == [] and page.cursor == sid(7) and page.more is False
    assert route.call_count == 1 and query(route.calls.last.request.url)["min_id"] == sid(7)


def test_a_rate_limit_waits_until_the_reset(server: respx.MockRouter, channel: Channel) -> None:
    server.get(TAG).respond(
        429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-10-14T19:10:00.123456Z",
        },
        json={"error": "Too many requests"},
    )

    with pytest.raises(RateLimited) as caught:
        MastodonConnector(channel).search("#hubbub", sid(1))

    assert caught.value.retry_at == datetime(2026, 10, 14, 19, 10, 0, 123456, tzinfo=UTC)
    assert caught.value.network_message == "Too many requests"


def test_a_revoked_token_asks_for_a_reconnect(server: respx.MockRouter, channel: Channel) -> None:
    server.get(SEARCH).respond(401, json=bodies.INVALID_TOKEN)

    with pytest.raises(AuthError) as caught:
        MastodonConnector(channel).search("hubbub", None)

    assert caught.value.needs_reconnect is True
    assert caught.value.network_message == "The access token is invalid"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "en"), ("FR", "fr"), ("pt-BR", "pt"), ("kab", ""), (None, ""), ("", "")],
)
def test_the_language_is_an_iso_639_1_code_or_nothing(language: Any, expected: str) -> None:
    assert searching.language_of({"language": language}) == expected
