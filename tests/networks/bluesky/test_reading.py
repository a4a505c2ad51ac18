"""Reading from Bluesky against a simulated AppView (tests/networks/bluesky/reading_sim.py):
replies at every depth, what a thread hides (deleted and blocked replies), our own replies,
the cursor, mentions that page, and counts of posts that may be gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from hubbub.networks.base import PermanentError, TransientError
from hubbub.networks.bluesky import reading
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.incoming import PostMetrics
from hubbub.networks.outgoing import PublishedRef
from tests.networks.bluesky import reading_sim as sim
from tests.networks.bluesky.conftest import DID, ISSUED, PDS, access_jwt, xrpc_error
from tests.networks.conformance.adapters import Said

NOW = ISSUED + timedelta(minutes=30)
OURS = f"at://{DID}/app.bsky.feed.post/3lbbbbbbbbbb2"
OURS_CID = "bafyreiakjysges5gqcg5yc2btbqyglrekv4ikboapvljxzv5pvm77zrnxi"
GET_RECORD = f"{PDS}/xrpc/com.atproto.repo.getRecord"
REF = PublishedRef(external_id=OURS, url="", data={"uri": OURS, "cid": OURS_CID})


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def said(number: int, text: str = "", author: int = 1) -> Said:
    return Said(
        number=number,
        text=text or f"reply {number}",
        author_id=str(author),
        author_handle=f"fan{author}",
        at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=number),
    )


def test_replies_at_every_depth_come_oldest_first_with_what_a_reply_needs(xrpc, channel):
    comments = [said(n) for n in range(1, 9)]  # 4 and 8 answer 3 and 7
    route = sim.serve_thread(xrpc, OURS, OURS_CID, comments)

    page = BlueskyConnector(channel).fetch_comments(REF, None)

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {access_jwt()}"
    assert dict(sent.url.params) == {"uri": OURS, "depth": "1000", "parentHeight": "0"}
    assert [i.external_id for i in page.items] == [sim.uri_of(c) for c in comments]
    nested = page.items[3]
    assert nested.in_reply_to == sim.uri_of(comments[2])  # a reply to a reply
    assert page.items[0].in_reply_to == OURS
    assert nested.data == {
        "uri": sim.uri_of(comments[3]),
        "cid": sim.cid_of(comments[3]),
        "root": {"uri": OURS, "cid": OURS_CID},
    }
    assert nested.text == "reply 4"
    assert nested.author.handle == "@fan1.bsky.social"
    assert nested.author.external_id == "did:plc:fan1"
    assert nested.author.name == "Fan 1"
    assert nested.author.profile_url == "https://bsky.app/profile/fan1.bsky.social"
    assert nested.url == "https://bsky.app/profile/fan1.bsky.social/post/3kz0000000004"
    assert nested.created_at == comments[3].at
    assert page.cursor == f"2026-03-01T08:08:00+00:00 {sim.uri_of(comments[-1])}"
    assert page.more is False


def test_deleted_and_blocked_replies_and_our_own_are_left_out(xrpc, channel):
    ours = sim.own_post(f"at://{DID}/app.bsky.feed.post/3lcccccccccc2", "bafyreiown", "2/2")
    ours["record"]["reply"] = {
        "root": {"uri": OURS, "cid": OURS_CID},
        "parent": {"uri": OURS, "cid": OURS_CID},
    }
    extra = [
        sim.not_found("at://did:plc:gone/app.bsky.feed.post/3kzgone"),
        sim.blocked("at://did:plc:troll/app.bsky.feed.post/3kztroll", "did:plc:troll"),
        sim.thread_node(ours, []),  # the next part of our thread
    ]
    sim.serve_thread(xrpc, OURS, OURS_CID, [said(1), said(2)], extra=extra)

    page = BlueskyConnector(channel).fetch_comments(REF, None)

    assert [i.text for i in page.items] == ["reply 1", "reply 2"]


def test_the_cursor_returns_only_newer_replies_even_when_created_at_is_backdated(xrpc, channel):
    comments = [said(1), said(2)]
    route = sim.serve_thread(xrpc, OURS, OURS_CID, comments)
    connector = BlueskyConnector(channel)
    first = connector.fetch_comments(REF, None)

    comments.append(said(3))
    second = connector.fetch_comments(REF, first.cursor)
    third = connector.fetch_comments(REF, second.cursor)

    assert [i.text for i in second.items] == ["reply 3"]
    assert third.items == [] and third.cursor == second.cursor
    assert route.call_count == 3
    # A reply whose author's app claims an old createdAt is new to the AppView (indexedAt).
    xrpc.routes.clear()
    late = sim.post_view(said(4), root={"uri": OURS, "cid": OURS_CID})
    late["record"]["createdAt"] = "2025-01-01T00:00:00.000Z"
    late["indexedAt"] = "2026-03-01T09:00:00.000Z"
    xrpc.get(sim.THREAD).respond(
        200,
        json={"thread": sim.thread_node(sim.own_post(OURS, OURS_CID), [sim.thread_node(late, [])])},
    )
    fourth = connector.fetch_comments(REF, third.cursor)
    assert [i.text for i in fourth.items] == ["reply 4"]
    assert fourth.items[0].created_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_a_busy_thread_is_read_over_several_calls(xrpc, channel, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ITEMS_PER_FETCH", 3)
    comments = [said(1)]
    sim.serve_thread(xrpc, OURS, OURS_CID, comments)
    connector = BlueskyConnector(channel)
    start = connector.fetch_comments(REF, None)
    comments += [said(n) for n in range(2, 7)]

    first = connector.fetch_comments(REF, start.cursor)
    second = connector.fetch_comments(REF, first.cursor)

    assert [i.text for i in first.items] == ["reply 2", "reply 3", "reply 4"]
    assert first.more is True
    assert [i.text for i in second.items] == ["reply 5", "reply 6"]
    assert second.more is False


def test_a_first_read_of_a_busy_thread_keeps_the_newest(xrpc, channel, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ITEMS_PER_FETCH", 3)
    sim.serve_thread(xrpc, OURS, OURS_CID, [said(n) for n in range(1, 6)])

    page = BlueskyConnector(channel).fetch_comments(REF, None)

    assert [i.text for i in page.items] == ["reply 3", "reply 4", "reply 5"]
    assert page.more is False


def test_the_comments_of_a_deleted_post_cannot_be_read(xrpc, channel):
    xrpc.get(sim.THREAD).respond(400, json=xrpc_error("NotFound", f"Post not found: {OURS}"))
    lookup = xrpc.get(GET_RECORD).respond(
        400, json=xrpc_error("RecordNotFound", f"Could not locate record: {OURS}")
    )

    with pytest.raises(PermanentError) as caught:
        BlueskyConnector(channel).fetch_comments(REF, None)

    assert caught.value.network_message == f"Post not found: {OURS}"
    assert lookup.calls.last.request.url.params["rkey"] == "3lbbbbbbbbbb2"


def test_a_post_the_appview_has_not_indexed_yet_is_read_again_later(xrpc, channel):
    """Just published: the PDS has the record, the AppView does not show it yet."""
    xrpc.get(sim.THREAD).respond(400, json=xrpc_error("NotFound", f"Post not found: {OURS}"))
    xrpc.get(GET_RECORD).respond(
        200, json={"uri": OURS, "cid": OURS_CID, "value": {"text": "Hello from Hubbub"}}
    )

    with pytest.raises(TransientError) as caught:
        BlueskyConnector(channel).fetch_comments(REF, None)

    assert caught.value.retry_at == NOW + timedelta(minutes=2)
    assert caught.value.network_message == f"Post not found: {OURS}"


def test_mentions_replies_and_quotes_are_read_and_likes_are_not(xrpc, channel):
    mentions = [said(n) for n in range(1, 11)]
    route = sim.serve_notifications(xrpc, mentions, OURS, OURS_CID, page_size=4)

    page = BlueskyConnector(channel).fetch_mentions(None)

    assert [i.external_id for i in page.items] == [sim.uri_of(m) for m in mentions]
    assert [i.data["reason"] for i in page.items[:3]] == ["reply", "quote", "mention"]
    assert page.items[0].in_reply_to == OURS  # a reply names the post it answers
    assert page.items[1].in_reply_to == ""
    first = route.calls[0].request.url.params
    assert first.get_list("reasons") == ["mention", "reply", "quote"]
    assert first["limit"] == "100" and "cursor" not in first
    # Pages of 4 follow the AppView's cursor: 3 pages, then an empty one ends it.
    assert route.call_count == 4
    assert route.calls[1].request.url.params["cursor"].startswith("2026-03-01T08:07:00.000Z::")


def test_an_appview_that_ignores_reasons_still_gives_only_mentions(xrpc, channel):
    mention = sim.notification(said(1), "mention", OURS, OURS_CID)
    liked = sim.like(said(2), OURS)
    followed = {**sim.like(said(3), OURS), "reason": "follow"}
    xrpc.get(sim.NOTIFICATIONS).respond(200, json={"notifications": [followed, liked, mention]})

    page = BlueskyConnector(channel).fetch_mentions(None)

    assert [i.external_id for i in page.items] == [sim.uri_of(said(1))]


def test_the_next_read_of_mentions_stops_at_the_cursor(xrpc, channel):
    mentions = [said(n) for n in range(1, 11)]
    route = sim.serve_notifications(xrpc, mentions, OURS, OURS_CID, page_size=4)
    connector = BlueskyConnector(channel)
    first = connector.fetch_mentions(None)
    before = route.call_count

    mentions.append(said(11))
    second = connector.fetch_mentions(first.cursor)

    assert [i.text for i in second.items] == ["reply 11"]
    assert route.call_count == before + 1  # the first page already reaches the cursor


def test_metrics_of_posts_that_are_gone_are_left_out(xrpc, channel):
    live = sim.own_post(OURS, OURS_CID)
    live.update(likeCount=5, repostCount=2, quoteCount=3, replyCount=1)
    refs = [REF] + [
        PublishedRef(external_id=f"at://{DID}/app.bsky.feed.post/3lgone{n:07d}") for n in range(30)
    ]
    route = sim.serve_posts(xrpc, {OURS: live})

    got = BlueskyConnector(channel).fetch_metrics(refs)

    assert got == {OURS: PostMetrics(likes=5, shares=5, comments=1)}
    assert [len(c.request.url.params.get_list("uris")) for c in route.calls] == [25, 6]


def test_a_post_view_without_counts_reads_as_zero(xrpc, channel):
    bare = {"uri": OURS, "cid": OURS_CID, "author": {"did": DID, "handle": "a.test"}}
    xrpc.get(sim.GET_POSTS).respond(200, json={"posts": [bare]})

    got = BlueskyConnector(channel).fetch_metrics([REF])

    assert got == {OURS: PostMetrics(likes=0, shares=0, comments=0)}


def test_reading_goes_to_the_accounts_pds(xrpc, channel):
    """The AppView is reached through the PDS's proxy: no other host is called."""
    sim.serve_posts(xrpc, {})

    BlueskyConnector(channel).fetch_metrics([REF])

    assert {httpx.URL(str(c.request.url)).host for c in xrpc.calls} == {httpx.URL(PDS).host}
