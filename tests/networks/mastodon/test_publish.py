"""Publishing on Mastodon through its documented API (docs.joinmastodon.org, methods/statuses
and methods/media): what we send, field by field, and what each answer becomes. Bodies are
shaped like the documentation's examples, renamed to our test server."""

from __future__ import annotations

import copy
import email.parser
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
import time_machine
from PIL import Image

from hubbub.networks.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from hubbub.networks.mastodon import media
from hubbub.networks.mastodon.connector import MastodonConfig, MastodonConnector
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef, ReplyTarget
from tests.networks.mastodon import bodies
from tests.networks.mastodon.conftest import query

NOW = datetime(2026, 10, 14, 19, 4, 20, tzinfo=UTC)
ACCOUNT_ID = bodies.ACCOUNT["id"]

STATUS: dict[str, Any] = {
    "id": "103704874086360371",
    "created_at": "2026-10-14T19:04:20.522Z",
    "in_reply_to_id": None,
    "in_reply_to_account_id": None,
    "sensitive": False,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "uri": "https://social.example/users/brand/statuses/103704874086360371",
    "url": "https://social.example/@brand/103704874086360371",
    "replies_count": 0,
    "reblogs_count": 0,
    "favourites_count": 0,
    "favourited": False,
    "reblogged": False,
    "muted": False,
    "bookmarked": False,
    "pinned": False,
    "content": "<p>Hello from Hubbub</p>",
    "reblog": None,
    "application": {"name": "Hubbub", "website": "https://github.com/hubbub-social/hubbub"},
    "account": bodies.ACCOUNT,
    "media_attachments": [],
    "mentions": [],
    "tags": [],
    "emojis": [],
    "card": None,
    "poll": None,
}

ATTACHMENT: dict[str, Any] = {
    "id": "22348641",
    "type": "image",
    "url": "https://social.example/system/media_attachments/files/022/348/641/original/e9.png",
    "preview_url": "https://social.example/system/media_attachments/files/022/348/641/small/e9.png",
    "remote_url": None,
    "text_url": None,
    "meta": {
        "original": {"width": 120, "height": 80, "size": "120x80", "aspect": 1.5},
        "small": {"width": 120, "height": 80, "size": "120x80", "aspect": 1.5},
    },
    "description": "A red square",
    "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
}

# A link, a hashtag, a mention of another server's account and an entity, as Mastodon 4
# renders them (app/lib/text_formatter.rb).
RENDERED = (
    '<p>Tips &amp; tricks: <a href="https://www.example.com/a/rather/long/path" '
    'target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">'
    'https://www.</span><span class="ellipsis">example.com/a/rather/lon</span>'
    '<span class="invisible">g/path</span></a> <a href="https://social.example/tags/hubbub" '
    'class="mention hashtag" rel="tag">#<span>hubbub</span></a></p><p>Thanks '
    '<span class="h-card" translate="no"><a href="https://other.example/@bob" '
    'class="u-url mention">@<span>bob</span></a></span><br />See you</p>'
)
TYPED = (
    "Tips & tricks: https://www.example.com/a/rather/long/path #hubbub\n\n"
    "Thanks @bob@other.example\nSee you"
)


