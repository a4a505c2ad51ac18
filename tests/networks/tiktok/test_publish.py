"""Publishing a video with Direct Post: the creator info is asked first and the channel's
choices checked against it; the post is initialised (post_info, source_info), the bytes go
in chunks with Content-Range, and the status is polled until PUBLISH_COMPLETE, FAILED, or
the short wait is over (then the publish_id waits with the channel for find_published)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
import time_machine
from django.conf import settings
from django.core import signing
from django.test import override_settings

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, ConnectorError, PermanentError, RateLimited
from hubbub.networks.instagram import public_media
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.tiktok import posting, upload
from hubbub.networks.tiktok.connector import TikTokConnector
from tests.networks.tiktok.conftest import (
    ACCESS_TOKEN,
    CLIENT_KEY,
    CLIP,
    CONTENT_INIT,
    CREATOR_INFO,
    NEW_ACCESS_TOKEN,
    NEW_REFRESH_TOKEN,
    NOW,
    PHOTO_PUBLISH_ID,
    PUBLISH_ID,
    REFRESH_TOKEN,
    STATUS,
    TOKEN_URL,
    UPLOAD_URL,
    USERNAME,
    VIDEO_ID,
    VIDEO_INIT,
    clip,
    creator_info,
    error,
    init_answer,
    make_channel,
    ok,
    status,
    token_answer,
)

pytestmark = pytest.mark.django_db
TEXT = "Launch day 🚀 #hubbub"
REF = PublishedRef(
    external_id=VIDEO_ID,
    url=f"https://www.tiktok.com/@{USERNAME}/video/{VIDEO_ID}",
    data={"video_id": VIDEO_ID, "publish_id": PUBLISH_ID},
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(HUBBUB_TIKTOK_CLIENT_ID=CLIENT_KEY, HUBBUB_TIKTOK_CLIENT_SECRET="s"),
    ):
        yield


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(posting, "sleep", waits.append)
    return waits


@pytest.fixture
def channel(acme: Workspace) -> Channel:
    return make_channel(acme)


def _part(tmp_path: Path, content: bytes = CLIP, **kw: Any) -> OutgoingPart:
    return OutgoingPart(
        text=TEXT, idempotency_key="delivery-1:0", media=(clip(tmp_path, content, **kw),)
    )


def _connector(channel: Channel) -> TikTokConnector:
    channel.refresh_from_db()
    return TikTokConnector(channel)


def _flow(router: respx.MockRouter, *states: dict[str, Any]) -> dict[str, respx.Route]:
    return {
        "creator": router.post(CREATOR_INFO).respond(200, json=creator_info()),
        "init": router.post(VIDEO_INIT).respond(200, json=init_answer()),
        "put": router.put(UPLOAD_URL).respond(201),
        "status": router.post(STATUS).mock(
            side_effect=[httpx.Response(200, json=s) for s in states]
        ),
    }


def test_a_video_is_posted_directly(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    routes = _flow(router, status("PUBLISH_COMPLETE"))

    ref = _connector(channel).publish(_part(tmp_path))

    assert ref == REF
    assert [c.request.url for c in router.calls] == [
        CREATOR_INFO,
        VIDEO_INIT,
        UPLOAD_URL,
        STATUS,
    ]
    creator = routes["creator"].calls.last.request
    assert creator.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert creator.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(routes["init"].calls.last.request.content) == {
        "post_info": {
            "title": TEXT,
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": False,  # allowed by the channel, open on the account
            "disable_duet": True,  # not allowed by the channel
            "disable_stitch": True,
        },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": len(CLIP),
            "chunk_size": len(CLIP),  # a small video goes whole
            "total_chunk_count": 1,
        },
    }
    put = routes["put"].calls.last.request
    assert put.headers["content-type"] == "video/mp4"
    assert put.headers["content-range"] == f"bytes 0-{len(CLIP) - 1}/{len(CLIP)}"
    assert "authorization" not in put.headers  # the upload_url carries its own token
    assert put.content == CLIP
    assert json.loads(routes["status"].calls.last.request.content) == {"publish_id": PUBLISH_ID}
    assert slept == []
    assert posting.PENDING not in _connector(channel).channel.credentials


def test_a_large_video_goes_in_chunks_the_last_taking_the_rest(
    router: respx.MockRouter,
    channel: Channel,
    tmp_path: Path,
    slept: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The guide's rules at a small scale: over SINGLE_MAX, chunks of CHUNK, floor division.
    monkeypatch.setattr(upload, "SINGLE_MAX", 20)
    monkeypatch.setattr(upload, "CHUNK", 10)
    content = bytes(range(35))
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    routes["put"].mock(side_effect=[httpx.Response(206), httpx.Response(206), httpx.Response(201)])

    _connector(channel).publish(_part(tmp_path, content))

    source = json.loads(routes["init"].calls.last.request.content)["source_info"]
    assert source == {
        "source": "FILE_UPLOAD",
        "video_size": 35,
        "chunk_size": 10,
        "total_chunk_count": 3,
    }
    puts = [c.request for c in routes["put"].calls]
    assert [p.headers["content-range"] for p in puts] == [
        "bytes 0-9/35",
        "bytes 10-19/35",
        "bytes 20-34/35",
    ]
    assert b"".join(p.content for p in puts) == content


def test_nothing_is_sent_before_the_account_holder_chose_a_privacy_level(
    router: respx.MockRouter, acme: Workspace, tmp_path: Path
) -> None:
    channel = make_channel(acme, privacy_level="")

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert "privacy level" in caught.value.message
    assert not router.calls


def test_a_privacy_level_the_account_no_longer_offers_is_refused_before_the_upload(
    router: respx.MockRouter, acme: Workspace, tmp_path: Path
) -> None:
    channel = make_channel(acme, privacy_level="FOLLOWER_OF_CREATOR")
    router.post(CREATOR_INFO).respond(200, json=creator_info())

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert "choose one of its privacy options" in caught.value.message
    assert len(router.calls) == 1


def test_a_video_longer_than_the_account_may_post_is_refused_before_the_upload(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(200, json=creator_info(max_video_post_duration_sec=60))

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(_part(tmp_path, duration=61))

    assert "up to 60 seconds" in caught.value.message
    assert len(router.calls) == 1


def test_an_interaction_the_account_turned_off_stays_off(
    router: respx.MockRouter, acme: Workspace, tmp_path: Path, slept: list[float]
) -> None:
    channel = make_channel(acme, allow_comment=True, allow_duet=True, allow_stitch=True)
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    routes["creator"].respond(200, json=creator_info(comment_disabled=True))

    _connector(channel).publish(_part(tmp_path))

    info = json.loads(routes["init"].calls.last.request.content)["post_info"]
    assert (info["disable_comment"], info["disable_duet"], info["disable_stitch"]) == (
        True,
        False,
        True,  # stitch_disabled in the recorded creator info
    )


# --- the status ---------------------------------------------------------------------------


def test_the_status_is_polled_until_the_post_is_complete(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    _flow(
        router,
        status("PROCESSING_UPLOAD", uploaded_bytes=len(CLIP)),
        status("PUBLISH_COMPLETE"),
    )

    ref = _connector(channel).publish(_part(tmp_path))

    assert ref == REF
    assert slept == [2.0]


def test_a_video_still_processing_is_found_later_without_a_second_upload(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    processing = status("PROCESSING_UPLOAD", uploaded_bytes=len(CLIP))
    routes = _flow(router, processing, processing, processing, status("PUBLISH_COMPLETE"))
    part = _part(tmp_path)

    with pytest.raises(ConnectorError) as caught:
        _connector(channel).publish(part)

    assert caught.value.sent is True and caught.value.permanent is False
    assert caught.value.retry_at == NOW + timedelta(seconds=30)
    assert slept == [2.0, 3.0]
    pending = _connector(channel).channel.credentials[posting.PENDING]
    assert pending["delivery-1:0"]["id"] == PUBLISH_ID
    assert UPLOAD_URL not in channel.credentials_encrypted  # kept encrypted

    assert _connector(channel).find_published(part) == REF
    assert routes["init"].call_count == 1 and routes["put"].call_count == 1
    assert posting.PENDING not in _connector(channel).channel.credentials


def test_a_long_review_is_asked_about_less_and_less_often(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    processing = status("PROCESSING_UPLOAD", uploaded_bytes=len(CLIP))
    _flow(router, processing, processing, processing, processing, processing)
    part = _part(tmp_path)
    with pytest.raises(ConnectorError):
        _connector(channel).publish(part)

    waits = []
    for minutes in (10, 40):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            with pytest.raises(ConnectorError) as caught:
                _connector(channel).find_published(part)
            assert caught.value.retry_at is not None
            waits.append(caught.value.retry_at - (NOW + timedelta(minutes=minutes)))

    # Three times the wait so far (public posts can be reviewed for hours), at most an hour.
    assert waits == [timedelta(minutes=30), timedelta(hours=1)]


def test_a_retry_while_tiktok_processes_does_not_post_again(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    processing = status("PROCESSING_UPLOAD", uploaded_bytes=len(CLIP))
    routes = _flow(router, processing, processing, processing, processing)
    part = _part(tmp_path)
    with pytest.raises(ConnectorError):
        _connector(channel).publish(part)

    with pytest.raises(ConnectorError) as again:
        _connector(channel).publish(part)

    assert again.value.sent is True and again.value.retry_at == NOW + timedelta(seconds=30)
    assert routes["init"].call_count == 1 and routes["creator"].call_count == 1


def test_a_failed_video_says_why_in_words(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    _flow(router, status("FAILED", fail_reason="frame_rate_check_failed"))

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert caught.value.message == (
        "TikTok rejected the post after processing it: TikTok accepts videos of 23 to 60 "
        "frames a second: export the video again."
    )
    assert caught.value.network_message == "frame_rate_check_failed"
    assert caught.value.sent is False  # FAILED: no post will appear
    assert posting.PENDING not in _connector(channel).channel.credentials


def test_a_private_post_has_no_public_id(
    router: respx.MockRouter, acme: Workspace, tmp_path: Path, slept: list[float]
) -> None:
    channel = make_channel(acme, privacy_level="SELF_ONLY")
    _flow(router, status("PUBLISH_COMPLETE", post_ids=[]))

    ref = _connector(channel).publish(_part(tmp_path))

    assert ref == PublishedRef(
        external_id=PUBLISH_ID,
        url=f"https://www.tiktok.com/@{USERNAME}",
        data={"publish_id": PUBLISH_ID},
    )


def test_an_upload_broken_off_before_its_last_chunk_starts_again(
    router: respx.MockRouter,
    channel: Channel,
    tmp_path: Path,
    slept: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upload, "SINGLE_MAX", 20)
    monkeypatch.setattr(upload, "CHUNK", 10)
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    routes["put"].mock(
        side_effect=[
            httpx.ReadTimeout("timed out"),  # first chunk of three
            httpx.Response(206),
            httpx.Response(206),
            httpx.Response(201),
        ]
    )
    part = _part(tmp_path, bytes(35))

    with pytest.raises(ConnectorError) as caught:
        _connector(channel).publish(part)
    assert caught.value.sent is False  # the video is incomplete: no post can appear
    assert _connector(channel).find_published(part) is None  # nothing asked: none can exist
    ref = _connector(channel).publish(part)

    assert ref == REF
    assert routes["init"].call_count == 2 and routes["status"].call_count == 1


def test_a_time_out_on_the_last_chunk_is_reconciled_by_the_status(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    routes["put"].mock(side_effect=httpx.ReadTimeout("timed out"))
    part = _part(tmp_path)

    with pytest.raises(ConnectorError) as caught:
        _connector(channel).publish(part)

    assert caught.value.sent is True
    assert _connector(channel).find_published(part) == REF
    assert routes["put"].call_count == 1


def test_a_last_chunk_that_never_arrived_is_sent_again(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    routes = _flow(
        router, status("PROCESSING_UPLOAD", uploaded_bytes=0), status("PUBLISH_COMPLETE")
    )
    routes["put"].mock(side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(201)])
    part = _part(tmp_path)
    with pytest.raises(ConnectorError):
        _connector(channel).publish(part)

    assert _connector(channel).find_published(part) is None  # TikTok has 0 of its bytes
    assert _connector(channel).publish(part) == REF
    assert routes["init"].call_count == 2


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("privacy_level_option_mismatch", "choose one of the creator's privacy options"),
        ("unaudited_client_can_only_post_to_private_accounts", 'choose "Only me"'),
        ("spam_risk_too_many_posts", "number of posts TikTok allows it a day"),
        ("spam_risk_user_banned_from_posting", "does not let this account post"),
        ("reached_active_user_cap", "number of accounts TikTok lets it post for"),
    ],
)
def test_documented_refusals_are_permanent_and_explained(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, code: str, words: str
) -> None:
    routes = _flow(router)
    routes["init"].respond(400, json=error(code, "TikTok's own words"))

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert words in caught.value.message
    assert caught.value.network_message.startswith("TikTok's own words (log_id ")
    assert caught.value.sent is False and caught.value.needs_reconnect is False
    assert routes["put"].call_count == 0


def test_a_rate_limit_waits_a_minute_window(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(
        429, json=error("rate_limit_exceeded", "API rate limit exceeded")
    )

    with pytest.raises(RateLimited) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert caught.value.retry_at == NOW + timedelta(minutes=1)
    assert caught.value.status == 429


def test_a_missing_scope_asks_for_a_reconnect(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(
        401, json=error("scope_not_authorized", "The user did not authorize the scope.")
    )

    with pytest.raises(AuthError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert caught.value.needs_reconnect is True
    assert "video.publish" in caught.value.message
    assert len(router.calls) == 1  # no refresh: a new token would lack the scope too


def test_an_invalid_token_is_refreshed_once(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    routes["creator"].mock(
        side_effect=[
            httpx.Response(401, json=error("access_token_invalid", "The access token is invalid.")),
            httpx.Response(200, json=creator_info()),
        ]
    )
    refresh = router.post(TOKEN_URL).respond(
        200, json=token_answer(NEW_ACCESS_TOKEN, NEW_REFRESH_TOKEN)
    )

    assert _connector(channel).publish(_part(tmp_path)) == REF

    assert refresh.call_count == 1
    assert parse_qs(refresh.calls.last.request.content.decode()) == {
        "client_key": [CLIENT_KEY],
        "client_secret": ["s"],
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH_TOKEN],
    }
    assert routes["init"].calls.last.request.headers["authorization"] == (
        f"Bearer {NEW_ACCESS_TOKEN}"
    )
    stored = _connector(channel).channel.credentials
    assert stored["refresh_token"] == NEW_REFRESH_TOKEN  # TikTok's new one replaces the old


def test_a_revoked_authorization_needs_a_reconnect(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(
        401, json=error("access_token_invalid", "The access token is invalid.")
    )
    router.post(TOKEN_URL).respond(
        200,
        json={
            "error": "invalid_grant",
            "error_description": "Refresh token is invalid or expired.",
            "log_id": "20230101",
        },
    )

    with pytest.raises(AuthError) as caught:
        _connector(channel).publish(_part(tmp_path))

    assert caught.value.needs_reconnect is True
    assert caught.value.network_message == "Refresh token is invalid or expired."


def test_an_expired_token_is_refreshed_before_the_call(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    channel.token_expires_at = NOW - timedelta(minutes=1)
    channel.save()
    routes = _flow(router, status("PUBLISH_COMPLETE"))
    router.post(TOKEN_URL).respond(200, json=token_answer(NEW_ACCESS_TOKEN, NEW_REFRESH_TOKEN))

    _connector(channel).publish(_part(tmp_path))

    assert routes["creator"].calls.last.request.headers["authorization"] == (
        f"Bearer {NEW_ACCESS_TOKEN}"
    )
    channel.refresh_from_db()
    assert channel.token_expires_at == NOW + timedelta(hours=24)


# --- photos -------------------------------------------------------------------------------


def signed_path(address: str) -> dict[str, Any]:
    """What a public media address names (the file, and whether it is served as JPEG)."""
    assert address.startswith(f"{settings.BASE_URL}/m/")
    value = signing.loads(address.rstrip("/").rsplit("/", 1)[1], salt=public_media.SALT)
    assert isinstance(value, dict)
    return value


def _photos(tmp_path: Path, count: int = 2) -> OutgoingPart:
    images = []
    for n in range(count):
        path = tmp_path / f"photo{n}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes([n]) * 16)
        images.append(MediaFile(path, "image/jpeg", path.stat().st_size))
    return OutgoingPart(text=TEXT, idempotency_key="delivery-2:0", media=tuple(images))


def test_photos_are_posted_from_their_public_addresses(
    router: respx.MockRouter, channel: Channel, tmp_path: Path, slept: list[float]
) -> None:
    router.post(CREATOR_INFO).respond(200, json=creator_info())
    init = router.post(CONTENT_INIT).respond(200, json=ok({"publish_id": PHOTO_PUBLISH_ID}))
    router.post(STATUS).mock(
        side_effect=[
            httpx.Response(200, json=status("PROCESSING_DOWNLOAD")),
            httpx.Response(200, json=status("PUBLISH_COMPLETE")),
        ]
    )
    part = _photos(tmp_path)

    ref = _connector(channel).publish(part)

    assert ref == PublishedRef(
        external_id=VIDEO_ID,
        url=f"https://www.tiktok.com/@{USERNAME}/photo/{VIDEO_ID}",
        data={"video_id": VIDEO_ID, "publish_id": PHOTO_PUBLISH_ID},
    )
    body = json.loads(init.calls.last.request.content)
    addresses = body["source_info"]["photo_images"]
    assert [signed_path(a)["p"] for a in addresses] == [str(m.path.resolve()) for m in part.media]
    assert body["post_info"]["description"] == TEXT and "title" not in body["post_info"]
    assert (body["post_mode"], body["media_type"]) == ("DIRECT_POST", "PHOTO")
    assert slept == [2.0]


def test_an_unanswered_photo_post_is_left_to_a_person(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(200, json=creator_info())
    init = router.post(CONTENT_INIT).mock(side_effect=httpx.ReadTimeout("timed out"))
    part = _photos(tmp_path)

    with pytest.raises(ConnectorError) as caught:
        _connector(channel).publish(part)
    assert caught.value.sent is True
    with pytest.raises(PermanentError) as refused:
        _connector(channel).find_published(part)

    assert "look at the account on TikTok" in refused.value.message
    assert init.call_count == 1  # never sent again by Hubbub on its own
    assert posting.PENDING not in _connector(channel).channel.credentials


def test_a_refused_photo_post_leaves_nothing_to_look_up(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    router.post(CREATOR_INFO).respond(200, json=creator_info())
    router.post(CONTENT_INIT).respond(
        403, json=error("url_ownership_unverified", "Please verify the URL ownership.")
    )
    part = _photos(tmp_path)

    with pytest.raises(PermanentError) as caught:
        _connector(channel).publish(part)

    assert "verify the domain of HUBBUB_BASE_URL" in caught.value.message
    assert caught.value.sent is False
    assert _connector(channel).find_published(part) is None


def test_photos_and_a_video_together_are_refused(
    router: respx.MockRouter, channel: Channel, tmp_path: Path
) -> None:
    mixed = OutgoingPart(
        text=TEXT,
        idempotency_key="k",
        media=(*_photos(tmp_path, 1).media, clip(tmp_path)),
    )

    with pytest.raises(PermanentError):
        _connector(channel).publish(mixed)

    assert not router.calls
