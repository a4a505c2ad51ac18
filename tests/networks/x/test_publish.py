"""Publishing on X: the POST /2/tweets request for a post, a thread's next part and a first
comment; photos with alt text; GIFs and video through the chunked upload, with X's
processing states; deleting; finding a post whose sending timed out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from django.core.cache import cache
from PIL import Image

from hubbub.networks.base import ConnectorError, PermanentError, TransientError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from hubbub.networks.x import media as x_media
from hubbub.networks.x.connector import XConnector
from tests.networks.x.conftest import (
    ACCESS,
    API,
    MEDIA_ID,
    METADATA,
    NOW,
    TWEET_ID,
    TWEETS,
    UPLOAD,
    USER_ID,
    USERNAME,
    created,
    processing,
    sent_json,
    uploaded,
)

pytestmark = pytest.mark.django_db
ROOT = PublishedRef(external_id="1445880548472328100", data={"id": "1445880548472328100"})
PARENT = PublishedRef(external_id="1445880548472328150", data={"id": "1445880548472328150"})


def part(text: str = "Hello from Hubbub", **extra: Any) -> OutgoingPart:
    return OutgoingPart(
        text=text, idempotency_key="delivery-3:0", not_before=NOW - timedelta(minutes=2), **extra
    )


@pytest.fixture
def connector(channel: Channel) -> XConnector:
    return XConnector(channel)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


@pytest.fixture
def mp4(tmp_path: Path) -> MediaFile:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 90)
    return MediaFile(path, "video/mp4", path.stat().st_size, duration_seconds=12)


def multipart(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """The form fields of a multipart request: name → (file name, content)."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields = {}
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _sep, body = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = head.split(b"\r\n")[0].decode()
        name = disposition.split('name="')[1].split('"')[0]
        filename = (
            disposition.split('filename="')[1].split('"')[0]
            if "filename=" in head.decode()
            else None
        )
        fields[name] = (filename, body)
    return fields


def test_a_text_post_is_one_json_request(connector: XConnector, router: respx.MockRouter) -> None:
    route = router.post(TWEETS).respond(201, json=created())

    ref = connector.publish(part())

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {ACCESS}"
    assert sent.headers["content-type"] == "application/json"
    assert sent_json(sent) == {"text": "Hello from Hubbub"}  # no language field, no key
    assert ref == PublishedRef(
        external_id=TWEET_ID,
        url=f"https://x.com/{USERNAME}/status/{TWEET_ID}",
        data={"id": TWEET_ID},
    )
    assert len(router.calls) == 1


def test_a_thread_part_and_a_first_comment_reply_to_the_previous_part(
    connector: XConnector, router: respx.MockRouter
) -> None:
    route = router.post(TWEETS).respond(201, json=created("1445880548472328199"))

    connector.publish(part("Part 2", reply_to=ReplyTarget(root=ROOT, parent=PARENT)))

    assert sent_json(route.calls.last.request) == {
        "text": "Part 2",
        "reply": {"in_reply_to_tweet_id": PARENT.external_id},
    }


def test_a_photo_is_uploaded_described_then_attached(
    connector: XConnector, router: respx.MockRouter, png: MediaFile
) -> None:
    upload = router.post(UPLOAD).respond(200, json=uploaded(image={"image_type": "image/png"}))
    describe = router.post(METADATA).respond(200, json={"data": {"id": MEDIA_ID}})
    post = router.post(TWEETS).respond(201, json=created())

    connector.publish(part(media=(png,)))

    fields = multipart(upload.calls.last.request)
    assert fields == {
        "media_category": (None, b"tweet_image"),
        "media_type": (None, b"image/png"),
        "media": ("square.png", png.path.read_bytes()),
    }
    assert sent_json(describe.calls.last.request) == {
        "id": MEDIA_ID,
        "metadata": {"alt_text": {"text": "A red square"}},
    }
    assert sent_json(post.calls.last.request) == {
        "text": "Hello from Hubbub",
        "media": {"media_ids": [MEDIA_ID]},
    }
    # In that order: the alt text is set before the post shows the photo.
    assert [c.request.url.path for c in router.calls] == [
        "/2/media/upload",
        "/2/media/metadata",
        "/2/tweets",
    ]


