"""Direct messages on X: read with the account's own, newest first over pages down to the
cursor (nothing missed, nothing twice), answered in their conversation, found again after a
time-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import API, NOW, USER_ID, USERNAME, problem, sent_json

pytestmark = pytest.mark.django_db

FAN_ID = "944480690"
CONVERSATION = f"{FAN_ID}-{USER_ID}"  # one-to-one: "{smaller id}-{larger id}"


def event(number: int, sender: str = FAN_ID, text: str = "") -> dict[str, Any]:
    return {
        "id": str(1582838499983564800 + number),
        "event_type": "MessageCreate",
        "text": text or f"message {number}",
        "sender_id": sender,
        "dm_conversation_id": CONVERSATION,
        "created_at": f"2026-05-04T11:{number:02d}:00.000Z",
    }


USERS = {
    "users": [
        {"id": FAN_ID, "username": "fan", "name": "A Fan"},
        {"id": USER_ID, "username": USERNAME, "name": "Developers"},
    ]
}


def serve(router: respx.MockRouter, events: list[dict[str, Any]], page: int = 2) -> respx.Route:
    """GET /2/dm_events over `events` (oldest first), newest first, `page` a page."""

    def answer(request: httpx.Request) -> httpx.Response:
        newest_first = list(reversed(events))
        start = int(request.url.params.get("pagination_token") or 0)
        chunk = newest_first[start : start + page]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if start + page < len(newest_first):
            meta["next_token"] = str(start + page)
        return httpx.Response(200, json={"data": chunk, "includes": USERS, "meta": meta})

    return router.get(f"{API}/2/dm_events").mock(side_effect=answer)


def test_direct_messages_are_declared() -> None:
    assert Capability.DIRECT_MESSAGES in XConnector.capabilities


def test_messages_are_read_with_our_own_and_a_cursor(
    channel: Channel, router: respx.MockRouter
) -> None:
    events = [event(1), event(2, sender=USER_ID, text="Hi! How can we help?"), event(3)]
    route = serve(router, events)
    connector = XConnector(channel)

    first = connector.fetch_messages(None)

    assert [i.text for i in first.items] == ["message 1", "Hi! How can we help?", "message 3"]
    fan, ours = first.items[0], first.items[1]
    assert fan.author.handle == "@fan" and fan.author.name == "A Fan"
    assert ours.author.external_id == USER_ID  # our own: the inbox records it as outbound
    assert fan.data == {"id": events[0]["id"], "kind": "dm", "conversation_id": CONVERSATION}
    assert fan.url == f"https://x.com/messages/{CONVERSATION}"
    assert fan.created_at.isoformat() == "2026-05-04T11:01:00+00:00"
    params = route.calls[0].request.url.params
    assert params["event_types"] == "MessageCreate"
    assert params["dm_event.fields"] == "id,text,event_type,created_at,sender_id,dm_conversation_id"
    assert params["expansions"] == "sender_id"

    events += [event(4), event(5), event(6)]
    later = connector.fetch_messages(first.cursor)

    assert [i.text for i in later.items] == ["message 4", "message 5", "message 6"]
    assert connector.fetch_messages(later.cursor).items == []
    assert connector.fetch_messages(later.cursor).cursor == later.cursor


def test_an_answer_is_a_message_in_the_conversation(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.post(f"{API}/2/dm_conversations/{CONVERSATION}/messages").respond(
        201,
        json={"data": {"dm_conversation_id": CONVERSATION, "dm_event_id": "1582838499983564900"}},
    )
    dm = PublishedRef(
        "1582838499983564801", data={"id": "1", "kind": "dm", "conversation_id": CONVERSATION}
    )

    made = XConnector(channel).publish(
        OutgoingPart("We're on it", "reply-11:0", reply_to=ReplyTarget(dm, dm))
    )

    assert sent_json(route.calls.last.request) == {"text": "We're on it"}
    assert made.external_id == "1582838499983564900"
    assert made.data["conversation_id"] == CONVERSATION


def test_after_a_time_out_the_answer_is_found_in_the_conversation(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.get(f"{API}/2/dm_conversations/{CONVERSATION}/dm_events").respond(
        200,
        json={
            "data": [
                {**event(9, text="We're on it"), "sender_id": FAN_ID},  # the fan, not us
                {**event(8, sender=USER_ID, text="We're  on it")},
            ]
        },
    )
    dm = PublishedRef("1", data={"kind": "dm", "conversation_id": CONVERSATION})

    found = XConnector(channel).find_published(
        OutgoingPart(
            "We're on it",
            "reply-11:0",
            reply_to=ReplyTarget(dm, dm),
            not_before=NOW - timedelta(hours=1),
        )
    )

    assert found is not None and found.external_id == event(8)["id"]
    assert route.calls.last.request.url.params["event_types"] == "MessageCreate"


def test_a_refused_message_keeps_xs_words(channel: Channel, router: respx.MockRouter) -> None:
    router.post(f"{API}/2/dm_conversations/{CONVERSATION}/messages").respond(
        403, json=problem(403, "Forbidden", "You cannot send messages to this user.")
    )
    dm = PublishedRef("1", data={"kind": "dm", "conversation_id": CONVERSATION})

    with pytest.raises(PermanentError) as caught:
        XConnector(channel).publish(OutgoingPart("Hi", "r:1", reply_to=ReplyTarget(dm, dm)))

    assert "cannot send messages" in caught.value.network_message