def status(**fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(STATUS)
    body.update(fields)
    return body


@pytest.fixture
def channel(acme) -> Channel:
    config = MastodonConfig(server=bodies.SERVER, domain=bodies.HOST, account_id=ACCOUNT_ID)
    c = Channel(
        workspace=acme,
        network="mastodon",
        external_id=f"{ACCOUNT_ID}@social.example",
        handle="@brand@social.example",
        name="Brand",
        config=config.model_dump(),
    )
    c.credentials = {"access_token": bodies.ACCESS_TOKEN, "scope": bodies.TOKEN["scope"]}
    c.save()
    return c


@pytest.fixture
def server() -> Iterator[respx.MockRouter]:
    with (
        respx.mock(base_url=bodies.SERVER, assert_all_called=False) as mock,
        time_machine.travel(NOW, tick=False),
    ):
        yield mock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """media.py's waits, without waiting: each sleep moves a fake monotonic clock."""
    slept: list[float] = []
    now = [1000.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(media, "sleep", sleep)
    monkeypatch.setattr(media, "monotonic", lambda: now[0])
    return slept


@pytest.fixture
def png(tmp_path: Path) -> MediaFile:
    path = tmp_path / "square.png"
    Image.new("RGB", (120, 80), (200, 40, 40)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text="A red square")


def fields(request: httpx.Request) -> dict[str, list[str]]:
    """A form-encoded body; every field as the list of its values (media_ids[] repeats)."""
    return parse_qs(request.content.decode(), keep_blank_values=True, strict_parsing=True)


def multipart(request: httpx.Request) -> dict[str, tuple[str | None, str, bytes]]:
    """A multipart body: name → (filename, content type, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    out = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(name)] = (part.get_filename(), part.get_content_type(), payload)
    return out


def test_it_posts_a_public_status_with_the_idempotency_key(server, channel):
    post = server.post("/api/v1/statuses").respond(200, json=STATUS)

    ref = MastodonConnector(channel).publish(
        OutgoingPart(text="Hello from Hubbub", idempotency_key="delivery-7:0", language="en")
    )

    sent = post.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert sent.headers["idempotency-key"] == "delivery-7:0"
    assert fields(sent) == {
        "status": ["Hello from Hubbub"],
        "visibility": ["public"],
        "language": ["en"],
    }
    assert ref == PublishedRef(
        external_id="103704874086360371",
        url="https://social.example/@brand/103704874086360371",
        data={"id": "103704874086360371"},
    )


def test_an_image_is_uploaded_with_its_alt_text_then_attached(server, channel, png, clock):
    upload = server.post("/api/v2/media").respond(200, json=ATTACHMENT)
    post = server.post("/api/v1/statuses").respond(200, json=status(media_attachments=[ATTACHMENT]))

    MastodonConnector(channel).publish(
        OutgoingPart(text="Our chart", idempotency_key="k", media=(png, png))
    )

    sent = upload.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert multipart(sent) == {
        "description": (None, "text/plain", b"A red square"),
        "file": ("square.png", "image/png", png.path.read_bytes()),
    }
    assert upload.call_count == 2
    assert fields(post.calls.last.request)["media_ids[]"] == ["22348641", "22348641"]
    assert clock == []  # ready at once: no waiting


def test_media_still_processing_is_polled_until_ready(server, channel, png, clock):
    pending = {**ATTACHMENT, "url": None}
    server.post("/api/v2/media").respond(202, json=pending)
    poll = server.get("/api/v1/media/22348641")
    poll.side_effect = [
        httpx.Response(206, json=pending),
        httpx.Response(200, json=ATTACHMENT),
    ]
    post = server.post("/api/v1/statuses").respond(200, json=STATUS)

    MastodonConnector(channel).publish(
        OutgoingPart(text="A video", idempotency_key="k", media=(png,))
    )

    assert poll.call_count == 2
    assert poll.calls.last.request.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"
    assert clock == [1.0, 2.0]
    assert fields(post.calls.last.request)["media_ids[]"] == ["22348641"]


def test_media_that_does_not_finish_processing_in_time_is_transient(server, channel, png, clock):
    pending = {**ATTACHMENT, "url": None}
    server.post("/api/v2/media").respond(202, json=pending)
    server.get("/api/v1/media/22348641").respond(206, json=pending)
    post = server.post("/api/v1/statuses")

    with pytest.raises(TransientError) as caught:
        MastodonConnector(channel).publish(
            OutgoingPart(text="A video", idempotency_key="k", media=(png,))
        )

    assert "still processing" in str(caught.value)
    assert sum(clock) <= media.PROCESSING_WAIT
    assert not post.called


def test_a_thread_is_a_chain_of_replies(server, channel):
    post = server.post("/api/v1/statuses")
    post.side_effect = [
        httpx.Response(200, json=status(id="1001")),
        httpx.Response(200, json=status(id="1002", in_reply_to_id="1001")),
        httpx.Response(200, json=status(id="1003", in_reply_to_id="1002")),
    ]
    connector = MastodonConnector(channel)

    first = connector.publish(OutgoingPart(text="1/3", idempotency_key="t:0"))
    second = connector.publish(
        OutgoingPart(text="2/3", idempotency_key="t:1", reply_to=ReplyTarget(first, first))
    )
    connector.publish(
        OutgoingPart(text="3/3", idempotency_key="t:2", reply_to=ReplyTarget(first, second))
    )

    sent = [fields(call.request) for call in post.calls]
    assert "in_reply_to_id" not in sent[0]
    assert sent[1]["in_reply_to_id"] == ["1001"]
    assert sent[2]["in_reply_to_id"] == ["1002"]
    assert [call.request.headers["idempotency-key"] for call in post.calls] == [
        "t:0",
        "t:1",
        "t:2",
    ]


def test_a_retry_sends_the_same_idempotency_key(server, channel):
    post = server.post("/api/v1/statuses")
    post.side_effect = [httpx.ReadTimeout("timed out"), httpx.Response(200, json=STATUS)]
    connector = MastodonConnector(channel)
    part = OutgoingPart(text="Hello from Hubbub", idempotency_key="delivery-9:0")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(part)
    assert caught.value.sent is True and caught.value.permanent is False
    connector.publish(part)

    first, second = (call.request for call in post.calls)
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"] == "delivery-9:0"
    assert first.content == second.content


def test_a_rejected_status_keeps_mastodons_words(server, channel):
    said = "Validation failed: Text character limit of 500 exceeded"
    server.post("/api/v1/statuses").respond(422, json={"error": said})

    with pytest.raises(PermanentError) as caught:
        MastodonConnector(channel).publish(OutgoingPart(text="x" * 501, idempotency_key="k"))

    assert caught.value.status == 422 and caught.value.needs_reconnect is False
    assert caught.value.network_message == said
    assert said in str(caught.value)


def test_a_rate_limit_says_when_it_resets(server, channel):
    server.post("/api/v1/statuses").respond(
        429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-10-14T19:30:00.000Z",
        },
        json={"error": "Too many requests"},
    )

    with pytest.raises(RateLimited) as caught:
        MastodonConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.retry_at == datetime(2026, 10, 14, 19, 30, tzinfo=UTC)
    assert caught.value.network_message == "Too many requests"


def test_a_revoked_token_asks_for_a_reconnect(server, channel):
    server.post("/api/v1/statuses").respond(401, json=bodies.INVALID_TOKEN)

    with pytest.raises(AuthError) as caught:
        MastodonConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.needs_reconnect is True


def test_an_unavailable_server_is_transient(server, channel):
    server.post("/api/v1/statuses").respond(503, text="<html>Service Unavailable</html>")

    with pytest.raises(TransientError) as caught:
        MastodonConnector(channel).publish(OutgoingPart(text="x", idempotency_key="k"))

    assert caught.value.status == 503 and caught.value.permanent is False


def test_find_published_matches_the_text_under_mastodons_html(server, channel):
    due = NOW - timedelta(minutes=2)
    timeline = server.get(f"/api/v1/accounts/{ACCOUNT_ID}/statuses").respond(
        200,
        json=[
            status(id="3", content="<p>Something else</p>"),
            status(id="2", content=RENDERED, created_at="2026-10-14T19:02:21.000Z"),
            status(id="1", content=RENDERED, created_at="2026-10-13T08:00:00.000Z"),
        ],
    )

    found = MastodonConnector(channel).find_published(
        OutgoingPart(text=TYPED, idempotency_key="k", not_before=due)
    )

    assert found is not None and found.external_id == "2"
    sent = timeline.calls.last.request
    assert query(sent.url) == {"limit": "40"}
    assert sent.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"


def test_find_published_ignores_an_older_post_with_the_same_text(server, channel):
    server.get(f"/api/v1/accounts/{ACCOUNT_ID}/statuses").respond(
        200, json=[status(id="1", content=RENDERED, created_at="2026-10-13T08:00:00.000Z")]
    )

    part = OutgoingPart(text=TYPED, idempotency_key="k", not_before=NOW - timedelta(minutes=2))
    assert MastodonConnector(channel).find_published(part) is None


def test_find_published_checks_which_post_a_reply_answers(server, channel):
    server.get(f"/api/v1/accounts/{ACCOUNT_ID}/statuses").respond(
        200,
        json=[
            status(id="5", content="<p>2/2</p>", in_reply_to_id="999"),
            status(id="4", content="<p>2/2</p>", in_reply_to_id="1001"),
        ],
    )
    first = PublishedRef(external_id="1001")

    found = MastodonConnector(channel).find_published(
        OutgoingPart(text="2/2", idempotency_key="k", reply_to=ReplyTarget(first, first))
    )

    assert found is not None and found.external_id == "4"


def test_find_published_skips_boosts(server, channel):
    boosted = status(id="7", content="<p>Hello from Hubbub</p>")
    server.get(f"/api/v1/accounts/{ACCOUNT_ID}/statuses").respond(
        200, json=[status(id="8", content="", reblog=boosted)]
    )

    part = OutgoingPart(text="Hello from Hubbub", idempotency_key="k")
    assert MastodonConnector(channel).find_published(part) is None


def test_delete_removes_the_status(server, channel):
    delete = server.delete("/api/v1/statuses/103704874086360371").respond(200, json=STATUS)

    MastodonConnector(channel).delete(PublishedRef(external_id="103704874086360371"))

    assert delete.calls.last.request.headers["authorization"] == f"Bearer {bodies.ACCESS_TOKEN}"


def test_deleting_a_status_already_gone_succeeds(server, channel):
    server.delete("/api/v1/statuses/1").respond(404, json={"error": "Record not found"})

    MastodonConnector(channel).delete(PublishedRef(external_id="1"))
