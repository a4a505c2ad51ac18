"""Publishing on Bluesky, against recorded XRPC answers: what we send, field by field, and
what each answer of the PDS becomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from hubbub.networks.base import ConnectorError, PermanentError, RateLimited, TransientError
from hubbub.networks.bluesky import tid
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.bluesky.conftest import (
    DID,
    EXPIRES,
    HANDLE,
    ISSUED,
    PDS,
    access_jwt,
    session_output,
    xrpc_error,
)

NOW = ISSUED + timedelta(minutes=30)  # the access token has 90 minutes left
DUE = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
CREATE = f"{PDS}/xrpc/com.atproto.repo.createRecord"
GET_RECORD = f"{PDS}/xrpc/com.atproto.repo.getRecord"
DELETE = f"{PDS}/xrpc/com.atproto.repo.deleteRecord"
UPLOAD = f"{PDS}/xrpc/com.atproto.repo.uploadBlob"
RESOLVE = f"{PDS}/xrpc/com.atproto.identity.resolveHandle"
REFRESH = f"{PDS}/xrpc/com.atproto.server.refreshSession"
CID = "bafyreiakjysges5gqcg5yc2btbqyglrekv4ikboapvljxzv5pvm77zrnxi"
BOB = "did:plc:jagtwypr4rjp7h67n4ptjvxm"
BOB_POST = f"at://{BOB}/app.bsky.feed.post/3lbbbbbbbbbb2"
BOB_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
BLOB = {
    "$type": "blob",
    "ref": {"$link": "bafkreibabalobzn6cd366ukcsjycp4yymjymgfxcv6xczmlgpemzkz3cfa"},
    "mimeType": "image/png",
    "size": 1234,
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def created(rkey: str) -> dict[str, object]:
    """createRecord's answer, as @atproto/pds 0.5 sends it."""
    return {
        "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
        "cid": CID,
        "commit": {"cid": "bafyreiemsg7wqmyxxlk77s7twzyptfaj7j7p6sobrrsf5sefcrt4ayrdy4"},
        "validationStatus": "valid",
    }


def record_of(route: respx.Route) -> dict[str, object]:
    return dict(json.loads(route.calls.last.request.content)["record"])


def test_it_creates_the_post_with_facets_in_utf8_bytes(xrpc, channel):
    text = "Café ☕🇫🇷 déjà vu: https://example.com/a?b=1. #Hubbub @bob.example"
    key = "delivery-7:0"
    rkey = tid.for_part(key, DUE)
    create = xrpc.post(CREATE).respond(200, json=created(rkey))
    resolve = xrpc.get(RESOLVE).respond(200, json={"did": BOB})

    ref = BlueskyConnector(channel).publish(
        OutgoingPart(text=text, idempotency_key=key, language="fr", not_before=DUE)
    )

    sent = create.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {access_jwt()}"
    assert sent.headers["content-type"] == "application/json"
    body = json.loads(sent.content)
    assert (body["repo"], body["collection"], body["rkey"]) == (DID, "app.bsky.feed.post", rkey)
    assert body["record"] == {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-03-02T09:30:00.000Z",
        "langs": ["fr"],
        "facets": [
            {
                # "Café ☕🇫🇷 déjà vu: " is 19 characters and 29 bytes (é, à: 2; ☕: 3; flag: 8)
                "index": {"byteStart": 29, "byteEnd": 54},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a?b=1"}
                ],
            },
            {
                "index": {"byteStart": 56, "byteEnd": 63},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Hubbub"}],
            },
            {
                "index": {"byteStart": 64, "byteEnd": 76},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BOB}],
            },
        ],
    }
    assert dict(resolve.calls.last.request.url.params) == {"handle": "bob.example"}
    assert ref == PublishedRef(
        external_id=f"at://{DID}/app.bsky.feed.post/{rkey}",
        url=f"https://bsky.app/profile/{HANDLE}/post/{rkey}",
        data={"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": CID},
    )


def test_a_mention_of_nobody_stays_plain_text(xrpc, channel):
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))
    xrpc.get(RESOLVE).respond(400, json=xrpc_error("HandleNotFound", "Unable to resolve handle"))

    BlueskyConnector(channel).publish(
        OutgoingPart(text="Hi @nobody.example", idempotency_key="k", not_before=DUE)
    )

    assert "facets" not in record_of(create)


def test_a_reply_carries_its_root_and_parent(xrpc, channel):
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))
    root = PublishedRef(
        external_id=f"at://{DID}/app.bsky.feed.post/3mfzmaaaaaa22",
        data={"uri": f"at://{DID}/app.bsky.feed.post/3mfzmaaaaaa22", "cid": "bafyroot"},
    )
    parent = PublishedRef(
        external_id=f"at://{DID}/app.bsky.feed.post/3mfzmbbbbbb22",
        data={"uri": f"at://{DID}/app.bsky.feed.post/3mfzmbbbbbb22", "cid": "bafyparent"},
    )

    BlueskyConnector(channel).publish(
        OutgoingPart(text="2/2", idempotency_key="k:1", reply_to=ReplyTarget(root, parent))
    )

    assert record_of(create)["reply"] == {
        "root": {"uri": root.external_id, "cid": "bafyroot"},
        "parent": {"uri": parent.external_id, "cid": "bafyparent"},
    }


