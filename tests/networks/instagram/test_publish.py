"""Publishing on Instagram: containers and their processing states, the retry that resumes
the same container, carousels and reels, the publishing limit, what is refused before any
request, and the first comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
import time_machine

from hubbub.networks.base import PermanentError, RateLimited, TransientError
from hubbub.networks.instagram.connector import InstagramConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.facebook.conftest import GRAPH, error, form
from tests.networks.instagram.conftest import (
    CONTAINER,
    LIMIT,
    MEDIA,
    MEDIA_ID,
    PERMALINK,
    PUBLISH,
    STATUS,
    TOKEN,
    photo,
    quota,
    status,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def part(
    media: tuple[MediaFile, ...], text: str = "Latte art #coffee", **extra: object
) -> OutgoingPart:
    return OutgoingPart(
        text=text,
        idempotency_key="delivery-9:0",
        media=media,
        not_before=NOW - timedelta(minutes=2),
        **extra,  # type: ignore[arg-type]
    )


def finishing(router: respx.MockRouter, used: int = 3) -> dict[str, respx.Route]:
    return {
        "limit": router.get(LIMIT).respond(200, json=quota(used)),
        "publish": router.post(PUBLISH).respond(200, json={"id": MEDIA_ID}),
        "permalink": router.get(f"{GRAPH}/{MEDIA_ID}").respond(
            200, json={"permalink": PERMALINK, "id": MEDIA_ID}
        ),
    }


def test_a_container_in_progress_is_polled_until_finished_within_the_call(
    router: respx.MockRouter, channel: Channel, media_root: Path, no_sleep: list[float]
) -> None:
    create = router.post(MEDIA).respond(200, json={"id": CONTAINER})
    poll = router.get(STATUS).mock(
        side_effect=[
            httpx.Response(200, json=status("IN_PROGRESS")),
            httpx.Response(200, json=status("FINISHED")),
        ]
    )
    routes = finishing(router)

    ref = InstagramConnector(channel).publish(part((photo(media_root / "acme"),)))

    assert ref == PublishedRef(MEDIA_ID, PERMALINK, {"id": MEDIA_ID})
    assert create.call_count == 1 and poll.call_count == 2
    assert no_sleep == [1.0]  # a short wait between the two checks
    assert form(routes["publish"].calls.last.request) == {
        "creation_id": [CONTAINER],
        "access_token": [TOKEN],
    }


def test_still_processing_ends_the_call_and_the_retry_resumes_the_same_container(
    router: respx.MockRouter, channel: Channel, media_root: Path, no_sleep: list[float]
) -> None:
    create = router.post(MEDIA).respond(200, json={"id": CONTAINER})
    poll = router.get(STATUS).respond(200, json=status("IN_PROGRESS"))
    reel = media_root / "acme" / "clip.mp4"
    reel.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    video = MediaFile(reel, "video/mp4", reel.stat().st_size, duration_seconds=12)
    connector = InstagramConnector(channel)

    with time_machine.travel(NOW, tick=False), pytest.raises(TransientError) as caught:
        connector.publish(part((video,)))

    assert caught.value.retry_at == NOW + timedelta(minutes=2)
    assert caught.value.sent is False
    assert "still processing" in str(caught.value)
    assert sum(no_sleep) <= 5  # a few seconds at most inside one call
    sent = form(create.calls.last.request)
    assert sent["media_type"] == ["REELS"] and sent["share_to_feed"] == ["true"]
    assert sent["video_url"][0].startswith("https://hubbub.example/m/")
    assert "alt_text" not in sent and "image_url" not in sent

    poll.respond(200, json=status("FINISHED"))
    finishing(router)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        ref = connector.publish(part((video,)))

    assert create.call_count == 1  # the retry polled the container it had, no new upload
    assert ref.external_id == MEDIA_ID


def test_a_container_meta_rejects_after_processing_is_refused_with_its_reason(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    create = router.post(MEDIA).respond(200, json={"id": CONTAINER})
    reason = "Error: Media upload has failed with error code 2207026"
    router.get(STATUS).respond(200, json=status("ERROR", reason))
    publish = router.post(PUBLISH)
    connector = InstagramConnector(channel)

    with pytest.raises(PermanentError) as caught:
        connector.publish(part((photo(media_root / "acme"),)))

    assert reason in str(caught.value) and caught.value.network_message == reason
    assert "specifications" in str(caught.value)
    assert not publish.called
    # Refused for good: a later attempt (after the person replaces the file) starts afresh.
    router.get(STATUS).respond(200, json=status("FINISHED"))
    finishing(router)
    connector.publish(part((photo(media_root / "acme"),)))
    assert create.call_count == 2


def test_an_expired_container_is_made_again(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    create = router.post(MEDIA).mock(
        side_effect=[
            httpx.Response(200, json={"id": CONTAINER}),
            httpx.Response(200, json={"id": "17889455560051999"}),
        ]
    )
    router.get(STATUS).respond(200, json=status("EXPIRED"))
    router.get(f"{GRAPH}/17889455560051999").respond(200, json=status("FINISHED"))
    routes = finishing(router)

    InstagramConnector(channel).publish(part((photo(media_root / "acme"),)))

    assert create.call_count == 2
    assert form(routes["publish"].calls.last.request)["creation_id"] == ["17889455560051999"]


def test_the_publishing_limit_is_respected(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    router.post(MEDIA).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("FINISHED"))
    routes = finishing(router, used=100)

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        InstagramConnector(channel).publish(part((photo(media_root / "acme"),)))

    assert caught.value.retry_at == NOW + timedelta(hours=1)
    assert "100" in str(caught.value)
    assert not routes["publish"].called


def test_a_carousel_is_items_then_one_carousel_container(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    create = router.post(MEDIA).mock(
        side_effect=[
            httpx.Response(200, json={"id": "1001"}),
            httpx.Response(200, json={"id": "1002"}),
            httpx.Response(200, json={"id": CONTAINER}),
        ]
    )
    router.get(STATUS).respond(200, json=status("FINISHED"))
    finishing(router)
    folder = media_root / "acme"
    first, second = photo(folder, "a.jpg", alt_text="A latte"), photo(folder, "b.jpg")

    InstagramConnector(channel).publish(part((first, second)))

    items = [form(call.request) for call in create.calls]
    assert items[0]["is_carousel_item"] == ["true"] and items[0]["alt_text"] == ["A latte"]
    assert "caption" not in items[0] and "alt_text" not in items[1]
    assert items[2]["media_type"] == ["CAROUSEL"]
    assert items[2]["children"] == ["1001,1002"]
    assert items[2]["caption"] == ["Latte art #coffee"]


@pytest.mark.parametrize(
    ("text", "size", "words"),
    [
        (" ".join(f"#tag{i}" for i in range(31)), (1080, 1080), "30 hashtags"),
        (" ".join(f"@friend{i}" for i in range(21)), (1080, 1080), "20 @mentions"),
        ("Tall", (1080, 1920), "4:5"),
        ("Wide", (1920, 900), "1.91:1"),
    ],
)
def test_what_instagram_would_refuse_is_refused_before_any_request(
    router: respx.MockRouter,
    channel: Channel,
    media_root: Path,
    text: str,
    size: tuple[int, int],
    words: str,
) -> None:
    with pytest.raises(PermanentError) as caught:
        InstagramConnector(channel).publish(part((photo(media_root / "acme", size=size),), text))

    assert words in str(caught.value)
    assert not router.calls


def test_text_alone_is_refused(router: respx.MockRouter, channel: Channel) -> None:
    with pytest.raises(PermanentError) as caught:
        InstagramConnector(channel).publish(part(()))

    assert "needs an image or a video" in str(caught.value)
    assert not router.calls


def test_after_a_lost_answer_the_post_is_found_by_its_caption(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    router.post(MEDIA).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("FINISHED"))
    router.get(LIMIT).respond(200, json=quota(3))
    publish = router.post(PUBLISH).mock(side_effect=httpx.ReadTimeout("timed out"))
    connector = InstagramConnector(channel)
    sent = part((photo(media_root / "acme"),))

    with pytest.raises(Exception) as caught:
        connector.publish(sent)
    assert getattr(caught.value, "sent", False) is True

    listed = router.get(MEDIA).respond(
        200,
        json={
            "data": [
                {"id": MEDIA_ID, "caption": "Latte art  #coffee", "permalink": PERMALINK},
            ]
        },
    )
    found = connector.find_published(sent)

    assert found == PublishedRef(MEDIA_ID, PERMALINK, {"id": MEDIA_ID})
    assert publish.call_count == 1
    assert listed.calls.last.request.url.params["since"] == str(
        int((NOW - timedelta(minutes=3)).timestamp())
    )


def test_the_first_comment_is_posted_on_the_media(
    router: respx.MockRouter, channel: Channel
) -> None:
    post = PublishedRef(MEDIA_ID, PERMALINK, {"id": MEDIA_ID})
    route = router.post(f"{GRAPH}/{MEDIA_ID}/comments").respond(
        200, json={"id": "17870913679156914"}
    )

    ref = InstagramConnector(channel).publish(
        OutgoingPart("More at acme.example", "delivery-9:1", reply_to=ReplyTarget(post, post))
    )

    assert form(route.calls.last.request) == {
        "message": ["More at acme.example"],
        "access_token": [TOKEN],
    }
    assert ref.external_id == "17870913679156914"


def test_the_publishing_limit_error_of_media_publish_waits(
    router: respx.MockRouter, channel: Channel, media_root: Path
) -> None:
    router.post(MEDIA).respond(200, json={"id": CONTAINER})
    router.get(STATUS).respond(200, json=status("FINISHED"))
    router.get(LIMIT).respond(200, json=quota(99))  # another app posted meanwhile
    router.post(PUBLISH).respond(
        400,
        json=error(
            "You reached maximum number of posts that is allowed to be published by Content "
            "Publishing API.",
            9,
            2207042,
        ),
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as caught:
        InstagramConnector(channel).publish(part((photo(media_root / "acme"),)))

    assert caught.value.retry_at == NOW + timedelta(hours=1)
    assert "2207042" in caught.value.network_message
