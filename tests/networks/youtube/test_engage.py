"""The inbox on YouTube: answers under the thread's top-level comment (also for an answer to
a reply), found again after a time-out by our channel and the text; hiding (held for review,
published again) and removing (rejected) someone else's comment."""

from __future__ import annotations

import json

import pytest
import respx

from hubbub.networks.base import Capability, PermanentError, RateLimited
from hubbub.networks.incoming import Incoming
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.youtube.connector import YouTubeConnector
from tests.networks.recorded import query
from tests.networks.youtube.conftest import (
    ACCESS_TOKEN,
    API,
    CHANNEL_ID,
    NOW,
    VIDEO_ID,
    error,
    make_channel,
    thread,
)

pytestmark = pytest.mark.django_db

VIDEO = PublishedRef(VIDEO_ID, f"https://www.youtube.com/watch?v={VIDEO_ID}", {"id": VIDEO_ID})
TOP = "UgzDE2tasfmrYLyNkGt4AaABAg"
NESTED = f"{TOP}.9xYzAbCdEfG"


@pytest.fixture
def channel(acme) -> Channel:  # type: ignore[no-untyped-def]
    return make_channel(acme)


def read(router: respx.MockRouter, channel: Channel) -> dict[str, Incoming]:
    top = thread(TOP, "When is part two?", "dana", "UCdana", NOW)
    reply = {
        "kind": "youtube#comment",
        "id": NESTED,
        "snippet": {
            "videoId": VIDEO_ID,
            "textOriginal": "Same question",
            "parentId": TOP,
            "authorDisplayName": "@eli",
            "authorChannelId": {"value": "UCeli"},
            "publishedAt": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    router.get(f"{API}/commentThreads").respond(
        200, json={"items": [{**top, "replies": {"comments": [reply]}}]}
    )
    page = YouTubeConnector(channel).fetch_comments(VIDEO, None)
    return {item.external_id: item for item in page.items}


def ref(item: Incoming) -> PublishedRef:
    return PublishedRef(item.external_id, item.url, item.data)


def answer(parent: PublishedRef) -> OutgoingPart:
    return OutgoingPart("Next Friday!", "reply-6:0", reply_to=ReplyTarget(VIDEO, parent))


def made(comment_id: str) -> dict[str, object]:
    return {
        "kind": "youtube#comment",
        "id": comment_id,
        "snippet": {
            "videoId": VIDEO_ID,
            "textOriginal": "Next Friday!",
            "parentId": TOP,
            "authorChannelId": {"value": CHANNEL_ID},
        },
    }


def test_reply_hide_and_delete_are_declared_and_like_is_not() -> None:
    declared = YouTubeConnector.capabilities
    assert {Capability.REPLY, Capability.HIDE, Capability.DELETE_COMMENTS} <= declared
    assert Capability.LIKE not in declared


def test_reading_keeps_the_thread_each_comment_belongs_to(
    router: respx.MockRouter, channel: Channel
) -> None:
    items = read(router, channel)

    assert items[TOP].data == {"id": TOP, "video_id": VIDEO_ID, "thread_id": TOP}
    assert items[NESTED].data == {"id": NESTED, "video_id": VIDEO_ID, "thread_id": TOP}


@pytest.mark.parametrize("answered", [TOP, NESTED])
def test_an_answer_goes_under_the_top_level_comment(
    router: respx.MockRouter, channel: Channel, answered: str
) -> None:
    items = read(router, channel)
    route = router.post(f"{API}/comments").respond(200, json=made(f"{TOP}.AAA"))

    ref_made = YouTubeConnector(channel).publish(answer(ref(items[answered])))

    request = route.calls.last.request
    assert query(request) == {"part": ["snippet"]}
    assert json.loads(request.content) == {
        "snippet": {"parentId": TOP, "textOriginal": "Next Friday!"}
    }
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert ref_made.external_id == f"{TOP}.AAA"
    assert ref_made.url == f"https://www.youtube.com/watch?v={VIDEO_ID}&lc={TOP}.AAA"


def test_an_answer_without_stored_data_finds_its_thread_in_the_id(
    router: respx.MockRouter, channel: Channel
) -> None:
    route = router.post(f"{API}/comments").respond(200, json=made(f"{TOP}.BBB"))

    YouTubeConnector(channel).publish(answer(PublishedRef(NESTED)))

    assert json.loads(route.calls.last.request.content)["snippet"]["parentId"] == TOP


def test_after_a_time_out_the_answer_is_found_among_the_threads_replies(
    router: respx.MockRouter, channel: Channel
) -> None:
    someone = made(f"{TOP}.CCC")
    someone["snippet"] = {**someone["snippet"], "authorChannelId": {"value": "UCdana"}}  # type: ignore[dict-item]
    route = router.get(f"{API}/comments").respond(
        200, json={"items": [someone, made(f"{TOP}.DDD")]}
    )

    found = YouTubeConnector(channel).find_published(answer(PublishedRef(TOP, data={"id": TOP})))

    assert found is not None and found.external_id == f"{TOP}.DDD"
    assert query(route.calls.last.request) == {
        "part": ["snippet"],
        "parentId": [TOP],
        "maxResults": ["100"],
        "textFormat": ["plainText"],
    }


@pytest.mark.parametrize(("hidden", "status"), [(True, "heldForReview"), (False, "published")])
def test_hiding_holds_the_comment_for_review_and_showing_publishes_it(
    router: respx.MockRouter, channel: Channel, hidden: bool, status: str
) -> None:
    route = router.post(f"{API}/comments/setModerationStatus").respond(204)

    YouTubeConnector(channel).hide(PublishedRef(TOP, data={"id": TOP}), hidden)

    assert query(route.calls.last.request) == {"id": [TOP], "moderationStatus": [status]}
    assert route.calls.last.request.content == b""


def test_deleting_rejects_the_comment(router: respx.MockRouter, channel: Channel) -> None:
    route = router.post(f"{API}/comments/setModerationStatus").respond(204)

    YouTubeConnector(channel).delete_comment(PublishedRef(NESTED, data={"id": NESTED}))

    assert query(route.calls.last.request) == {"id": [NESTED], "moderationStatus": ["rejected"]}


def test_a_comment_already_gone_is_deleted(router: respx.MockRouter, channel: Channel) -> None:
    router.post(f"{API}/comments/setModerationStatus").respond(
        404, json=error(404, "commentNotFound", "The comment could not be found.")
    )

    YouTubeConnector(channel).delete_comment(PublishedRef(TOP))  # no error


def test_moderating_someone_elses_channel_is_refused_for_good(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(f"{API}/comments/setModerationStatus").respond(
        403, json=error(403, "forbidden", "The comment's moderation status cannot be set.")
    )

    with pytest.raises(PermanentError) as caught:
        YouTubeConnector(channel).hide(PublishedRef(TOP), True)

    assert caught.value.status == 403 and not caught.value.needs_reconnect


def test_the_daily_quota_waits_for_midnight_pacific(
    router: respx.MockRouter, channel: Channel
) -> None:
    router.post(f"{API}/comments").respond(
        403, json=error(403, "quotaExceeded", "quota", domain="youtube.quota")
    )

    with pytest.raises(RateLimited):
        YouTubeConnector(channel).publish(answer(PublishedRef(TOP)))