def test_a_gif_with_other_images_is_refused_before_any_upload(
    connector: XConnector, router: respx.MockRouter, png: MediaFile, tmp_path: Path
) -> None:
    path = tmp_path / "dance.gif"
    Image.new("RGB", (10, 10)).save(path)
    gif = MediaFile(path, "image/gif", path.stat().st_size)

    with pytest.raises(PermanentError) as caught:
        connector.publish(part(media=(png, gif)))

    assert "dance.gif" in str(caught.value) and not router.calls


class Clock:
    """media.py's monotonic clock and sleep, without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(x_media, "monotonic", fake.monotonic)
    monkeypatch.setattr(x_media, "sleep", fake.sleep)
    return fake


def video_routes(router: respx.MockRouter, finalize: dict[str, Any]) -> dict[str, respx.Route]:
    return {
        "initialize": router.post(f"{UPLOAD}/initialize").respond(200, json=uploaded()),
        "append": router.post(f"{UPLOAD}/{MEDIA_ID}/append").respond(200, json={"data": {}}),
        "finalize": router.post(f"{UPLOAD}/{MEDIA_ID}/finalize").respond(200, json=finalize),
    }


def test_a_video_goes_in_chunks(
    connector: XConnector,
    router: respx.MockRouter,
    mp4: MediaFile,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(x_media, "CHUNK_BYTES", 64)
    routes = video_routes(router, uploaded())  # no processing_info: ready at once
    post = router.post(TWEETS).respond(201, json=created())

    connector.publish(part(media=(mp4,)))

    assert sent_json(routes["initialize"].calls.last.request) == {
        "media_type": "video/mp4",
        "total_bytes": mp4.size,
        "media_category": "tweet_video",
    }
    chunks = [multipart(c.request) for c in routes["append"].calls]
    assert [c["segment_index"] for c in chunks] == [(None, b"0"), (None, b"1")]
    assert b"".join(c["media"][1] for c in chunks) == mp4.path.read_bytes()
    assert sent_json(post.calls.last.request)["media"] == {"media_ids": [MEDIA_ID]}
    assert clock.slept == []


def test_a_processing_video_is_polled_briefly_then_retried_with_the_same_media(
    connector: XConnector, router: respx.MockRouter, mp4: MediaFile, clock: Clock
) -> None:
    routes = video_routes(router, uploaded(**processing("pending", check_after=1)))
    status = router.get(UPLOAD, params={"command": "STATUS", "media_id": MEDIA_ID})
    status.respond(200, json=uploaded(**processing("in_progress", check_after=10, percent=40)))
    post = router.post(TWEETS).respond(201, json=created())

    with pytest.raises(TransientError) as caught:
        connector.publish(part(media=(mp4,)))

    # It waited what X asked (1 s), then, told to wait 10 s more, gave the worker back.
    assert clock.slept == [1]
    assert caught.value.retry_at == NOW + timedelta(seconds=10)
    assert "40%" in str(caught.value) and not post.called

    status.respond(200, json=uploaded(**processing("succeeded", percent=100)))
    connector.publish(part(media=(mp4,)))

    # The retry checked the same upload again, and uploaded nothing twice.
    assert routes["initialize"].call_count == 1 and routes["append"].call_count == 1
    assert sent_json(post.calls.last.request)["media"] == {"media_ids": [MEDIA_ID]}
    # Once posted, the media id is forgotten: a new publish of that part uploads afresh.
    assert cache.get(x_media.processing_key(connector, part(), 0, mp4)) is None


def test_a_video_x_cannot_process_is_refused_with_its_reason(
    connector: XConnector, router: respx.MockRouter, mp4: MediaFile, clock: Clock
) -> None:
    video_routes(router, uploaded(**processing("pending", check_after=1)))
    failed: dict[str, Any] = {
        "processing_info": {
            "state": "failed",
            "progress_percent": 12,
            "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"},
        }
    }
    router.get(UPLOAD, params={"command": "STATUS"}).respond(200, json=uploaded(**failed))

    with pytest.raises(PermanentError) as caught:
        connector.publish(part(media=(mp4,)))

    assert "Unsupported video format" in str(caught.value)
    assert not any(c.request.url.path == "/2/tweets" for c in router.calls)


def test_a_video_upload_x_forgot_is_uploaded_again(
    connector: XConnector, router: respx.MockRouter, mp4: MediaFile, clock: Clock
) -> None:
    cache.set(x_media.processing_key(connector, part(), 0, mp4), "999", 60)
    router.get(UPLOAD, params={"command": "STATUS", "media_id": "999"}).respond(
        400, json={"title": "Invalid Request", "detail": "Media id 999 not found", "status": 400}
    )
    routes = video_routes(router, uploaded())
    post = router.post(TWEETS).respond(201, json=created())

    connector.publish(part(media=(mp4,)))

    assert routes["initialize"].call_count == 1
    assert sent_json(post.calls.last.request)["media"] == {"media_ids": [MEDIA_ID]}


def test_delete(connector: XConnector, router: respx.MockRouter) -> None:
    route = router.delete(f"{TWEETS}/{TWEET_ID}").respond(200, json={"data": {"deleted": True}})
    ref = PublishedRef(external_id=TWEET_ID, data={"id": TWEET_ID})

    connector.delete(ref)
    route.respond(404, json={"title": "Not Found Error", "detail": "gone", "status": 404})
    connector.delete(ref)  # already gone: nothing left to do

    assert route.call_count == 2


def timeline(*tweets: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(tweets), "meta": {"result_count": len(tweets)}}


def test_a_time_out_after_sending_is_found_by_its_text(
    connector: XConnector, router: respx.MockRouter
) -> None:
    text = "Our new page: https://example.com/launch?utm=x & more <3"
    send = router.post(TWEETS).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(ConnectorError) as caught:
        connector.publish(part(text))
    assert caught.value.sent is True and send.call_count == 1

    # X stores it with the link on t.co and &, < escaped.
    lookup = router.get(f"{API}/2/users/{USER_ID}/tweets").respond(
        200,
        json=timeline(
            {"id": "1", "text": "Something else", "created_at": "2026-05-04T11:58:30.000Z"},
            {"id": TWEET_ID, "text": "Our new page: https://t.co/56a0vZUx7i &amp; more &lt;3"},
        ),
    )

    found = connector.find_published(part(text))

    assert found is not None and found.external_id == TWEET_ID
    params = lookup.calls.last.request.url.params
    assert params["start_time"] == "2026-05-04T11:57:00Z"  # due 2 minutes ago, less 1
    assert params["max_results"] == "100"
    assert send.call_count == 1


def test_a_reply_is_found_only_under_its_parent(
    connector: XConnector, router: respx.MockRouter
) -> None:
    other_parent = {"type": "replied_to", "id": "1"}
    right_parent = {"type": "replied_to", "id": PARENT.external_id}
    router.get(f"{API}/2/users/{USER_ID}/tweets").respond(
        200,
        json=timeline(
            {"id": "7", "text": "2/2", "referenced_tweets": [other_parent]},
            {"id": "8", "text": "2/2", "referenced_tweets": [right_parent]},
        ),
    )

    found = connector.find_published(part("2/2", reply_to=ReplyTarget(ROOT, PARENT)))

    assert found is not None and found.external_id == "8"


def test_a_post_with_a_photo_is_found_despite_the_media_link(
    connector: XConnector, router: respx.MockRouter, png: MediaFile
) -> None:
    router.get(f"{API}/2/users/{USER_ID}/tweets").respond(
        200,
        json=timeline(
            {
                "id": TWEET_ID,
                "text": "Look https://t.co/AAAA",
                "attachments": {"media_keys": ["3_1"]},
            }
        ),
    )

    assert connector.find_published(part("Look", media=(png,))) is not None


def test_nothing_found_means_not_published(connector: XConnector, router: respx.MockRouter) -> None:
    router.get(f"{API}/2/users/{USER_ID}/tweets").respond(200, json={"meta": {"result_count": 0}})

    assert connector.find_published(part()) is None
