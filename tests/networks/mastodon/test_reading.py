"""Reading from Mastodon against a simulated server (tests/networks/mastodon/reading_sim.py):
Mastodon's HTML made plain text, the cursor over Snowflake and non-numeric ids, mentions
that page with min_id and max_id, and counts from servers with and without the batch
statuses endpoint."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from hubbub.networks.base import AuthError
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.mastodon import reading
from hubbub.networks.mastodon.connector import MastodonConnector
from hubbub.networks.outgoing import PublishedRef
from tests.networks.conformance.adapters import Said
from tests.networks.mastodon import bodies
from tests.networks.mastodon import reading_sim as sim
from tests.networks.mastodon.test_publish import RENDERED, STATUS, TYPED, channel, status

__all__ = ["channel"]  # the fixture, from test_publish

OURS = str(STATUS["id"])
REF = PublishedRef(external_id=OURS, url=str(STATUS["url"]), data={"id": OURS})
CONTEXT = f"{bodies.SERVER}/api/v1/statuses/{OURS}/context"
NOTIFICATIONS = f"{bodies.SERVER}/api/v1/notifications"
STATUSES = f"{bodies.SERVER}/api/v1/statuses"


def said(number: int, text: str = "", author: int = 1) -> Said:
    return Said(
        number=number,
        text=text or f"reply {number}",
        author_id=str(author),
        author_handle=f"fan{author}",
        at=datetime(2026, 10, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=number),
    )


def test_replies_are_plain_text_oldest_first_with_their_authors(server, channel):
    comments = [said(n, author=n % 3) for n in range(1, 6)]  # 4 answers 3
    route = sim.serve_context(server, OURS, comments)

    page = MastodonConnector(channel).fetch_comments(REF, None)

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert [i.external_id for i in page.items] == [sim.status_id(c) for c in comments]
    assert page.items[3].in_reply_to == sim.status_id(comments[2])
    assert page.items[0].in_reply_to == OURS
    local, remote = page.items[2], page.items[0]  # authors 0 (this server) and 1
    assert local.author.handle == "@fan0@social.example"
    assert remote.author.handle == "@fan1@other.example"
    assert remote.author.external_id == "1@social.example"
    assert remote.author.name == "Fan 1"
    assert remote.author.profile_url == "https://other.example/@fan1"
    assert remote.url == f"https://other.example/@fan1/{sim.status_id(comments[0])}"
    assert remote.data == {
        "id": sim.status_id(comments[0]),
        "acct": "fan1@other.example",
        "visibility": "public",
    }
    assert remote.created_at == comments[0].at
    assert page.cursor == sim.status_id(comments[-1])


def test_html_becomes_the_text_as_written(server, channel):
    server.get(CONTEXT).respond(
        200,
        json={
            "ancestors": [],
            "descendants": [
                status(id="200", in_reply_to_id=OURS, content=RENDERED, account=_fan()),
                status(
                    id="201",
                    in_reply_to_id=OURS,
                    content="<p>R&amp;D &lt;3 &quot;quotes&quot; &#39;n&#x27; caf&eacute;</p>",
                    account=_fan(),
                ),
                status(
                    id="202",
                    in_reply_to_id=OURS,
                    spoiler_text="Spoilers",
                    content="<p>The butler did it</p>",
                    account=_fan(),
                ),
            ],
        },
    )

    page = MastodonConnector(channel).fetch_comments(REF, None)

    links, entities, warned = page.items
    # Paragraphs and line breaks kept, whole links, hashtags, and the mention's handle.
    assert links.text == TYPED.replace("@bob@other.example", "@bob")
    assert entities.text == "R&D <3 \"quotes\" 'n' café"
    assert warned.text == "Spoilers\n\nThe butler did it"


def serve(server: respx.MockRouter, descendants: list[dict[str, Any]]) -> None:
    """The context as it is at each call (the test adds replies between calls)."""
    server.get(CONTEXT).mock(
        side_effect=lambda _request: httpx.Response(
            200, json={"ancestors": [], "descendants": descendants}
        )
    )


def _fan() -> dict[str, object]:
    return sim.account(said(1))


def test_our_own_statuses_in_the_thread_are_not_comments(server, channel):
    own = [status(id="300", in_reply_to_id=OURS, content="<p>2/2</p>")]  # STATUS's account
    sim.serve_context(server, OURS, [said(1)], own=own)

    page = MastodonConnector(channel).fetch_comments(REF, None)

    assert [i.text for i in page.items] == ["reply 1"]


def test_ids_compare_as_numbers_not_as_text(server, channel):
    """ "99" sorts after "100" as text: a cursor compared as text would lose the reply."""
    descendants = [status(id="99", in_reply_to_id=OURS, account=_fan())]
    serve(server, descendants)
    connector = MastodonConnector(channel)
    first = connector.fetch_comments(REF, None)
    assert first.cursor == "99"

    descendants.append(status(id="100", in_reply_to_id=OURS, account=_fan()))
    second = connector.fetch_comments(REF, first.cursor)

    assert [i.external_id for i in second.items] == ["100"]
    assert connector.fetch_comments(REF, second.cursor).items == []


def test_a_server_with_text_ids_is_read_by_creation_time(server, channel):
    """Pleroma and Akkoma use Flake ids (letters and digits): the cursor keeps the time."""
    descendants = [
        status(id="AbC2", created_at="2026-10-01T08:02:00.000Z", account=_fan()),
        status(id="zZz1", created_at="2026-10-01T08:01:00.000Z", account=_fan()),
    ]
    serve(server, descendants)
    connector = MastodonConnector(channel)

    first = connector.fetch_comments(REF, None)
    descendants.append(status(id="Aaa3", created_at="2026-10-01T08:03:00.000Z", account=_fan()))
    second = connector.fetch_comments(REF, first.cursor)

    assert [i.external_id for i in first.items] == ["zZz1", "AbC2"]
    assert first.cursor == "2026-10-01T08:02:00+00:00 AbC2"
    assert [i.external_id for i in second.items] == ["Aaa3"]


def test_a_busy_thread_is_read_over_several_calls(server, channel, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ITEMS_PER_FETCH", 3)
    comments = [said(1)]
    sim.serve_context(server, OURS, comments)
    connector = MastodonConnector(channel)
    start = connector.fetch_comments(REF, None)
    comments += [said(n) for n in range(2, 7)]

    first = connector.fetch_comments(REF, start.cursor)
    second = connector.fetch_comments(REF, first.cursor)

    assert [i.text for i in first.items] == ["reply 2", "reply 3", "reply 4"]
    assert first.more is True
    assert [i.text for i in second.items] == ["reply 5", "reply 6"] and second.more is False


def test_a_first_read_of_mentions_walks_back_with_max_id(server, channel):
    mentions = [said(n) for n in range(1, 8)]
    route = sim.serve_notifications(server, mentions, page_size=3)

    page = MastodonConnector(channel).fetch_mentions(None)

    assert [i.external_id for i in page.items] == [sim.status_id(m) for m in mentions]
    assert page.cursor == str(sim.notification_id(mentions[-1]))
    asked = [c.request.url.params for c in route.calls]
    assert asked[0].get_list("types[]") == ["mention"] and asked[0]["limit"] == "80"
    assert "max_id" not in asked[0] and "min_id" not in asked[0]
    # The Link header's next page: max_id the oldest id of the page before.
    assert [p.get("max_id") for p in asked[1:]] == ["4010", "4004", "4002"]


def test_a_later_read_walks_forward_with_min_id(server, channel):
    mentions = [said(n) for n in range(1, 3)]
    route = sim.serve_notifications(server, mentions, page_size=3)
    connector = MastodonConnector(channel)
    first = connector.fetch_mentions(None)
    mentions += [said(n) for n in range(3, 10)]
    before = route.call_count

    second = connector.fetch_mentions(first.cursor)
    third = connector.fetch_mentions(second.cursor)

    assert [i.text for i in second.items] == [f"reply {n}" for n in range(3, 10)]
    assert [c.request.url.params.get("min_id") for c in route.calls[before:]] == [
        "4004",  # the cursor: the newest notification of the first read
        "4010",  # then each page's Link rel="prev"
        "4016",
        "4018",  # answered with nothing: the end
        "4018",  # the third read
    ]
    assert third.items == [] and third.cursor == second.cursor


def test_mentions_past_the_limit_continue_on_the_next_call(server, channel, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ITEMS_PER_FETCH", 4)
    mentions = [said(1)]
    sim.serve_notifications(server, mentions, page_size=3)
    connector = MastodonConnector(channel)
    start = connector.fetch_mentions(None)
    mentions += [said(n) for n in range(2, 8)]

    first = connector.fetch_mentions(start.cursor)
    second = connector.fetch_mentions(first.cursor)

    assert [i.text for i in first.items] == ["reply 2", "reply 3", "reply 4", "reply 5"]
    assert first.more is True
    assert [i.text for i in second.items] == ["reply 6", "reply 7"] and second.more is False


def test_a_mention_whose_status_is_gone_is_skipped_and_the_cursor_moves_on(server, channel):
    gone = {
        "id": "4100",
        "type": "mention",
        "created_at": "2026-10-01T08:00:00.000Z",
        "account": _fan(),
        "status": None,
    }
    server.get(NOTIFICATIONS).mock(
        side_effect=[httpx.Response(200, json=[gone]), httpx.Response(200, json=[])]
    )

    page = MastodonConnector(channel).fetch_mentions("4000")

    assert page.items == [] and page.cursor == "4100"


def test_metrics_come_from_the_batch_endpoint(server, channel):
    counted = status(favourites_count=9, reblogs_count=2, replies_count=4, quotes_count=1)
    refs = [REF] + [PublishedRef(external_id=str(n)) for n in range(1, 25)]
    route = sim.serve_statuses(server, {OURS: counted})

    got = MastodonConnector(channel).fetch_metrics(refs)

    assert got == {OURS: PostMetrics(likes=9, shares=3, comments=4)}
    assert [len(c.request.url.params.get_list("id[]")) for c in route.calls] == [20, 5]
    assert route.calls[0].request.url.params.get_list("id[]")[0] == OURS


def test_a_server_without_the_batch_endpoint_is_asked_status_by_status(server, channel):
    """Before Mastodon 4.3, GET /api/v1/statuses is no route: 404, once per read."""
    batch = server.get(STATUSES).respond(404, json={"error": "Record not found"})
    server.get(f"{STATUSES}/{OURS}").respond(200, json=status(favourites_count=3))
    server.get(f"{STATUSES}/7").respond(404, json={"error": "Record not found"})  # deleted
    refs = [REF, PublishedRef(external_id="7")] + [
        PublishedRef(external_id=str(n)) for n in range(100, 120)
    ]
    for n in range(100, 120):
        server.get(f"{STATUSES}/{n}").respond(200, json=status(id=str(n), replies_count=n))

    got = MastodonConnector(channel).fetch_metrics(refs)

    assert batch.call_count == 1
    assert got[OURS] == PostMetrics(likes=3, shares=0, comments=0)
    assert "7" not in got
    assert got["119"] == PostMetrics(likes=0, shares=0, comments=119)
    assert len(got) == 21


def test_a_revoked_token_while_reading_asks_for_a_reconnect(server, channel):
    server.get(NOTIFICATIONS).respond(401, json=bodies.INVALID_TOKEN)

    with pytest.raises(AuthError) as caught:
        MastodonConnector(channel).fetch_mentions(None)

    assert caught.value.needs_reconnect is True
    assert caught.value.network_message == "The access token is invalid"


def test_sim_status_keeps_the_recorded_fields() -> None:
    """The simulated statuses are the recorded STATUS with new values, not a new shape."""
    made = sim.status(said(1), in_reply_to=OURS)
    assert set(made) == set(copy.deepcopy(STATUS))
