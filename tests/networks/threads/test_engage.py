"""The inbox on Threads: what reading keeps, an answer to a reply (reply_to_id the reply),
finding it again by its parent and text, hiding top-level replies and refusing nested ones."""

from __future__ import annotations

import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.threads.connector import ThreadsConnector
from tests.networks.recorded import form, query
from tests.networks.threads.conftest import API, MEDIA_ID, PERMALINK, THREADS, TOKEN, USER_ID

pytestmark = pytest.mark.django_db

POST = PublishedRef(MEDIA_ID, PERMALINK, {"id": MEDIA_ID})
TOP = "18050206876707201"
NESTED = "18050206876707202"


def reply(ident: str, answered: str, minute: int) -> dict[str, object]:
    return {
        "id": ident,
        "text": f"reply {ident}",
        "username": "dana",
        "timestamp": f"2026-05-04T09:{minute:02d}:00+0000",
        "permalink": f"https://www.threads.com/@dana/post/{ident}",
        "replied_to": {"id": answered},
    }


def read(router: respx.MockRouter, channel: Channel) -> dict[str, Incoming]:
    router.get(f"{API}/{MEDIA_ID}/conversation").respond(
        200, json={"data": [reply(NESTED, TOP, 2), reply(TOP, MEDIA_ID, 1)]}
    )
    page = ThreadsConnector(channel).fetch_comments(POST, None)
    return {item.external_id: item for item in page.items}


def ref(item: Incoming) -> PublishedRef:
    return PublishedRef(item.external_id, item.url, item.data)


def answer(parent: PublishedRef) -> OutgoingPart:
    return OutgoingPart("Thank you!", "reply-5:0", reply_to=ReplyTarget(POST, parent))


def test_reply_and_hide_are_declared() -> None:
    declared = ThreadsConnector.capabilities
    assert {Capability.REPLY, Capability.HIDE} <= declared
    assert not {Capability.LIKE, Capability.DELETE_COMMENTS} & declared


def test_reading_says_which_replies_are_top_level(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)

    assert items[TOP].data == {"id": TOP, "top_level": True}
    assert items[NESTED].data == {"id": NESTED, "top_level": False}


def test_an_answer_replies_to_the_reply_itself(router: respx.MockRouter, channel: Channel) -> None:
    items = read(router, channel)
    send = router.post(THREADS).respond(200, json={"id": "18050206876707300"})
    router.get(f"{API}/18050206876707300").respond(
        200, json={"id": "18050206876707300", "permalink": PERMALINK}
    )

    made = ThreadsConnector(channel).publish(answer(ref(items[NESTED])))

    assert form(send.calls.last.request) == {
        "media_type": ["TEXT"],
        "text": ["Thank you!"],
        "auto_publish_text": ["true"],
        "reply_to_id": [NESTED],
        "access_token": [TOKEN],
    }
    assert made.external_id == "18050206876707300"


def test_after_a_time_out_the_answer_is_found_by_parent_and_text(
    router: respx.MockRouter, channel: Channel
) -> None:
    lookup = router.get(f"{API}/{USER_ID}/replies").respond(
        200,
        json={
            "data": [
                {"id": "1", "text": "Thank you!", "replied_to": {"id": "someone-else"}},
                {"id": "2", "text": "Thank you!", "replied_to": {"id": TOP}},
            ]
        },
    )

    found = ThreadsConnector(channel).find_published(answer(PublishedRef(TOP, data={"id": TOP})))

    assert found is not None and found.external_id == "2"
    assert query(lookup.calls.last.request)["fields"] == ["id,text,timestamp,permalink,replied_to"]


@pytest.mark.parametrize(("hidden", "sent"), [(True, "true"), (False, "false")])
def test_hiding_and_showing_a_top_level_reply(
    router: respx.MockRouter, channel: Channel, hidden: bool, sent: str
) -> None:
    route = router.post(f"{API}/{TOP}/manage_reply").respond(200, json={"success": True})

    ThreadsConnector(channel).hide(PublishedRef(TOP, data={"id": TOP, "top_level": True}), hidden)

    assert form(route.calls.last.request) == {"hide": [sent], "access_token": [TOKEN]}


def test_a_nested_reply_cannot_be_hidden_alone(router: respx.MockRouter, channel: Channel) -> None:
    with pytest.raises(PermanentError) as caught:
        ThreadsConnector(channel).hide(
            PublishedRef(NESTED, data={"id": NESTED, "top_level": False}), True
        )

    assert "hide the reply this one answers" in caught.value.message
    assert not router.calls
