"""The inbox on Mastodon: direct messages (mentions with visibility=direct) read apart from
mentions, answers that stay as private as what they answer and name its author, favourites."""

from __future__ import annotations

from typing import Any

import httpx

from hubbub.networks.mastodon.connector import MastodonConnector
from hubbub.networks.mastodon.posting import addressed, reply_visibility
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.mastodon import bodies
from tests.networks.mastodon.test_publish import channel, fields, status

__all__ = ["channel"]  # the fixture, from test_publish

FAN = {
    "id": "77",
    "username": "fan",
    "acct": "fan@other.example",
    "display_name": "Fan",
    "url": "https://other.example/@fan",
    "avatar": "",
}


def _notification(number: int, visibility: str) -> dict[str, Any]:
    return {
        "id": str(5000 + number),
        "type": "mention",
        "created_at": f"2026-10-01T08:0{number}:00.000Z",
        "account": FAN,
        "status": status(
            id=str(900 + number),
            visibility=visibility,
            content=f"<p>@brand message {number}</p>",
            account=FAN,
            created_at=f"2026-10-01T08:0{number}:00.000Z",
        ),
    }


def _serve(server, notifications: list[dict[str, Any]]):
    def answer(request: httpx.Request) -> httpx.Response:
        since, before = request.url.params.get("min_id"), request.url.params.get("max_id")
        newest_first = sorted(notifications, key=lambda n: int(n["id"]), reverse=True)
        if since:
            newest_first = [n for n in newest_first if int(n["id"]) > int(since)]
        if before:
            newest_first = [n for n in newest_first if int(n["id"]) < int(before)]
        return httpx.Response(200, json=newest_first)

    return server.get("/api/v1/notifications").mock(side_effect=answer)


def test_direct_messages_and_mentions_are_read_apart(server, channel):
    stream = [_notification(1, "public"), _notification(2, "direct"), _notification(3, "unlisted")]
    _serve(server, stream)
    connector = MastodonConnector(channel)

    mentions = connector.fetch_mentions(None)
    messages = connector.fetch_messages(None)

    assert [i.external_id for i in mentions.items] == ["901", "903"]
    assert [i.external_id for i in messages.items] == ["902"]
    assert messages.items[0].data["visibility"] == "direct"
    # Each stream's cursor moves past the other's notifications: nothing is read twice.
    stream.append(_notification(4, "direct"))
    assert connector.fetch_mentions(mentions.cursor).items == []
    assert [i.external_id for i in connector.fetch_messages(messages.cursor).items] == ["904"]


def test_an_answer_to_a_direct_message_stays_direct_and_names_its_author(server, channel):
    post = server.post("/api/v1/statuses").respond(200, json=status(id="1200"))
    dm = PublishedRef(
        external_id="902",
        url="https://other.example/@fan/902",
        data={"id": "902", "acct": "fan@other.example", "visibility": "direct"},
    )

    MastodonConnector(channel).publish(
        OutgoingPart(
            text="Thanks, we're on it", idempotency_key="r:1", reply_to=ReplyTarget(dm, dm)
        )
    )

    sent = fields(post.calls.last.request)
    assert sent["visibility"] == ["direct"]
    assert sent["in_reply_to_id"] == ["902"]
    assert sent["status"] == ["@fan@other.example Thanks, we're on it"]


def test_the_lookup_after_a_timeout_finds_the_addressed_answer(server, channel):
    server.get(f"/api/v1/accounts/{bodies.ACCOUNT['id']}/statuses").respond(
        200,
        json=[
            status(
                id="1201",
                in_reply_to_id="902",
                content='<p><span class="h-card"><a href="https://other.example/@fan">@<span>'
                "fan</span></a></span> Thanks</p>",
            )
        ],
    )
    dm = PublishedRef(external_id="902", data={"id": "902", "acct": "fan@other.example"})

    found = MastodonConnector(channel).find_published(
        OutgoingPart(text="Thanks", idempotency_key="r:2", reply_to=ReplyTarget(dm, dm))
    )

    assert found is not None and found.external_id == "1201"


def test_replies_are_never_more_public_than_what_they_answer():
    assert reply_visibility("direct") == "direct"
    assert reply_visibility("private") == "private"
    assert reply_visibility("unlisted") == "unlisted"
    assert reply_visibility("public") == reply_visibility("") == "public"


def test_a_reply_that_already_names_the_author_is_left_as_written():
    assert addressed("@fan@other.example thanks", "fan@other.example").startswith("@fan@other")
    assert addressed("thanks @fan!", "fan@other.example") == "thanks @fan!"
    assert addressed("thanks @fanclub", "fan@other.example") == "@fan@other.example thanks @fanclub"
    assert addressed("hello", "") == "hello"


def test_a_favourite_is_one_post(server, channel):
    route = server.post("/api/v1/statuses/902/favourite").respond(200, json=status(id="902"))

    MastodonConnector(channel).like(PublishedRef(external_id="902", data={"id": "902"}))

    assert route.call_count == 1
    assert route.calls.last.request.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
