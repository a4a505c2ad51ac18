"""A Page's Messenger conversations in the inbox: read with the Page's own messages and a
cursor, answered with the Send API (RESPONSE to the person's PSID), the 24-hour window and
an unreachable person refused in words that say what to do, an answer found again after a
time-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.facebook.connector import FacebookConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.facebook.conftest import GRAPH, PAGE_ID, PAGE_TOKEN, error, form, query

pytestmark = pytest.mark.django_db

PSID = "6789012345678901"
CONVERSATION = "t_10161234567890123"


def message(number: int, sender: str = PSID, text: str = "") -> dict[str, Any]:
    recipient = PAGE_ID if sender == PSID else PSID
    return {
        "id": f"m_{number}",
        "message": text or f"message {number}",
        "created_time": f"2026-05-04T09:{number:02d}:00+0000",
        "from": {"id": sender, "name": "Dana" if sender == PSID else "Acme Coffee"},
        "to": {"data": [{"id": recipient}]},
    }


def conversation(ident: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    newest = max(m["created_time"] for m in messages)
    return {
        "id": ident,
        "updated_time": newest,
        "messages": {"data": list(reversed(messages))},  # Meta lists the newest first
    }


def serve(router: respx.MockRouter, conversations: list[dict[str, Any]]) -> respx.Route:
    def answer(request: httpx.Request) -> httpx.Response:
        ordered = sorted(conversations, key=lambda c: c["updated_time"], reverse=True)
        return httpx.Response(200, json={"data": ordered})

    return router.get(f"{GRAPH}/{PAGE_ID}/conversations").mock(side_effect=answer)


DM = PublishedRef(
    "m_1",
    data={
        "id": "m_1",
        "kind": "message",
        "conversation_id": PSID,
        "psid": PSID,
        "thread_id": CONVERSATION,
    },
)


def answer_part(text: str = "We open at 9", **extra: Any) -> OutgoingPart:
    return OutgoingPart(text, "reply-12:0", reply_to=ReplyTarget(DM, DM), **extra)


def test_messenger_is_declared() -> None:
    assert Capability.DIRECT_MESSAGES in FacebookConnector.capabilities


def test_conversations_are_read_with_the_pages_own_and_a_cursor(
    router: respx.MockRouter, channel: Channel
) -> None:
    dana = [message(1), message(2, sender=PAGE_ID, text="Hello Dana!")]
    other = [message(3, sender="111222333")]
    talks = [conversation(CONVERSATION, dana), conversation("t_2", other)]
    route = serve(router, talks)
    connector = FacebookConnector(channel)

    first = connector.fetch_messages(None)

    assert [i.external_id for i in first.items] == ["m_1", "m_2", "m_3"]
    theirs, ours = first.items[0], first.items[1]
    assert theirs.author.handle == "Dana"
    assert theirs.data == {
        "id": "m_1",
        "kind": "message",
        "conversation_id": PSID,  # the person, as webhooks name them: one inbox conversation
        "psid": PSID,
        "thread_id": CONVERSATION,
    }
    assert ours.author.external_id == PAGE_ID and ours.data["psid"] == PSID
    sent = query(route.calls.last.request)
    assert sent["platform"] == ["messenger"]
    assert sent["fields"] == ["id,updated_time,messages.limit(25){id,message,created_time,from,to}"]

    dana.append(message(4))
    talks[0] = conversation(CONVERSATION, dana)
    later = connector.fetch_messages(first.cursor)

    assert [i.external_id for i in later.items] == ["m_4"]
    assert connector.fetch_messages(later.cursor).items == []


def test_an_answer_is_a_response_to_the_persons_psid(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(f"{GRAPH}/{PAGE_ID}/messages").respond(
        200, json={"recipient_id": PSID, "message_id": "m_answer"}
    )

    made = FacebookConnector(channel).publish(answer_part())

    sent = form(route.calls.last.request)
    assert json.loads(sent["recipient"][0]) == {"id": PSID}
    assert sent["messaging_type"] == ["RESPONSE"]
    assert json.loads(sent["message"][0]) == {"text": "We open at 9"}
    assert sent["access_token"] == [PAGE_TOKEN]
    assert made.external_id == "m_answer"
    assert made.data["conversation_id"] == PSID


def test_after_24_hours_the_refusal_says_the_person_must_write_first(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(f"{GRAPH}/{PAGE_ID}/messages").respond(
        400,
        json=error("(#10) This message is sent outside of allowed window.", 10, 2018278),
    )

    with pytest.raises(PermanentError) as caught:
        FacebookConnector(channel).publish(answer_part())

    assert "24 hours" in caught.value.message
    assert not caught.value.needs_reconnect
    assert "2018278" in caught.value.network_message


def test_a_person_who_cannot_be_reached_is_said_so(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(f"{GRAPH}/{PAGE_ID}/messages").respond(
        400, json=error("This person isn't available right now.", 551, 1545041)
    )

    with pytest.raises(PermanentError) as caught:
        FacebookConnector(channel).publish(answer_part())

    assert "cannot be reached" in caught.value.message


def test_after_a_time_out_the_answer_is_found_in_the_conversation(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(f"{GRAPH}/{CONVERSATION}").respond(
        200,
        json={
            "messages": {
                "data": [
                    message(9, text="We open at 9"),  # the person's, not ours
                    message(8, sender=PAGE_ID, text="We open  at 9"),
                ]
            },
            "id": CONVERSATION,
        },
    )
    due = datetime(2026, 5, 4, 9, 5, tzinfo=UTC)

    found = FacebookConnector(channel).find_published(answer_part(not_before=due))

    assert found is not None and found.external_id == "m_8"
    assert query(route.calls.last.request)["fields"] == [
        "messages.limit(25){id,message,created_time,from,to}"
    ]
    too_late = answer_part(not_before=due + timedelta(hours=1))
    assert FacebookConnector(channel).find_published(too_late) is None


def test_a_pushed_message_without_its_thread_is_answered_and_looked_up_by_person(
    router: respx.MockRouter, channel: Channel
) -> None:
    """A message a webhook brought may know only its sender (conversation_id = PSID)."""
    pushed = PublishedRef("m_7", data={"kind": "message", "conversation_id": PSID})
    part = OutgoingPart("Hi", "reply-13:0", reply_to=ReplyTarget(pushed, pushed))
    send = router.post(f"{GRAPH}/{PAGE_ID}/messages").respond(
        200, json={"recipient_id": PSID, "message_id": "m_8"}
    )
    lookup = router.get(f"{GRAPH}/{PAGE_ID}/conversations").respond(
        200,
        json={
            "data": [
                {"id": CONVERSATION, "messages": {"data": [message(8, sender=PAGE_ID, text="Hi")]}}
            ]
        },
    )
    connector = FacebookConnector(channel)

    connector.publish(part)
    found = connector.find_published(part)

    assert json.loads(form(send.calls.last.request)["recipient"][0]) == {"id": PSID}
    assert query(lookup.calls.last.request)["user_id"] == [PSID]
    assert found is not None and found.data["thread_id"] == CONVERSATION
