"""Publishing on a LinkedIn page: the commentary escaped in LinkedIn's little text format,
images uploaded through the Images API (one: content.media; several: content.multiImage),
delete, the lookup after a time-out, and LinkedIn's errors in the connector vocabulary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from PIL import Image

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.linkedin.connector import LinkedInConnector
from hubbub.networks.linkedin.posting import escape_little
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.publishing.validation import check_variant
from tests.networks.linkedin.conftest import (
    ACCESS_TOKEN,
    API,
    IMAGE_URN,
    NOW,
    POST_URN,
    UPLOAD_URL,
    error,
    make_channel,
    post,
)

POSTS = f"{API}/posts"
pytestmark = pytest.mark.django_db


@pytest.fixture
def connector(acme: Workspace) -> LinkedInConnector:
    return LinkedInConnector(make_channel(acme))


def part(text: str = "Hello", **extra: Any) -> OutgoingPart:
    return OutgoingPart(
        text=text, idempotency_key="delivery-9:0", not_before=NOW - timedelta(minutes=1), **extra
    )


def image(folder: Path, name: str, alt: str = "") -> MediaFile:
    path = folder / name
    Image.new("RGB", (40, 30), (0, 90, 200)).save(path)
    return MediaFile(path, "image/png", path.stat().st_size, alt_text=alt, width=40, height=30)


def test_reserved_characters_are_escaped_so_the_text_shows_as_written(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.post(POSTS).respond(201, headers={"x-restli-id": POST_URN})
    text = "Launch (v2) [beta] #news @team <3 a_b *c* ~d~ {x} | back\\slash"

    ref = connector.publish(part(text))

    sent = json.loads(route.calls.last.request.content)
    assert sent["commentary"] == (
        "Launch \\(v2\\) \\[beta\\] \\#news \\@team \\<3 a\\_b \\*c\\* \\~d\\~ \\{x\\} \\| "
        "back\\\\slash"
    )
    assert ref.url == f"https://www.linkedin.com/feed/update/{POST_URN}/"


def test_plain_text_is_left_alone() -> None:
    assert escape_little("Hello, world! It's 50% off: see https://example.com/a?b=c") == (
        "Hello, world! It's 50% off: see https://example.com/a?b=c"
    )


def test_several_images_make_a_multi_image_post(
    router: respx.MockRouter, connector: LinkedInConnector, tmp_path: Path
) -> None:
    urns = iter(["urn:li:image:C4E10AQFirst", "urn:li:image:C4E10AQSecond"])
    start = router.post(f"{API}/images", params={"action": "initializeUpload"}).mock(
        side_effect=lambda _r: httpx.Response(
            200, json={"value": {"uploadUrl": UPLOAD_URL, "image": next(urns)}}
        )
    )
    upload = router.put(UPLOAD_URL).respond(201)
    create = router.post(POSTS).respond(201, headers={"x-restli-id": POST_URN})
    media = (image(tmp_path, "a.png", "First"), image(tmp_path, "b.png"))

    connector.publish(part(media=media))

    assert start.call_count == 2 and upload.call_count == 2
    assert [c.request.content for c in upload.calls] == [m.path.read_bytes() for m in media]
    assert json.loads(create.calls.last.request.content)["content"] == {
        "multiImage": {
            "images": [
                {"id": "urn:li:image:C4E10AQFirst", "altText": "First"},
                {"id": "urn:li:image:C4E10AQSecond"},
            ]
        }
    }


def test_a_failed_image_upload_leaves_no_post_to_reconcile(
    router: respx.MockRouter, connector: LinkedInConnector, tmp_path: Path
) -> None:
    router.post(f"{API}/images", params={"action": "initializeUpload"}).respond(
        200, json={"value": {"uploadUrl": UPLOAD_URL, "image": IMAGE_URN}}
    )
    router.put(UPLOAD_URL).mock(side_effect=httpx.ReadTimeout("timed out"))
    create = router.post(POSTS).respond(201, headers={"x-restli-id": POST_URN})

    with pytest.raises(TransientError) as caught:
        connector.publish(part(media=(image(tmp_path, "a.png"),)))

    assert caught.value.sent is False  # no post exists: simply try again
    assert not create.called


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (
            403,
            error(403, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPosts"),
            PermanentError,
            "no longer one of its administrators",
        ),
        (
            422,
            error(422, "DUPLICATE_POST", f"Content is a duplicate of {POST_URN}"),
            PermanentError,
            "identical",
        ),
        (
            401,
            error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65600),
            AuthError,
            "reconnect",
        ),
        (500, error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error"), TransientError, "500"),
        (
            400,
            error(400, "ILLEGAL_ARGUMENT", "/commentary :: length exceeds"),
            PermanentError,
            "400",
        ),
    ],
)
def test_linkedin_errors_say_what_to_do(
    router: respx.MockRouter,
    connector: LinkedInConnector,
    status: int,
    body: dict[str, object],
    kind: type[Exception],
    words: str,
) -> None:
    router.post(POSTS).respond(status, json=body)

    with pytest.raises(kind) as caught:
        connector.publish(part())

    assert words in str(caught.value)
    assert str(body["message"]) in caught.value.network_message  # type: ignore[attr-defined]


def test_a_401_with_a_refresh_token_refreshes_once_then_succeeds(
    router: respx.MockRouter, acme: Workspace
) -> None:
    channel = make_channel(acme, refresh_token="AQWrefresh")
    answers = iter(
        [
            httpx.Response(401, json=error(401, "EXPIRED_ACCESS_TOKEN", "expired", 65600)),
            httpx.Response(201, headers={"x-restli-id": POST_URN}),
        ]
    )
    create = router.post(POSTS).mock(side_effect=lambda _r: next(answers))
    refresh = router.post("https://www.linkedin.com/oauth/v2/accessToken").respond(
        200, json={"access_token": "AQVnew", "expires_in": 5184000}
    )

    ref = LinkedInConnector(channel).publish(part())

    assert ref.external_id == POST_URN and refresh.call_count == 1
    assert create.calls.last.request.headers["authorization"] == "Bearer AQVnew"
    channel.refresh_from_db()
    assert channel.credentials["refresh_token"] == "AQWrefresh"


def test_the_daily_limit_waits_for_midnight_utc_unless_linkedin_says_otherwise(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.post(POSTS)
    route.respond(429, json=error(429, "TOO_MANY_REQUESTS", "Resource level throttle"))
    with pytest.raises(RateLimited) as caught:
        connector.publish(part())
    assert caught.value.retry_at == datetime(2026, 5, 13, 0, 0, tzinfo=UTC)

    route.respond(429, headers={"Retry-After": "120"}, json={})
    with pytest.raises(RateLimited) as again:
        connector.publish(part())
    assert again.value.retry_at == NOW + timedelta(seconds=120)


def test_the_lookup_ignores_an_older_post_with_the_same_words(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    route = router.get(url__startswith=POSTS).respond(
        200, json={"elements": [post(POST_URN, "Hello", NOW - timedelta(days=3))]}
    )

    assert connector.find_published(part()) is None

    sent = route.calls.last.request
    assert sent.url.query.decode() == (
        "author=urn%3Ali%3Aorganization%3A2414183&q=author&count=20&sortBy=CREATED"
    )
    assert sent.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_the_lookup_finds_escaped_commentary(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    router.get(url__startswith=POSTS).respond(
        200, json={"elements": [post(POST_URN, "Sale \\(today\\)", NOW)]}
    )

    found = connector.find_published(part("Sale (today)"))

    assert found == PublishedRef(
        external_id=POST_URN,
        url=f"https://www.linkedin.com/feed/update/{POST_URN}/",
        data={"urn": POST_URN},
    )


def test_delete_sends_the_encoded_urn_and_accepts_a_post_already_gone(
    router: respx.MockRouter, connector: LinkedInConnector
) -> None:
    path = f"{API}/posts/urn%3Ali%3Ashare%3A6844785523593134080"
    route = router.delete(path).respond(204)
    ref = PublishedRef(external_id=POST_URN, data={"urn": POST_URN})

    connector.delete(ref)
    route.respond(404, json=error(404, "NOT_FOUND", "Post not found"))
    connector.delete(ref)

    sent = route.calls.last.request
    assert sent.url.raw_path == b"/rest/posts/urn%3Ali%3Ashare%3A6844785523593134080"
    assert sent.headers["x-restli-method"] == "DELETE"


def test_limits_refuse_what_linkedin_would(acme: Workspace, tmp_path: Path) -> None:
    channel = make_channel(acme)
    webp = tmp_path / "a.webp"
    webp.write_bytes(b"RIFF0000WEBP")
    huge = MediaFile(tmp_path / "big.png", "image/png", 1000, width=7000, height=6000)

    assert check_variant(channel, ["x" * 3000]) == []
    assert "3001" in check_variant(channel, ["x" * 3001])[0].message
    problems = check_variant(
        channel, ["Hi"], media=[(0, MediaFile(webp, "image/webp", 12)), (0, huge)]
    )
    assert [p.field for p in problems] == ["media", "media"]
    assert "image/webp" in problems[0].message
    assert "7000 x 6000" in problems[1].message and "36152319" in problems[1].message
