"""The inbox in a Matrix room: an answer is a reply to the message (in its thread when it is
in one), naming its author; a like is a 👍 annotation, the same transaction on a retry; a
delete is a redaction, which needs the room's redact power level."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.incoming import Incoming
from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.matrix.posting import txn_id
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.matrix import sim
from tests.networks.matrix.conftest import EVENT_ID, ROOM_ID, TOKEN, USER_ID, error, room_url

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FAN = "@fan:example.org"
POST = PublishedRef(EVENT_ID, data={"room_id": ROOM_ID, "event_ids": [EVENT_ID]})


@pytest.fixture
def conn(channel: Channel) -> MatrixConnector:
    return MatrixConnector(channel)


def comment_in_our_thread(homeserver: respx.MockRouter, conn: MatrixConnector) -> Incoming:
    reply = sim.message(1, "Is it open?", FAN, AT, **sim.in_thread(EVENT_ID))
    sim.Room(relations=lambda e, r: [reply] if (e, r) == (EVENT_ID, "m.thread") else []).serve(
        homeserver
    )
    (item,) = conn.fetch_comments(POST, None).items
    return item


def ref(item: Incoming) -> PublishedRef:
    return PublishedRef(item.external_id, item.url, item.data)


def send_route(homeserver: respx.MockRouter, event_type: str = "m.room.message") -> respx.Route:
    return homeserver.put(url__startswith=room_url(f"/send/{event_type}/")).respond(
        200, json={"event_id": "$answer:example.com"}
    )


def test_reply_like_and_delete_are_declared_and_hide_is_not() -> None:
    declared = MatrixConnector.capabilities
    assert {Capability.REPLY, Capability.LIKE, Capability.DELETE_COMMENTS} <= declared
    assert Capability.HIDE not in declared


def test_a_comment_keeps_its_thread_and_author(homeserver, conn) -> None:
    item = comment_in_our_thread(homeserver, conn)

    assert item.data == {
        "room_id": ROOM_ID,
        "event_id": sim.event_id(1),
        "thread_root": EVENT_ID,
        "sender": FAN,
    }


def test_an_answer_to_a_comment_replies_in_the_thread(homeserver, conn) -> None:
    item = comment_in_our_thread(homeserver, conn)
    route = send_route(homeserver)

    made = conn.publish(
        OutgoingPart("Yes, until 6", "reply-9:0", reply_to=ReplyTarget(POST, ref(item)))
    )

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {
        "msgtype": "m.text",
        "body": "Yes, until 6",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": EVENT_ID,
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": sim.event_id(1)},
        },
        "m.mentions": {"user_ids": [FAN]},
    }
    assert request.url.path.endswith(quote(txn_id("reply-9:0", "text"), safe=""))
    assert made.external_id == "$answer:example.com"


def test_an_answer_to_a_mention_outside_any_thread_is_a_plain_reply(homeserver, conn) -> None:
    mention = PublishedRef(
        "$mention:example.org",
        data={
            "room_id": ROOM_ID,
            "event_id": "$mention:example.org",
            "thread_root": "",
            "sender": FAN,
        },
    )
    route = send_route(homeserver)

    conn.publish(OutgoingPart("Hello!", "reply-10:0", reply_to=ReplyTarget(mention, mention)))

    sent = json.loads(route.calls.last.request.content)
    assert sent["m.relates_to"] == {"m.in_reply_to": {"event_id": "$mention:example.org"}}
    assert sent["m.mentions"] == {"user_ids": [FAN]}


def test_a_mention_inside_someone_elses_thread_is_read_with_that_thread(homeserver, conn) -> None:
    inside = sim.message(
        5, f"{USER_ID} can you help?", FAN, AT, **sim.in_thread("$their-root:example.org")
    )
    sim.Room(timeline=lambda: [inside]).serve(homeserver)

    (item,) = conn.fetch_mentions(None).items

    assert item.data["thread_root"] == "$their-root:example.org"


def test_a_thread_part_of_our_own_is_unchanged(homeserver, conn) -> None:
    route = send_route(homeserver)

    conn.publish(OutgoingPart("Part 2", "post-1:1", reply_to=ReplyTarget(POST, POST)))

    sent = json.loads(route.calls.last.request.content)
    assert sent["m.relates_to"]["is_falling_back"] is True
    assert "m.mentions" not in sent


def test_a_like_is_a_thumbs_up_annotation_with_a_stable_transaction(homeserver, conn) -> None:
    route = send_route(homeserver, "m.reaction")
    comment = PublishedRef(sim.event_id(1), data={"event_id": sim.event_id(1)})

    conn.like(comment)
    conn.like(comment)

    first, second = (call.request for call in route.calls)
    assert json.loads(first.content) == {
        "m.relates_to": {"rel_type": "m.annotation", "event_id": sim.event_id(1), "key": "👍"}
    }
    assert first.url.path == second.url.path  # a retry is the same transaction


def test_liking_twice_on_another_device_is_not_an_error(homeserver, conn) -> None:
    homeserver.put(url__startswith=room_url("/send/m.reaction/")).respond(
        400, json=error("M_DUPLICATE_ANNOTATION", "Can't send same reaction twice")
    )

    conn.like(PublishedRef(sim.event_id(1)))  # no error


def test_deleting_redacts_the_message(homeserver, conn) -> None:
    route = homeserver.put(url__startswith=room_url("/redact/")).respond(
        200, json={"event_id": "$redaction:example.com"}
    )

    conn.delete_comment(PublishedRef(sim.event_id(1), data={"event_id": sim.event_id(1)}))

    request = route.calls.last.request
    assert quote(sim.event_id(1), safe="") in request.url.raw_path.decode()
    assert json.loads(request.content) == {}


def test_without_the_redact_power_level_the_refusal_says_what_to_change(homeserver, conn) -> None:
    homeserver.put(url__startswith=room_url("/redact/")).respond(
        403, json=error("M_FORBIDDEN", "You don't have permission to redact events")
    )

    with pytest.raises(PermanentError) as caught:
        conn.delete_comment(PublishedRef(sim.event_id(1)))

    assert "power level" in caught.value.message and USER_ID in caught.value.message
    assert not caught.value.needs_reconnect
    assert caught.value.network_message.startswith("M_FORBIDDEN")


def test_a_message_already_gone_is_deleted(homeserver, conn) -> None:
    homeserver.put(url__startswith=room_url("/redact/")).respond(
        404, json=error("M_NOT_FOUND", "Event not found")
    )

    conn.delete_comment(PublishedRef(sim.event_id(1)))  # no error
