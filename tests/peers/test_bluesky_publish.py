"""Publishing on a real Bluesky network (Bluesky's reference PDS and AppView on loopback):
posts, images, threads and replies made by the connector, read back from the network."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hubbub.core.access import access_workspace
from hubbub.networks.bluesky.connect import connect_bluesky
from hubbub.networks.bluesky.connector import BlueskyConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.peers.bluesky_net import BlueskyNet

pytestmark = [pytest.mark.peers, pytest.mark.usefixtures("private_networks_allowed")]

DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def channel(bluesky_net: BlueskyNet, alice: Any, acme: Any) -> Channel:
    handle, password, _did = bluesky_net.create_account("publish")
    owner = access_workspace(alice, "acme")
    app_password = bluesky_net.create_app_password(handle, password)
    return connect_bluesky(owner, handle, app_password, bluesky_net.pds_url)


def token(channel: Channel) -> str:
    return str(channel.credentials["accessJwt"])


def get_record(net: BlueskyNet, channel: Channel, ref: PublishedRef) -> Any:
    repo, collection, rkey = ref.external_id.removeprefix("at://").split("/")
    return net.get(
        "com.atproto.repo.getRecord", token(channel), repo=repo, collection=collection, rkey=rkey
    )


def eventually(read: Callable[[], Any], ready: Callable[[Any], bool]) -> Any:
    """The AppView indexes new records a moment after the PDS stores them."""
    last = None
    for _ in range(80):
        last = read()
        if ready(last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"the AppView never showed it: {last}")


def test_a_post_with_a_link_and_a_hashtag_is_published_with_its_facets(
    bluesky_net: BlueskyNet, channel: Channel
) -> None:
    text = "Déjà vu 🎉 our launch: https://example.com/launch?x=1 #Hubbub"
    part = OutgoingPart(text=text, idempotency_key="peer-link-1", language="fr", not_before=DUE)

    ref = BlueskyConnector(channel).publish(part)

    assert ref.external_id.startswith(f"at://{channel.external_id}/app.bsky.feed.post/")
    assert ref.url == f"https://bsky.app/profile/{channel.handle}/post/{ref.external_id[-13:]}"
    posts = eventually(
        lambda: bluesky_net.get("app.bsky.feed.getPosts", token(channel), uris=ref.external_id),
        lambda r: r.status_code == 200 and r.json()["posts"],
    ).json()["posts"]
    record = posts[0]["record"]
    assert posts[0]["cid"] == ref.data["cid"]
    assert record["text"] == text
    assert record["langs"] == ["fr"]
    raw = text.encode()
    link, tag = record["facets"]
    assert link["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/launch?x=1"}
    ]
    assert raw[link["index"]["byteStart"] : link["index"]["byteEnd"]] == (
        b"https://example.com/launch?x=1"
    )
    assert tag["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "Hubbub"}]
    assert raw[tag["index"]["byteStart"] : tag["index"]["byteEnd"]] == b"#Hubbub"


def test_an_image_is_published_with_its_alt_text(
    bluesky_net: BlueskyNet, channel: Channel, tmp_path: Path
) -> None:
    path = tmp_path / "chart.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    image = MediaFile(
        path=path, mime_type="image/png", size=path.stat().st_size, alt_text="A red square"
    )
    part = OutgoingPart(text="Our chart", idempotency_key="peer-img-1", media=(image,))

    ref = BlueskyConnector(channel).publish(part)

    record = get_record(bluesky_net, channel, ref).json()["value"]
    embedded = record["embed"]["images"][0]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert embedded["alt"] == "A red square"
    assert embedded["aspectRatio"] == {"width": 120, "height": 80}
    assert embedded["image"]["mimeType"] == "image/png"
    view = eventually(
        lambda: bluesky_net.get("app.bsky.feed.getPosts", token(channel), uris=ref.external_id),
        lambda r: r.status_code == 200 and r.json()["posts"],
    ).json()["posts"][0]
    assert view["embed"]["images"][0]["alt"] == "A red square"


def test_a_thread_of_three_parts_is_chained(bluesky_net: BlueskyNet, channel: Channel) -> None:
    connector = BlueskyConnector(channel)
    first = connector.publish(OutgoingPart(text="1/3 A thread", idempotency_key="thread-1"))
    second = connector.publish(
        OutgoingPart(
            text="2/3 goes on",
            idempotency_key="thread-2",
            reply_to=ReplyTarget(root=first, parent=first),
        )
    )
    third = connector.publish(
        OutgoingPart(
            text="3/3 and ends",
            idempotency_key="thread-3",
            reply_to=ReplyTarget(root=first, parent=second),
        )
    )

    thread = eventually(
        lambda: bluesky_net.get(
            "app.bsky.feed.getPostThread", token(channel), uri=first.external_id
        ),
        lambda r: (
            r.status_code == 200
            and r.json()["thread"].get("replies")
            and r.json()["thread"]["replies"][0].get("replies")
        ),
    ).json()["thread"]
    assert thread["post"]["uri"] == first.external_id
    [reply] = thread["replies"]
    assert reply["post"]["uri"] == second.external_id
    [last] = reply["replies"]
    assert last["post"]["uri"] == third.external_id
    assert last["post"]["record"]["reply"] == {
        "root": {"uri": first.external_id, "cid": first.data["cid"]},
        "parent": {"uri": second.external_id, "cid": second.data["cid"]},
    }


def test_it_replies_to_another_accounts_post(bluesky_net: BlueskyNet, channel: Channel) -> None:
    handle, password, did = bluesky_net.create_account("other")
    session = bluesky_net.login(handle, password)
    made = bluesky_net.post(
        "com.atproto.repo.createRecord",
        {
            "repo": did,
            "collection": "app.bsky.feed.post",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "What do you think, @" + channel.handle + "?",
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            },
        },
        token=session["accessJwt"],
    ).json()
    # Known by its address only, as a post found in the inbox would be: the cid is looked up.
    theirs = PublishedRef(external_id=made["uri"])

    ref = BlueskyConnector(channel).publish(
        OutgoingPart(
            text=f"Thanks @{handle}!",
            idempotency_key="reply-1",
            reply_to=ReplyTarget(root=theirs, parent=theirs),
        )
    )

    record = get_record(bluesky_net, channel, ref).json()["value"]
    assert record["reply"]["parent"] == {"uri": made["uri"], "cid": made["cid"]}
    assert record["reply"]["root"] == {"uri": made["uri"], "cid": made["cid"]}
    [mention] = record["facets"]
    assert mention["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": did}]
    thread = eventually(
        lambda: bluesky_net.get("app.bsky.feed.getPostThread", token(channel), uri=made["uri"]),
        lambda r: r.status_code == 200 and r.json()["thread"].get("replies"),
    ).json()["thread"]
    assert [r["post"]["uri"] for r in thread["replies"]] == [ref.external_id]


def test_the_same_part_twice_makes_one_post_that_can_be_found_and_deleted(
    bluesky_net: BlueskyNet, channel: Channel
) -> None:
    connector = BlueskyConnector(channel)
    part = OutgoingPart(text="Only once", idempotency_key="delivery-42:0", not_before=DUE)
    assert connector.find_published(part) is None

    first = connector.publish(part)
    again = connector.publish(part)  # a retry after an answer that never arrived

    assert again == first
    listed = bluesky_net.get(
        "com.atproto.repo.listRecords",
        token(channel),
        repo=channel.external_id,
        collection="app.bsky.feed.post",
    ).json()["records"]
    assert [r["uri"] for r in listed] == [first.external_id]
    assert connector.find_published(part) == first

    connector.delete(first)

    answer = get_record(bluesky_net, channel, first)
    assert answer.status_code == 400 and answer.json()["error"] == "RecordNotFound"
    assert connector.find_published(part) is None
    connector.delete(first)  # deleting again is harmless


def test_a_mention_of_an_unknown_handle_stays_plain_text(
    bluesky_net: BlueskyNet, channel: Channel
) -> None:
    ref = BlueskyConnector(channel).publish(
        OutgoingPart(text="Hello @nobody-here.test", idempotency_key="mention-1")
    )

    record = get_record(bluesky_net, channel, ref).json()["value"]
    assert record["text"] == "Hello @nobody-here.test"
    assert "facets" not in record


def test_the_pds_answers_a_create_under_a_taken_key_with_a_server_error(
    bluesky_net: BlueskyNet, channel: Channel
) -> None:
    """What posting.py relies on: the reference PDS refuses a second create under the same
    record key with HTTP 500 (not a duplicate, not an overwrite)."""
    body = {
        "repo": channel.external_id,
        "collection": "app.bsky.feed.post",
        "rkey": "3lbbbbbbbbbb2",
        "record": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-03-02T09:00:00Z"},
    }
    assert bluesky_net.post("com.atproto.repo.createRecord", body, token(channel)).is_success

    again = bluesky_net.post("com.atproto.repo.createRecord", body, token(channel))

    assert again.status_code == 500
    assert again.json()["error"] == "InternalServerError"
