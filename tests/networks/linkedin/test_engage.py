"""The inbox on LinkedIn: answers to comments as the organization (nested under the comment
answered, or its top-level comment), found again after a time-out, likes as reactions, and
deleting a comment on the page's post; the page's own comments are not read back."""

from __future__ import annotations

import json

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import Capability, PermanentError
from hubbub.networks.incoming import Incoming
from hubbub.networks.linkedin.connector import LinkedInConnector
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.linkedin.conftest import (
    ACCESS_TOKEN,
    API,
    NOW,
    ORG_URN,
    POST_URN,
    comment,
    error,
    make_channel,
)

pytestmark = pytest.mark.django_db

ACTIVITY = "urn:li:activity:6844785523593134080"
POST = PublishedRef(POST_URN, data={"urn": POST_URN})
TOP_URN = f"urn:li:comment:({ACTIVITY},7)"
NESTED_URN = f"urn:li:comment:({ACTIVITY},8)"
ENC = {
    TOP_URN: "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A6844785523593134080%2C7%29",
    ACTIVITY: "urn%3Ali%3Aactivity%3A6844785523593134080",
    ORG_URN: "urn%3Ali%3Aorganization%3A2414183",
}


@pytest.fixture
def connector(acme: Workspace) -> LinkedInConnector:
    return LinkedInConnector(make_channel(acme))


def read(router: respx.MockRouter, connector: LinkedInConnector) -> dict[str, Incoming]:
    nested = {**comment(8, "Me too", "urn:li:person:9001", NOW), "parentComment": TOP_URN}
    router.get(url__startswith=f"{API}/socialActions/").respond(
        200,
        json={
            "paging": {"start": 0, "count": 100, "total": 3},
            "elements": [
                comment(7, "Are you hiring?", "urn:li:person:9000", NOW),
                nested,
                comment(9, "Yes we are", ORG_URN, NOW),  # the page's own answer
            ],
        },
    )
    page = connector.fetch_comments(POST, None)
    return {item.external_id: item for item in page.items}


def ref(item: Incoming) -> PublishedRef:
    return PublishedRef(item.external_id, item.url, item.data)


def answer(parent: PublishedRef) -> OutgoingPart:
    return OutgoingPart("Yes: see our jobs page", "reply-8:0", reply_to=ReplyTarget(POST, parent))


def test_reply_like_and_delete_are_declared_and_hide_is_not() -> None:
    declared = LinkedInConnector.capabilities
    assert {Capability.REPLY, Capability.LIKE, Capability.DELETE_COMMENTS} <= declared
    assert Capability.HIDE not in declared


def test_reading_keeps_what_an_answer_needs_and_skips_the_pages_own(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    items = read(router, connector)

    assert set(items) == {"7", "8"}
    assert items["7"].data == {"id": "7", "urn": TOP_URN, "object": ACTIVITY, "parent_comment": ""}
    assert items["8"].data["parent_comment"] == TOP_URN


@pytest.mark.parametrize("answered", ["7", "8"])
def test_an_answer_is_a_nested_comment_as_the_page(
    router: respx.MockRouter, connector: LinkedInConnector, answered: str
) -> None:
    items = read(router, connector)
    route = router.post(f"{API}/socialActions/{ENC[TOP_URN]}/comments").respond(
        201,
        json={"id": "10", "commentUrn": f"urn:li:comment:({ACTIVITY},10)", "actor": ORG_URN},
    )

    made = connector.publish(answer(ref(items[answered])))

    request = route.calls.last.request
    assert request.url.raw_path.endswith(f"/socialActions/{ENC[TOP_URN]}/comments".encode())
    assert json.loads(request.content) == {
        "actor": ORG_URN,
        "object": ACTIVITY,
        "message": {"text": "Yes: see our jobs page"},
        "parentComment": TOP_URN,
    }
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["linkedin-version"] == "202605"
    assert made.external_id == "10"  # what reading calls it: matched, not read as new
    assert made.data["urn"] == f"urn:li:comment:({ACTIVITY},10)"


def test_after_a_time_out_the_answer_is_found_by_the_page_and_its_text(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.get(url__startswith=f"{API}/socialActions/{ENC[TOP_URN]}/comments").respond(
        200,
        json={
            "elements": [
                comment(11, "Yes: see our jobs page", "urn:li:person:9000", NOW),
                comment(12, "Yes:  see our jobs page", ORG_URN, NOW),
            ]
        },
    )
    top = PublishedRef("7", data={"id": "7", "urn": TOP_URN, "object": ACTIVITY})

    found = connector.find_published(answer(top))

    assert found is not None and found.external_id == "12"
    assert route.calls.last.request.url.raw_path.endswith(b"/comments?start=0&count=100")


def test_a_like_is_a_reaction_of_the_page(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.post(url__startswith=f"{API}/reactions").respond(201, json={})

    connector.like(PublishedRef("7", data={"id": "7", "urn": TOP_URN}))

    request = route.calls.last.request
    assert request.url.raw_path == f"/rest/reactions?actor={ENC[ORG_URN]}".encode()
    assert json.loads(request.content) == {"root": TOP_URN, "reactionType": "LIKE"}


def test_liking_twice_is_not_an_error(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    router.post(url__startswith=f"{API}/reactions").respond(
        409, json=error(409, "DUPLICATE", "Reaction already exists")
    )

    connector.like(PublishedRef("7", data={"id": "7", "urn": TOP_URN}))  # no error


def test_deleting_a_comment_as_the_page(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.delete(url__startswith=f"{API}/socialActions/").respond(204)

    connector.delete_comment(
        PublishedRef("7", data={"id": "7", "urn": TOP_URN, "object": ACTIVITY})
    )

    request = route.calls.last.request
    assert request.url.raw_path == (
        f"/rest/socialActions/{ENC[ACTIVITY]}/comments/7?actor={ENC[ORG_URN]}".encode()
    )
    assert request.headers["x-restli-method"] == "DELETE"


def test_a_comment_already_gone_is_deleted_and_a_refusal_says_why(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    gone = PublishedRef("7", data={"id": "7", "urn": TOP_URN, "object": ACTIVITY})
    route = router.delete(url__startswith=f"{API}/socialActions/")
    route.side_effect = [
        respx.MockResponse(404, json=error(404, "NOT_FOUND", "Comment not found")),
        respx.MockResponse(403, json=error(403, "ACCESS_DENIED", "Not enough permissions")),
    ]

    connector.delete_comment(gone)  # no error
    with pytest.raises(PermanentError) as caught:
        connector.delete_comment(gone)

    assert "administrators" in caught.value.message
