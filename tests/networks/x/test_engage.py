"""The inbox on X: answering a mention or a reply (a reply to that post), finding the answer
again after a time-out, liking, and hiding replies under the account's own posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx

from hubbub.networks.base import Capability, ConnectorError, PermanentError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import ACCESS, API, NOW, TWEETS, USER_ID, created, problem, sent_json

pytestmark = pytest.mark.django_db

# A mention as reading.py stores it: Incoming.data is {"id", "conversation_id"}.
MENTION = PublishedRef(
    external_id="1460323737035677698",
    url="https://x.com/fan/status/1460323737035677698",
    data={"id": "1460323737035677698", "conversation_id": "1460323737035677698"},
)
# A reply under one of our posts (its conversation is our post's).
OUR_POST = PublishedRef(external_id="1445880548472328192", data={"id": "1445880548472328192"})
REPLY = PublishedRef(
    external_id="1460323737035677700",
    data={"id": "1460323737035677700", "conversation_id": "1445880548472328192"},
)


def answer(parent: PublishedRef, root: PublishedRef | None = None) -> OutgoingPart:
    return OutgoingPart(
        text="Thanks, we're looking into it",
        idempotency_key="reply-7:0",
        reply_to=ReplyTarget(root or parent, parent),
        not_before=NOW - timedelta(minutes=1),
    )


def test_replying_is_declared_with_like_and_hide() -> None:
    declared = XConnector.capabilities
    assert {Capability.REPLY, Capability.LIKE, Capability.HIDE} <= declared
    assert Capability.DELETE_COMMENTS not in declared


def test_a_reply_to_a_mention_answers_that_post(channel: Channel, router: respx.MockRouter) -> None:
    route = router.post(TWEETS).respond(201, json=created("1460400000000000001"))

    ref = XConnector(channel).publish(answer(MENTION))

    assert sent_json(route.calls.last.request) == {
        "text": "Thanks, we're looking into it",
        "reply": {"in_reply_to_tweet_id": "1460323737035677698"},
    }
    assert route.calls.last.request.headers["authorization"] == f"Bearer {ACCESS}"
    assert ref.external_id == "1460400000000000001"
    assert ref.url == "https://x.com/TwitterDev/status/1460400000000000001"


def test_a_reply_to_a_comment_answers_the_comment_not_the_post(
    channel: Channel, router: respx.MockRouter
) -> None:
    route = router.post(TWEETS).respond(201, json=created("1460400000000000002"))

    XConnector(channel).publish(answer(REPLY, root=OUR_POST))

    assert sent_json(route.calls.last.request)["reply"] == {
        "in_reply_to_tweet_id": "1460323737035677700"
    }


def test_after_a_time_out_the_answer_is_found_by_its_parent_and_text(
    channel: Channel, router: respx.MockRouter
) -> None:
    timeline = router.get(f"{API}/2/users/{USER_ID}/tweets").respond(
        200,
        json={
            "data": [
                {  # the same words answering someone else: not this part
                    "id": "1460400000000000009",
                    "text": "@other Thanks, we're looking into it",
                    "referenced_tweets": [{"type": "replied_to", "id": "1"}],
                },
                {  # X puts the @mention in front of a reply's text
                    "id": "1460400000000000003",
                    "text": "@fan Thanks, we\u2019re looking into it".replace("\u2019", "'"),
                    "referenced_tweets": [{"type": "replied_to", "id": MENTION.external_id}],
                },
            ],
            "meta": {"result_count": 2},
        },
    )

    found = XConnector(channel).find_published(answer(MENTION))

    assert found is not None and found.external_id == "1460400000000000003"
    assert timeline.calls.last.request.url.params["start_time"] == "2026-05-04T11:58:00Z"


def test_a_like_is_one_request_as_the_account(channel: Channel, router: respx.MockRouter) -> None:
    route = router.post(f"{API}/2/users/{USER_ID}/likes").respond(
        200, json={"data": {"liked": True}}
    )

    XConnector(channel).like(MENTION)

    assert route.call_count == 1
    assert sent_json(route.calls.last.request) == {"tweet_id": "1460323737035677698"}


@pytest.mark.parametrize("hidden", [True, False])
def test_hiding_and_showing_a_reply_again(
    channel: Channel, router: respx.MockRouter, hidden: bool
) -> None:
    route = router.put(f"{TWEETS}/1460323737035677700/hidden").respond(
        200, json={"data": {"hidden": hidden}}
    )

    XConnector(channel).hide(REPLY, hidden)

    assert sent_json(route.calls.last.request) == {"hidden": hidden}


def test_a_reply_in_someone_elses_conversation_cannot_be_hidden(
    channel: Channel, router: respx.MockRouter
) -> None:
    router.put(f"{TWEETS}/1460323737035677698/hidden").respond(
        403,
        json=problem(403, "Forbidden", "You are not permitted to hide this reply."),
    )

    with pytest.raises(PermanentError) as caught:
        XConnector(channel).hide(MENTION, True)

    assert "replies under its own posts" in caught.value.message
    assert not caught.value.needs_reconnect
    assert "not permitted" in caught.value.network_message


def test_a_like_over_the_rate_limit_waits(channel: Channel, router: respx.MockRouter) -> None:
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    router.post(f"{API}/2/users/{USER_ID}/likes").respond(
        429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
        json=problem(429, "Too Many Requests", "Too Many Requests"),
    )

    with pytest.raises(ConnectorError) as caught:
        XConnector(channel).like(MENTION)

    assert not caught.value.permanent
    assert caught.value.retry_at == NOW + timedelta(minutes=15)
