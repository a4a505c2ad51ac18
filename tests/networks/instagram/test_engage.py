"""The inbox on Instagram: what reading keeps for answering, answers to a comment (and to a
reply, sent to its top-level comment), to a media the account is tagged in, finding an answer
again after a time-out, hiding and deleting comments."""

from __future__ import annotations

import pytest
import respx

from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.incoming import Incoming
from hubbub.networks.instagram.connector import InstagramConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.facebook.conftest import GRAPH, error, form, query
from tests.networks.instagram.conftest import IG_ID, MEDIA_ID, TOKEN, USERNAME

pytestmark = pytest.mark.django_db

POST = PublishedRef(MEDIA_ID, "https://www.instagram.com/p/DCr3dQ7oBhZ/", {"id": MEDIA_ID})
TOP = "17870913679156914"
NESTED = "17873440459141021"
TAGGED = "17896450804038745"


def comment(ident: str, text: str, minute: int, **extra: object) -> dict[str, object]:
    return {
        "id": ident,
        "text": text,
        "timestamp": f"2026-05-04T09:{minute:02d}:00+0000",
        "username": "dana",
        "from": {"id": "1784140000000042", "username": "dana"},
        **extra,
    }


def read(router: respx.MockRouter, channel: Channel) -> dict[str, Incoming]:
    router.get(f"{GRAPH}/{MEDIA_ID}/comments").respond(
        200,
        json={
            "data": [
                comment(TOP, "Oat milk?", 1, replies={"data": [comment(NESTED, "+1", 2)]}),
            ]
        },
    )
    page = InstagramConnector(channel).fetch_comments(POST, None)
    return {item.external_id: item for item in page.items}


def ref(item: Incoming) -> PublishedRef:
    return PublishedRef(item.external_id, item.url, item.data)


def answer(parent: PublishedRef, root: PublishedRef = POST) -> OutgoingPart:
    return OutgoingPart("Yes, every day", "reply-4:0", reply_to=ReplyTarget(root, parent))


TAG = PublishedRef(TAGGED, data={"id": TAGGED, "kind": "tag", "media_id": TAGGED})


def test_reply_hide_and_delete_are_declared_and_like_is_not() -> None:
    declared = InstagramConnector.capabilities
    assert {Capability.REPLY, Capability.HIDE, Capability.DELETE_COMMENTS} <= declared
    assert Capability.LIKE not in declared  # the API cannot like a comment


def test_reading_keeps_what_an_answer_needs(router: respx.MockRouter, channel: Channel) -> None:
    items = read(router, channel)

    assert items[TOP].data == {
        "id": TOP,
        "kind": "comment",
        "media_id": MEDIA_ID,
        "parent_id": "",
    }
    assert items[NESTED].data == {
        "id": NESTED,
        "kind": "reply",
        "media_id": MEDIA_ID,
        "parent_id": TOP,
    }


