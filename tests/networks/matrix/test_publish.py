"""Publishing in a Matrix room: threads, images, the exactly-once lookup and redaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import time_machine
from PIL import Image

from hubbub.networks.base import ConnectorError, PermanentError
from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.matrix.limits import MAX_BODY_BYTES
from hubbub.networks.matrix.posting import txn_id
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.matrix import sim
from tests.networks.matrix.conftest import (
    EVENT_ID,
    HOMESERVER,
    IMAGE_EVENT_ID,
    ROOM_ID,
    TOKEN,
    error,
    room_url,
    sent_json,
)

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
UPLOAD = f"{HOMESERVER}/_matrix/media/v3/upload"


def send_url(key: str, what: str = "text") -> str:
    return room_url(f"/send/m.room.message/{txn_id(key, what)}")


@pytest.fixture
def conn(channel) -> MatrixConnector:
    return MatrixConnector(channel)


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="")


def test_transaction_ids_are_stable_opaque_and_distinct():
    assert txn_id("delivery-7:0", "text") == txn_id("delivery-7:0", "text")
    assert txn_id("delivery-7:0", "text") != txn_id("delivery-7:0", "image")
    assert txn_id("delivery-7:0", "text") != txn_id("delivery-7:1", "text")
    assert "delivery" not in txn_id("delivery-7:0", "text")


def test_a_thread_part_relates_to_the_root_and_falls_back_to_the_previous_part(
    homeserver: respx.MockRouter, conn
):
    route = homeserver.put(send_url("d:2")).respond(200, json={"event_id": "$third:example.com"})
    root = PublishedRef(EVENT_ID)
    parent = PublishedRef("$second:example.com")

    ref = conn.publish(
        OutgoingPart("Part 3", "d:2", reply_to=ReplyTarget(root=root, parent=parent))
    )

    assert sent_json(route.calls.last.request) == {
        "msgtype": "m.text",
        "body": "Part 3",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": EVENT_ID,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": "$second:example.com"},
        },
    }
    assert ref.external_id == "$third:example.com"


def test_an_image_alone_is_one_event_named_after_its_file(homeserver: respx.MockRouter, conn, png):
    upload = homeserver.post(UPLOAD).respond(200, json={"content_uri": "mxc://example.com/abc"})
    image = homeserver.put(send_url("d:0", "image")).respond(200, json={"event_id": IMAGE_EVENT_ID})

    ref = conn.publish(OutgoingPart("", "d:0", media=(png,)))

    assert upload.call_count == 1 and len(homeserver.calls) == 2  # no empty text event
    assert sent_json(image.calls.last.request)["body"] == "square.png"  # no alt text given
    assert ref.external_id == IMAGE_EVENT_ID and ref.data["event_ids"] == [IMAGE_EVENT_ID]


def test_a_text_over_the_event_size_is_refused_before_any_request(homeserver, conn):
    with pytest.raises(PermanentError) as caught:
        conn.publish(OutgoingPart("€" * (MAX_BODY_BYTES // 3 + 1), "d:0"))

    assert "bytes" in caught.value.message
    assert not homeserver.calls


def test_an_image_over_the_homeservers_limit_is_refused_before_any_request(homeserver, acme, png):
    from tests.networks.matrix.conftest import make_channel

    small = MatrixConnector(make_channel(acme, max_upload_bytes=100))

    with pytest.raises(PermanentError) as caught:
        small.publish(OutgoingPart("Look", "d:0", media=(png,)))

    assert "takes files up to" in caught.value.message
    assert not homeserver.calls


def test_a_refused_send_keeps_the_servers_words(homeserver, conn):
    homeserver.put(send_url("d:0")).respond(
        403, json=error("M_FORBIDDEN", "You don't have permission to post that to the room.")
    )

    with pytest.raises(PermanentError) as caught:
        conn.publish(OutgoingPart("Hello", "d:0"))

    assert caught.value.needs_reconnect is False
    assert "You don't have permission to post that to the room." in str(caught.value)


def _messages(homeserver: respx.MockRouter, *chunk: dict[str, Any]) -> respx.Route:
    return homeserver.get(room_url("/messages")).respond(
        200, json={"chunk": list(chunk), "start": "t2", "end": "t1"}
    )


@time_machine.travel(NOW, tick=False)
def test_find_published_reads_our_latest_messages_for_the_transaction_id(homeserver, conn):
    mine = sim.our(1, "Hello", NOW)
    mine["unsigned"]["transaction_id"] = txn_id("d:0", "text")
    route = _messages(homeserver, sim.our(2, "Hello", NOW - timedelta(days=2)), mine)

    ref = conn.find_published(OutgoingPart("Hello", "d:0", not_before=NOW))

    assert ref is not None and ref.external_id == sim.event_id(1)
    params = route.calls.last.request.url.params
    assert params["dir"] == "b" and params["limit"] == "100"
    assert json.loads(params["filter"]) == {
        "types": ["m.room.message"],
        "senders": ["@hubbub:example.com"],
    }
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


@time_machine.travel(NOW, tick=False)
def test_find_published_recognises_the_text_sent_from_another_device(homeserver, conn):
    # No transaction_id: the server shows it only to the device that sent the event.
    _messages(homeserver, sim.our(1, "Hello", NOW + timedelta(seconds=3)))

    ref = conn.find_published(OutgoingPart("Hello", "d:0", not_before=NOW))

    assert ref is not None and ref.external_id == sim.event_id(1)


@time_machine.travel(NOW, tick=False)
def test_find_published_ignores_the_same_text_posted_long_before(homeserver, conn):
    _messages(homeserver, sim.our(1, "Hello", NOW - timedelta(days=1)))

    assert conn.find_published(OutgoingPart("Hello", "d:0", not_before=NOW)) is None


@time_machine.travel(NOW, tick=False)
def test_a_text_found_without_its_image_is_sent_again(homeserver, conn, png):
    # Sending again completes the part: the text's txnId answers with the same event.
    mine = sim.our(1, "Look", NOW)
    mine["unsigned"]["transaction_id"] = txn_id("d:0", "text")
    _messages(homeserver, mine)

    assert conn.find_published(OutgoingPart("Look", "d:0", media=(png,), not_before=NOW)) is None


def test_a_time_out_after_sending_is_unknown_not_failed(homeserver, conn):
    homeserver.put(send_url("d:0")).mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(ConnectorError) as caught:
        conn.publish(OutgoingPart("Hello", "d:0"))

    assert caught.value.sent is True and caught.value.permanent is False


def test_delete_redacts_every_event_of_the_part(homeserver, conn):
    text = homeserver.put(url__startswith=room_url("/redact/%24YUwRidLecu%3Aexample.com/")).respond(
        200, json={"event_id": "$redaction1:example.com"}
    )
    image = homeserver.put(
        url__startswith=room_url("/redact/%24uPKovNVxHCY%3Aexample.com/")
    ).respond(404, json=error("M_NOT_FOUND", "Event not found"))  # already gone: fine

    conn.delete(
        PublishedRef(EVENT_ID, data={"room_id": ROOM_ID, "event_ids": [EVENT_ID, IMAGE_EVENT_ID]})
    )

    assert text.call_count == 1 and image.call_count == 1
    assert sent_json(text.calls.last.request) == {}


def test_a_refused_redaction_is_permanent(homeserver, conn):
    homeserver.put(url__startswith=room_url("/redact/")).respond(
        403, json=error("M_FORBIDDEN", "You don't have permission to redact events")
    )

    with pytest.raises(PermanentError) as caught:
        conn.delete(PublishedRef(EVENT_ID))

    assert "permission to redact" in str(caught.value)