def test_a_reply_to_a_post_known_by_its_address_looks_up_its_cid(xrpc, channel):
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))
    lookup = xrpc.get(GET_RECORD).respond(
        200, json={"uri": BOB_POST, "cid": BOB_CID, "value": {"text": "Question?"}}
    )
    theirs = PublishedRef(external_id=BOB_POST)

    BlueskyConnector(channel).publish(
        OutgoingPart(text="Answer", idempotency_key="k", reply_to=ReplyTarget(theirs, theirs))
    )

    assert dict(lookup.calls.last.request.url.params) == {
        "repo": BOB,
        "collection": "app.bsky.feed.post",
        "rkey": "3lbbbbbbbbbb2",
    }
    ref = {"uri": BOB_POST, "cid": BOB_CID}
    assert record_of(create)["reply"] == {"root": ref, "parent": ref}


def test_images_are_uploaded_then_embedded_with_alt_text_and_aspect_ratio(
    xrpc, channel, tmp_path: Path
):
    wide, tall = tmp_path / "wide.png", tmp_path / "tall.jpg"
    Image.new("RGB", (300, 100)).save(wide)
    Image.new("RGB", (90, 160)).save(tall, format="JPEG")
    upload = xrpc.post(UPLOAD).respond(200, json={"blob": BLOB})
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))

    BlueskyConnector(channel).publish(
        OutgoingPart(
            text="Two pictures",
            idempotency_key="k",
            link="https://example.com/ignored-when-there-are-images",
            media=(
                MediaFile(wide, "image/png", wide.stat().st_size, alt_text="A wide banner"),
                MediaFile(tall, "image/jpeg", tall.stat().st_size),
            ),
        )
    )

    first, second = (call.request for call in upload.calls)
    assert first.headers["content-type"] == "image/png"
    assert first.content == wide.read_bytes()
    assert second.headers["content-type"] == "image/jpeg"
    assert second.content == tall.read_bytes()
    assert record_of(create)["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"alt": "A wide banner", "image": BLOB, "aspectRatio": {"width": 300, "height": 100}},
            {"alt": "", "image": BLOB, "aspectRatio": {"width": 90, "height": 160}},
        ],
    }


def test_a_link_becomes_a_card_without_fetching_the_page(xrpc, channel):
    # The router refuses any call it does not know: fetching the page would fail the test.
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))

    BlueskyConnector(channel).publish(
        OutgoingPart(text="Read this", idempotency_key="k", link="https://example.com/blog/post/")
    )

    assert record_of(create)["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://example.com/blog/post/",
            "title": "example.com/blog/post",
            "description": "",
        },
    }
    assert len(xrpc.calls) == 1


def test_the_record_key_is_a_valid_tid_from_the_due_time_and_the_key():
    rkey = tid.for_part("delivery-7:0", DUE)

    assert rkey == tid.for_part("delivery-7:0", DUE)  # the same on every retry
    assert tid.is_valid(rkey)
    assert len(rkey) == 13 and rkey[0] in "234567abcdefghij"
    assert DUE <= tid.timestamp_of(rkey) < DUE + timedelta(seconds=1)
    assert tid.for_part("delivery-7:1", DUE) != rkey
    assert tid.for_part("delivery-8:0", DUE) != rkey


def test_tids_sort_like_their_times():
    early = tid.for_part("z", DUE)
    late = tid.for_part("a", DUE + timedelta(seconds=1))
    assert early < late


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the frozen clock
@given(
    st.text(min_size=1, max_size=40),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
)
def test_every_derived_record_key_is_a_valid_tid(key: str, due: datetime) -> None:
    rkey = tid.for_part(key, due)
    assert tid.is_valid(rkey)
    assert tid.encode(tid.decode(rkey)) == rkey


def test_a_create_under_a_key_already_taken_returns_the_post_already_there(xrpc, channel):
    """A retry after a lost answer: the reference PDS answers 500 (checked in tests/peers)."""
    rkey = tid.for_part("k", DUE)
    uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
    xrpc.post(CREATE).respond(500, json=xrpc_error("InternalServerError", "Internal Server Error"))
    lookup = xrpc.get(GET_RECORD).respond(200, json={"uri": uri, "cid": CID, "value": {}})

    ref = BlueskyConnector(channel).publish(
        OutgoingPart(text="Once", idempotency_key="k", not_before=DUE)
    )

    assert ref.external_id == uri and ref.data == {"uri": uri, "cid": CID}
    assert dict(lookup.calls.last.request.url.params) == {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
    }


