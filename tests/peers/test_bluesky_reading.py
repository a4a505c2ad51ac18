"""Reading from a real Bluesky network (Bluesky's reference PDS and AppView on loopback):
our channel publishes through the connector, another account answers, mentions us, likes
and reposts through the XRPC API, and the connector reads it all back with its cursors."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hubbub.core.access import access_workspace
from hubbub.networks.base import TransientError
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.incoming import Page, PostMetrics
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.peers.bluesky_net import BlueskyNet

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]


class Fan:
    """Another account on the network, acting through the XRPC API as its own app would."""

    def __init__(self, net: BlueskyNet) -> None:
        self.net = net
        self.handle, password, self.did = net.create_account("fan")
        self.token = str(net.login(self.handle, password)["accessJwt"])

    def create(self, collection: str, record: dict[str, Any]) -> dict[str, str]:
        record = {"$type": collection, "createdAt": now(), **record}
        answer = self.net.post(
            "com.atproto.repo.createRecord",
            {"repo": self.did, "collection": collection, "record": record},
            token=self.token,
        )
        assert answer.status_code == 200, answer.text
        return {"uri": answer.json()["uri"], "cid": answer.json()["cid"]}

    def reply(self, text: str, root: PublishedRef, parent: PublishedRef) -> dict[str, str]:
        return self.create(
            "app.bsky.feed.post",
            {"text": text, "reply": {"root": strong(root), "parent": strong(parent)}},
        )

    def mention(self, channel: Channel, before: str = "Hello ") -> dict[str, str]:
        text = f"{before}@{channel.handle}, how are you?"
        start = len(before.encode())
        facet = {
            "index": {"byteStart": start, "byteEnd": start + len(channel.handle.encode()) + 1},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": channel.external_id}],
        }
        return self.create("app.bsky.feed.post", {"text": text, "facets": [facet]})


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def strong(ref: PublishedRef) -> dict[str, str]:
    return {"uri": ref.data["uri"], "cid": ref.data["cid"]}


def eventually(read: Callable[[], Any], ready: Callable[[Any], bool]) -> Any:
    """The AppView indexes new records a moment after the PDS stores them; until it has
    our post, reading its replies says to come back later."""
    last: Any = None
    for _ in range(80):
        try:
            last = read()
        except TransientError as exc:
            last = exc
        else:
            if ready(last):
                return last
        time.sleep(0.25)
    raise AssertionError(f"the AppView never showed it: {last}")


@pytest.fixture
def channel(bluesky_net: BlueskyNet, alice: Any, acme: Any) -> Channel:
    handle, password, _did = bluesky_net.create_account("reading")
    owner = access_workspace(alice, "acme")
    app_password = bluesky_net.create_app_password(handle, password)
    return connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)


@pytest.fixture
def fan(bluesky_net: BlueskyNet) -> Fan:
    return Fan(bluesky_net)


def test_replies_to_a_post_and_to_a_thread_are_read_with_a_cursor(
    channel: Channel, fan: Fan
) -> None:
    connector = BlueskyConnector(channel)
    post = connector.publish(OutgoingPart(text="What do you think?", idempotency_key="read-1"))
    first = connector.publish(OutgoingPart(text="1/2 A thread", idempotency_key="read-2"))
    second = connector.publish(
        OutgoingPart(
            text="2/2 ends here",
            idempotency_key="read-3",
            reply_to=ReplyTarget(root=first, parent=first),
        )
    )
    reply = fan.reply("Love it 💙", root=post, parent=post)
    deep = fan.reply("About the second part…", root=first, parent=second)

    page: Page = eventually(lambda: connector.fetch_comments(post, None), lambda p: p.items)
    [comment] = page.items
    assert comment.external_id == reply["uri"]
    assert comment.text == "Love it 💙"
    assert comment.author.handle == f"@{fan.handle}"
    assert comment.author.external_id == fan.did
    assert comment.in_reply_to == post.external_id
    assert comment.data == {"uri": reply["uri"], "cid": reply["cid"], "root": strong(post)}
    assert connector.fetch_comments(post, page.cursor).items == []

    # The thread's own second part is ours, not a comment; the reply under it is one.
    thread: Page = eventually(lambda: connector.fetch_comments(first, None), lambda p: p.items)
    assert [i.external_id for i in thread.items] == [deep["uri"]]
    assert thread.items[0].in_reply_to == second.external_id

    later = fan.reply("One more thing", root=post, parent=post)
    newer: Page = eventually(lambda: connector.fetch_comments(post, page.cursor), lambda p: p.items)
    assert [i.external_id for i in newer.items] == [later["uri"]]
    assert connector.fetch_comments(post, newer.cursor).items == []


def test_mentions_and_replies_are_read_once_each(channel: Channel, fan: Fan) -> None:
    connector = BlueskyConnector(channel)
    post = connector.publish(OutgoingPart(text="Ask me anything", idempotency_key="read-4"))
    mention = fan.mention(channel)
    reply = fan.reply("Here is my question", root=post, parent=post)
    fan.create("app.bsky.feed.like", {"subject": strong(post)})  # a like is no mention

    page: Page = eventually(lambda: connector.fetch_mentions(None), lambda p: len(p.items) >= 2)
    assert [(i.external_id, i.data["reason"]) for i in page.items] == [
        (mention["uri"], "mention"),
        (reply["uri"], "reply"),
    ]
    assert page.items[0].text == f"Hello @{channel.handle}, how are you?"
    assert page.items[0].author.handle == f"@{fan.handle}"
    assert page.items[1].in_reply_to == post.external_id
    assert connector.fetch_mentions(page.cursor).items == []

    again = fan.mention(channel, before="Again, ")
    newer: Page = eventually(lambda: connector.fetch_mentions(page.cursor), lambda p: p.items)
    assert [i.external_id for i in newer.items] == [again["uri"]]
    assert connector.fetch_mentions(newer.cursor).items == []


def test_metrics_count_likes_reposts_and_replies(channel: Channel, fan: Fan) -> None:
    connector = BlueskyConnector(channel)
    post = connector.publish(OutgoingPart(text="Count me", idempotency_key="read-5"))
    gone = connector.publish(OutgoingPart(text="Deleted soon", idempotency_key="read-6"))
    connector.delete(gone)
    fan.create("app.bsky.feed.like", {"subject": strong(post)})
    fan.create("app.bsky.feed.repost", {"subject": strong(post)})
    fan.reply("Counted", root=post, parent=post)

    expected = {post.external_id: PostMetrics(likes=1, shares=1, comments=1)}
    got = eventually(lambda: connector.fetch_metrics([post, gone]), lambda m: m == expected)

    assert got == expected  # the deleted post is left out
