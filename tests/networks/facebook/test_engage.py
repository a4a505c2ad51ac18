"""The inbox on a Facebook Page: what reading keeps for answering, answers as the Page (to
the comment, to its top-level comment for a reply, or to a visitor's tagging post), finding
an answer again after a time-out, liking, hiding and deleting comments."""

from __future__ import annotations

import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.facebook.connector import FacebookConnector
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.facebook.conftest import GRAPH, PAGE_ID, PAGE_TOKEN, POST_ID, error, form
from tests.networks.facebook.conftest import query as query_of

pytestmark = pytest.mark.django_db

POST = PublishedRef(POST_ID, f"https://www.facebook.com/{POST_ID}", {"id": POST_ID})
TOP = f"{POST_ID.split('_')[1]}_900"  # a top-level comment on our post
NESTED = f"{POST_ID.split('_')[1]}_901"  # a reply to it
TAGGING = "555000111_777"  # a visitor's post that tags the Page


def read(router: respx.MockRouter, channel: Channel) -> dict[str, Incoming]:
    router.get(f"{GRAPH}/{POST_ID}/comments").respond(
        200,
        json={
            "data": [
                {
                    "id": TOP,
                    "message": "Is the shop open on Sunday?",
                    "created_time": "2026-05-04T09:01:00+0000",
                    "from": {"id": "42", "name": "Dana"},
                },
                {
                    "id": NESTED,
                    "message": "Same question",
                    "created_time": "2026-05-04T09:02:00+0000",
                    "from": {"id": "43", "name": "Eli"},
                    "parent": {"id": TOP},
                },
            ]
        },
    )
    page = FacebookConnector(channel).fetch_comments(POST, None)
    return {item.external_id: item for item in page.items}


def ref(item: Incoming) -> PublishedRef:
    """The message as the inbox stores it and hands it back."""
    return PublishedRef(item.external_id, item.url, item.data)


def answer(parent: PublishedRef, root: PublishedRef = POST) -> OutgoingPart:
    return OutgoingPart("Yes, 9 to 5!", "reply-3:0", reply_to=ReplyTarget(root, parent))


def test_everything_is_declared() -> None:
    assert {
        Capability.REPLY,
        Capability.LIKE,
        Capability.HIDE,
        Capability.DELETE_COMMENTS,
    } <= FacebookConnector.capabilities


def test_reading_keeps_what_an_answer_needs(router: respx.MockRouter, channel: Channel) -> None:
    items = read(router, channel)

    assert items[TOP].data == {"id": TOP, "kind": "comment", "post_id": POST_ID, "parent_id": ""}
    assert items[NESTED].data["parent_id"] == TOP
    assert items[NESTED].in_reply_to == TOP


def test_an_answer_to_a_comment_is_a_comment_on_it_as_the_page(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.post(f"{GRAPH}/{TOP}/comments").respond(200, json={"id": f"{TOP}_1"})

    made = FacebookConnector(channel).publish(answer(ref(items[TOP])))

    assert form(route.calls.last.request) == {
        "message": ["Yes, 9 to 5!"],
        "access_token": [PAGE_TOKEN],
    }
    assert made.external_id == f"{TOP}_1"
    assert made.url == f"https://www.facebook.com/{TOP}_1"


def test_an_answer_to_a_reply_goes_to_its_top_level_comment(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.post(f"{GRAPH}/{TOP}/comments").respond(200, json={"id": f"{TOP}_2"})

    FacebookConnector(channel).publish(answer(ref(items[NESTED])))

    assert route.call_count == 1


def test_a_tagging_post_is_answered_with_a_comment_on_it(
    router: respx.MockRouter, channel: Channel
) -> None:
    tagging = PublishedRef(
        TAGGING, data={"id": TAGGING, "kind": "post", "post_id": "", "parent_id": ""}
    )
    route = router.post(f"{GRAPH}/{TAGGING}/comments").respond(200, json={"id": f"{TAGGING}_5"})

    made = FacebookConnector(channel).publish(answer(tagging, root=tagging))

    assert form(route.calls.last.request)["message"] == ["Yes, 9 to 5!"]
    assert made.external_id == f"{TAGGING}_5"


def test_after_a_time_out_the_answer_is_found_under_what_it_answered(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.get(f"{GRAPH}/{TOP}/comments").respond(
        200,
        json={
            "data": [
                {"id": f"{TOP}_7", "message": "Yes, 9 to 5!", "from": {"id": "42"}},  # a visitor
                {"id": f"{TOP}_8", "message": " Yes, 9 to 5! ", "from": {"id": PAGE_ID}},
            ]
        },
    )

    found = FacebookConnector(channel).find_published(answer(ref(items[NESTED])))

    assert found is not None and found.external_id == f"{TOP}_8"
    assert query_of(route.calls.last.request)["order"] == ["reverse_chronological"]


def test_a_like_is_one_post_as_the_page(router: respx.MockRouter, channel: Channel) -> None:
    route = router.post(f"{GRAPH}/{TOP}/likes").respond(200, json={"success": True})

    FacebookConnector(channel).like(PublishedRef(TOP, data={"kind": "comment"}))

    assert form(route.calls.last.request) == {"access_token": [PAGE_TOKEN]}


@pytest.mark.parametrize(("hidden", "sent"), [(True, "true"), (False, "false")])
def test_hiding_and_showing_a_comment(
    router: respx.MockRouter, channel: Channel, hidden: bool, sent: str
) -> None:
    route = router.post(f"{GRAPH}/{TOP}").respond(200, json={"success": True})

    FacebookConnector(channel).hide(PublishedRef(TOP, data={"kind": "comment"}), hidden)

    assert form(route.calls.last.request) == {"is_hidden": [sent], "access_token": [PAGE_TOKEN]}


def test_a_visitors_post_is_neither_hidden_nor_deleted(
    router: respx.MockRouter, channel: Channel
) -> None:
    tagging = PublishedRef(TAGGING, data={"id": TAGGING, "kind": "post"})
    connector = FacebookConnector(channel)

    with pytest.raises(PermanentError):
        connector.hide(tagging, True)
    with pytest.raises(PermanentError):
        connector.delete_comment(tagging)

    assert not router.calls


def test_deleting_a_comment_and_one_already_gone(
    router: respx.MockRouter, channel: Channel
) -> None:
    gone = f"{TOP}_3"
    route = router.delete(f"{GRAPH}/{TOP}").respond(200, json={"success": True})
    router.delete(f"{GRAPH}/{gone}").respond(
        400, json=error("Unsupported delete request", 100, 33, kind="GraphMethodException")
    )
    connector = FacebookConnector(channel)

    connector.delete_comment(PublishedRef(TOP, data={"kind": "comment"}))
    connector.delete_comment(PublishedRef(gone, data={"kind": "comment"}))

    assert query_of(route.calls.last.request)["access_token"] == [PAGE_TOKEN]


def test_a_missing_permission_says_to_reconnect_and_allow_it(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(f"{GRAPH}/{TOP}").respond(
        403, json=error("(#200) Requires pages_manage_engagement permission", 200)
    )

    with pytest.raises(PermanentError) as caught:
        FacebookConnector(channel).hide(PublishedRef(TOP, data={"kind": "comment"}), True)

    assert "permission is missing" in caught.value.message
    assert "pages_manage_engagement" in caught.value.network_message