def test_an_answer_to_a_comment_is_a_reply_to_it(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.post(f"{GRAPH}/{TOP}/replies").respond(200, json={"id": "17873440459141099"})

    made = InstagramConnector(channel).publish(answer(ref(items[TOP])))

    assert form(route.calls.last.request) == {
        "message": ["Yes, every day"],
        "access_token": [TOKEN],
    }
    assert made.external_id == "17873440459141099"


def test_an_answer_to_a_reply_goes_to_the_top_level_comment(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.post(f"{GRAPH}/{TOP}/replies").respond(200, json={"id": "17873440459141100"})

    InstagramConnector(channel).publish(answer(ref(items[NESTED])))

    assert route.call_count == 1


def test_a_tagged_media_is_answered_through_the_mentions_edge(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(f"{GRAPH}/{IG_ID}/mentions").respond(200, json={"id": "17873440459141101"})

    made = InstagramConnector(channel).publish(answer(TAG, root=TAG))

    assert form(route.calls.last.request) == {
        "media_id": [TAGGED],
        "message": ["Yes, every day"],
        "access_token": [TOKEN],
    }
    assert made.external_id == "17873440459141101"


def test_after_a_time_out_the_answer_is_found_among_the_replies(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)
    route = router.get(f"{GRAPH}/{TOP}/replies").respond(
        200,
        json={
            "data": [
                {"id": "1", "text": "Yes, every day", "username": "dana"},
                {"id": "2", "text": "Yes, every day", "username": USERNAME},
            ]
        },
    )

    found = InstagramConnector(channel).find_published(answer(ref(items[NESTED])))

    assert found is not None and found.external_id == "2"
    assert query(route.calls.last.request)["fields"] == ["id,text,username"]


def test_after_a_time_out_an_answer_to_a_tag_is_found_on_that_media(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(f"{GRAPH}/{IG_ID}").respond(
        200,
        json={
            "mentioned_media": {
                "id": TAGGED,
                "comments": {"data": [{"id": "9", "text": "Yes, every day", "username": USERNAME}]},
            },
            "id": IG_ID,
        },
    )

    found = InstagramConnector(channel).find_published(answer(TAG, root=TAG))

    assert found is not None and found.external_id == "9"
    assert query(route.calls.last.request)["fields"] == [
        f"mentioned_media.media_id({TAGGED}){{comments{{id,text,username}}}}"
    ]


@pytest.mark.parametrize(("hidden", "sent"), [(True, "true"), (False, "false")])
def test_hiding_and_showing_a_comment(
    router: respx.MockRouter, channel: Channel, hidden: bool, sent: str
) -> None:
    route = router.post(f"{GRAPH}/{TOP}").respond(200, json={"success": True})

    InstagramConnector(channel).hide(PublishedRef(TOP, data={"kind": "comment"}), hidden)

    assert form(route.calls.last.request) == {"hide": [sent], "access_token": [TOKEN]}


def test_deleting_a_comment(router: respx.MockRouter, channel: Channel) -> None:
    route = router.delete(f"{GRAPH}/{TOP}").respond(200, json={"success": True})

    InstagramConnector(channel).delete_comment(PublishedRef(TOP, data={"kind": "comment"}))

    assert query(route.calls.last.request) == {"access_token": [TOKEN]}


def test_a_tagged_media_is_someone_elses(router: respx.MockRouter, channel: Channel) -> None:
    connector = InstagramConnector(channel)

    with pytest.raises(PermanentError):
        connector.hide(TAG, True)
    with pytest.raises(PermanentError):
        connector.delete_comment(TAG)
    assert not router.calls


def test_a_refused_answer_keeps_metas_words(router: respx.MockRouter, channel: Channel) -> None:
    router.post(f"{GRAPH}/{TOP}/replies").respond(
        400, json=error("Invalid parameter", 100, 2534023, kind="OAuthException")
    )

    with pytest.raises(PermanentError) as caught:
        InstagramConnector(channel).publish(
            answer(PublishedRef(TOP, data={"kind": "comment", "parent_id": ""}))
        )

    assert "Invalid parameter" in caught.value.network_message


def test_a_comment_without_readings_data_is_still_answered_as_a_comment(
    router: respx.MockRouter, channel: Channel
) -> None:
    """A comment pushed by a webhook may come without reading.py's data: not being the post
    itself, it is answered with a reply, not commented on as if it were a media."""
    route = router.post(f"{GRAPH}/{TOP}/replies").respond(200, json={"id": "17873440459141102"})

    InstagramConnector(channel).publish(answer(PublishedRef(TOP)))

    assert route.call_count == 1


def test_a_first_comment_on_our_own_post_is_unchanged(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(f"{GRAPH}/{MEDIA_ID}/comments").respond(200, json={"id": "1788"})

    InstagramConnector(channel).publish(answer(POST, root=POST))

    assert form(route.calls.last.request)["message"] == ["Yes, every day"]


MENTIONING = PublishedRef(
    "17900000000000001",
    data={
        "id": "17900000000000001",
        "kind": "mention_comment",
        "media_id": TAGGED,
        "comment_id": "17900000000000001",
    },
)


def test_a_comment_mentioning_the_account_is_answered_under_it(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(f"{GRAPH}/{IG_ID}/mentions").respond(200, json={"id": "1790000000000009"})
    connector = InstagramConnector(channel)

    connector.publish(answer(MENTIONING, root=MENTIONING))

    assert form(route.calls.last.request) == {
        "media_id": [TAGGED],
        "comment_id": ["17900000000000001"],
        "message": ["Yes, every day"],
        "access_token": [TOKEN],
    }
    with pytest.raises(PermanentError):
        connector.hide(MENTIONING, True)  # someone else's media


def test_after_a_time_out_an_answer_to_a_mentioning_comment_is_found_in_its_replies(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.get(f"{GRAPH}/{IG_ID}").respond(
        200,
        json={
            "mentioned_comment": {
                "id": "17900000000000001",
                "replies": {"data": [{"id": "5", "text": "Yes, every day", "username": USERNAME}]},
            }
        },
    )

    found = InstagramConnector(channel).find_published(answer(MENTIONING, root=MENTIONING))

    assert found is not None and found.external_id == "5"
    assert query(route.calls.last.request)["fields"] == [
        "mentioned_comment.comment_id(17900000000000001){replies{id,text,username}}"
    ]