def test_a_server_error_with_no_post_behind_it_is_transient(xrpc, channel):
    xrpc.post(CREATE).respond(502, json=xrpc_error("UpstreamFailure", "Upstream Failure"))
    xrpc.get(GET_RECORD).respond(400, json=xrpc_error("RecordNotFound", "Could not locate record"))

    with pytest.raises(TransientError) as caught:
        BlueskyConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.permanent is False and caught.value.status == 502
    assert caught.value.network_message == "Upstream Failure"


def test_a_text_too_long_is_refused_with_the_pds_words(xrpc, channel):
    said = (
        "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 400) "
        "at $.record.text"
    )
    xrpc.post(CREATE).respond(400, json=xrpc_error("InvalidRequest", said))

    with pytest.raises(PermanentError) as caught:
        BlueskyConnector(channel).publish(OutgoingPart(text="x" * 400, idempotency_key="k"))

    assert caught.value.permanent is True and caught.value.needs_reconnect is False
    assert caught.value.network_message == said
    assert said in str(caught.value)


def test_an_expired_token_is_refreshed_once_and_the_same_call_repeated(xrpc, channel):
    fresh = access_jwt(issued=NOW, expires=NOW + timedelta(hours=2))
    create = xrpc.post(CREATE)
    create.side_effect = [
        httpx.Response(401, json=xrpc_error("ExpiredToken", "Token has expired")),
        httpx.Response(200, json=created("3mfzmxfpzaa22")),
    ]
    refresh = xrpc.post(REFRESH).respond(200, json=session_output(access=fresh))

    BlueskyConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert refresh.call_count == 1
    first, second = (call.request for call in create.calls)
    assert first.headers["authorization"] == f"Bearer {access_jwt()}"
    assert second.headers["authorization"] == f"Bearer {fresh}"
    assert json.loads(first.content) == json.loads(second.content)
    channel.refresh_from_db()
    assert channel.credentials["accessJwt"] == fresh


def test_a_rate_limit_says_when_to_come_back(xrpc, channel):
    reset = NOW + timedelta(minutes=7)
    xrpc.post(CREATE).respond(
        429,
        headers={"ratelimit-reset": str(int(reset.timestamp()))},
        json=xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"),
    )

    with pytest.raises(RateLimited) as caught:
        BlueskyConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.retry_at == reset
    assert caught.value.permanent is False


def test_a_time_out_after_sending_says_the_outcome_is_unknown(xrpc, channel):
    xrpc.post(CREATE).mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(ConnectorError) as caught:
        BlueskyConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.sent is True and caught.value.permanent is False
    assert len(xrpc.calls) == 1  # nothing else was tried: find_published reconciles later


def test_find_published_reads_the_record_under_the_parts_key(xrpc, channel):
    rkey = tid.for_part("k", DUE)
    uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
    xrpc.get(GET_RECORD, params={"rkey": rkey}).respond(
        200, json={"uri": uri, "cid": CID, "value": {"text": "x"}}
    )
    part = OutgoingPart(text="x", idempotency_key="k", not_before=DUE)

    assert BlueskyConnector(channel).find_published(part) == PublishedRef(
        external_id=uri,
        url=f"https://bsky.app/profile/{HANDLE}/post/{rkey}",
        data={"uri": uri, "cid": CID},
    )


def test_find_published_answers_none_for_a_part_never_published(xrpc, channel):
    xrpc.get(GET_RECORD).respond(400, json=xrpc_error("RecordNotFound", "Could not locate record"))

    part = OutgoingPart(text="x", idempotency_key="k", not_before=DUE)
    assert BlueskyConnector(channel).find_published(part) is None


def test_delete_removes_the_record(xrpc, channel):
    delete = xrpc.post(DELETE).respond(200, json={"commit": {"cid": CID, "rev": "3n2u"}})
    uri = f"at://{DID}/app.bsky.feed.post/3mfzmxfpzaa22"

    BlueskyConnector(channel).delete(PublishedRef(external_id=uri, data={"uri": uri, "cid": CID}))

    assert json.loads(delete.calls.last.request.content) == {
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "rkey": "3mfzmxfpzaa22",
    }


def test_it_will_not_delete_another_accounts_post(xrpc, channel):
    with pytest.raises(PermanentError):
        BlueskyConnector(channel).delete(PublishedRef(external_id=BOB_POST))
    assert not xrpc.calls


def test_a_token_that_expires_soon_is_refreshed_before_posting(xrpc, channel):
    fresh = access_jwt(issued=EXPIRES, expires=EXPIRES + timedelta(hours=2))
    xrpc.post(REFRESH).respond(200, json=session_output(access=fresh))
    create = xrpc.post(CREATE).respond(200, json=created("3mfzmxfpzaa22"))

    with time_machine.travel(EXPIRES - timedelta(minutes=5), tick=False):
        BlueskyConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert create.calls.last.request.headers["authorization"] == f"Bearer {fresh}"
