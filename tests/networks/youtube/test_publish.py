"""Uploading a video to YouTube: the resumable session's metadata asserted field by field,
the bytes sent in 256 KiB-multiple chunks, an interrupted upload resumed from the Range
YouTube holds (never sent twice), the lookup after a time-out through the session, and
Google's errors (quota until midnight Pacific time) in the connector vocabulary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.base import AuthError, PermanentError, RateLimited, TransientError
from hubbub.networks.outgoing import MediaFile, OutgoingPart, PublishedRef
from hubbub.networks.youtube import posting
from hubbub.networks.youtube.connector import YouTubeConnector
from hubbub.networks.youtube.limits import title_of
from hubbub.publishing.validation import check_variant
from tests.networks.youtube.conftest import (
    ACCESS_TOKEN,
    API,
    CLIP,
    NOW,
    SESSION,
    TOKEN_URL,
    UPLOAD,
    VIDEO_ID,
    clip,
    error,
    make_channel,
    video_resource,
)

pytestmark = pytest.mark.django_db
SIZE = len(CLIP)


@pytest.fixture
def video(tmp_path: Path) -> MediaFile:
    return clip(tmp_path)


def part(
    video: MediaFile, text: str = "Launch day\nEverything about v2.", **extra: Any
) -> OutgoingPart:
    return OutgoingPart(
        text=text, idempotency_key="delivery-3:0", media=(video,), language="fr", **extra
    )


def start_route(router: respx.MockRouter) -> respx.Route:
    return router.post(UPLOAD).respond(200, headers={"Location": SESSION})


def test_the_upload_session_carries_the_metadata(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    connector = YouTubeConnector(make_channel(acme, privacy_status="unlisted"))
    start = start_route(router)
    put = router.put(SESSION).respond(201, json=video_resource())

    ref = connector.publish(part(video, "Launch <day>\n\nWhat's new: a < b > c"))

    sent = start.calls.last.request
    assert str(sent.url) == f"{UPLOAD}?uploadType=resumable&part=snippet,status"
    assert sent.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert sent.headers["x-upload-content-length"] == str(SIZE)
    assert sent.headers["x-upload-content-type"] == "video/mp4"
    assert json.loads(sent.content) == {
        "snippet": {
            "title": "Launch day",
            "description": "Launch \u2039day\u203a\n\nWhat's new: a \u2039 b \u203a c",
            "categoryId": "22",
            "defaultLanguage": "fr",
        },
        "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False},
    }
    body = put.calls.last.request
    assert body.headers["content-range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
    assert body.content == CLIP
    assert ref == PublishedRef(
        external_id=VIDEO_ID,
        url=f"https://www.youtube.com/watch?v={VIDEO_ID}",
        data={"id": VIDEO_ID},
    )
    # The session is forgotten once the video exists.
    assert "upload_sessions" not in connector.channel.credentials


def test_titles_come_from_the_first_line_cut_at_100_characters() -> None:
    assert title_of("\n  First line  \nsecond", "clip") == "First line"
    assert title_of("<>", "clip") == "clip"
    cut = title_of("a" * 97 + " 👩‍👩‍👧 trailing words", "clip")
    assert cut == "a" * 97 + "\u2026"  # the family emoji (5 code points) does not fit
    assert title_of("b" * 95 + "👩‍👩‍👧", "clip") == "b" * 95 + "👩‍👩‍👧"  # 100: it fits


def test_a_big_video_goes_in_chunks_resumed_from_what_youtube_holds(
    router: respx.MockRouter,
    acme: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chunk = 256 * 1024
    monkeypatch.setattr(posting, "CHUNK", chunk)
    data = bytes(range(256)) * 2600  # 665,600 bytes: three chunks
    path = tmp_path / "big.mp4"
    path.write_bytes(data)
    video = MediaFile(path, "video/mp4", len(data))
    start_route(router)
    # YouTube kept only part of the second chunk: the next request resumes from there.
    answers = iter(
        [
            httpx.Response(308, headers={"Range": f"bytes=0-{chunk - 1}"}),
            httpx.Response(308, headers={"Range": "bytes=0-400000"}),
            httpx.Response(308, headers={"Range": "bytes=0-662144"}),
            httpx.Response(201, json=video_resource()),
        ]
    )
    put = router.put(SESSION).mock(side_effect=lambda _r: next(answers))

    YouTubeConnector(make_channel(acme)).publish(part(video))

    ranges = [c.request.headers["content-range"] for c in put.calls]
    assert ranges == [
        f"bytes 0-{chunk - 1}/{len(data)}",
        f"bytes {chunk}-{2 * chunk - 1}/{len(data)}",
        f"bytes 400001-{400001 + chunk - 1}/{len(data)}",
        f"bytes 662145-{len(data) - 1}/{len(data)}",
    ]
    assert put.calls[2].request.content == data[400001 : 400001 + chunk]
    assert put.calls[3].request.content == data[662145:]


def test_an_interrupted_upload_resumes_the_same_session(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    channel = make_channel(acme)
    start = start_route(router)
    send = router.put(SESSION, headers={"Content-Range": f"bytes 0-{SIZE - 1}/{SIZE}"})
    send.mock(side_effect=httpx.ReadTimeout("timed out"))
    the_part = part(video)

    with pytest.raises(TransientError) as caught:
        YouTubeConnector(channel).publish(the_part)
    assert caught.value.sent is True  # the last byte went out: the video may exist

    # The lookup asks the session: YouTube got the first 10 bytes only, so no video exists.
    ask = router.put(SESSION, headers={"Content-Range": f"bytes */{SIZE}"})
    ask.respond(308, headers={"Range": "bytes=0-9"})
    assert YouTubeConnector(channel).find_published(the_part) is None
    # Publishing again resumes the same session from byte 10: no second upload.
    rest = router.put(SESSION, headers={"Content-Range": f"bytes 10-{SIZE - 1}/{SIZE}"})
    rest.respond(200, json=video_resource())

    ref = YouTubeConnector(channel).publish(the_part)

    assert ref.external_id == VIDEO_ID
    assert start.call_count == 1 and ask.call_count == 2
    assert rest.calls.last.request.content == CLIP[10:]
    channel.refresh_from_db()
    assert "upload_sessions" not in channel.credentials


def test_an_expired_session_is_forgotten_and_nothing_is_found(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    channel = make_channel(acme)
    channel.credentials = {
        **channel.credentials,
        "upload_sessions": {
            "delivery-3:0": {"uri": SESSION, "size": SIZE, "started": NOW.isoformat()}
        },
    }
    channel.save()
    router.put(SESSION).respond(404, json=error(404, "notFound", "Not Found"))

    assert YouTubeConnector(channel).find_published(part(video)) is None

    channel.refresh_from_db()
    assert "upload_sessions" not in channel.credentials


def test_without_a_session_there_is_no_video_to_find(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    assert YouTubeConnector(make_channel(acme)).find_published(part(video)) is None
    assert not router.calls


def test_a_rejected_upload_is_reported_with_youtube_s_reason(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    start_route(router)
    router.put(SESSION).respond(200, json=video_resource("rejected", rejectionReason="duplicate"))

    with pytest.raises(PermanentError) as caught:
        YouTubeConnector(make_channel(acme)).publish(part(video))

    assert "rejected" in str(caught.value) and "duplicate" in str(caught.value)


def test_the_daily_quota_waits_until_midnight_pacific_time(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    router.post(UPLOAD).respond(
        403,
        json=error(
            403,
            "quotaExceeded",
            "The request cannot be completed because you have exceeded your quota.",
            domain="youtube.quota",
        ),
    )

    with pytest.raises(RateLimited) as caught:
        YouTubeConnector(make_channel(acme)).publish(part(video))

    # 16:00 UTC on 20 April is 09:00 PDT; midnight PDT is 07:00 UTC the next day.
    assert caught.value.retry_at == datetime(2026, 4, 21, 7, 0, tzinfo=UTC)
    assert "midnight Pacific Time" in str(caught.value)
    assert caught.value.sent is False


@pytest.mark.parametrize(
    ("status", "reason", "kind", "words"),
    [
        (400, "uploadLimitExceeded", PermanentError, "number of videos"),
        (403, "forbidden", PermanentError, "may not do this"),
        (403, "insufficientPermissions", PermanentError, "permission"),
        (503, "backendError", TransientError, "503"),
        (400, "invalidTitle", PermanentError, "400"),
    ],
)
def test_google_errors_say_what_to_do(
    router: respx.MockRouter,
    acme: Workspace,
    video: MediaFile,
    status: int,
    reason: str,
    kind: type[Exception],
    words: str,
) -> None:
    router.post(UPLOAD).respond(status, json=error(status, reason, f"{reason} happened"))

    with pytest.raises(kind) as caught:
        YouTubeConnector(make_channel(acme)).publish(part(video))

    assert words in str(caught.value)
    assert caught.value.network_message == f"{reason} happened"  # type: ignore[attr-defined]


def test_a_401_refreshes_once_then_succeeds(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    answers = iter(
        [
            httpx.Response(401, json=error(401, "authError", "Invalid Credentials", "global")),
            httpx.Response(200, headers={"Location": SESSION}),
        ]
    )
    start = router.post(UPLOAD).mock(side_effect=lambda _r: next(answers))
    refresh = router.post(TOKEN_URL).respond(
        200, json={"access_token": "ya29.fresh", "expires_in": 3599}
    )
    router.put(SESSION).respond(200, json=video_resource())

    ref = YouTubeConnector(make_channel(acme)).publish(part(video))

    assert ref.external_id == VIDEO_ID and refresh.call_count == 1
    assert start.calls.last.request.headers["authorization"] == "Bearer ya29.fresh"


def test_a_revoked_refresh_token_needs_a_reconnect(
    router: respx.MockRouter, acme: Workspace, video: MediaFile
) -> None:
    router.post(UPLOAD).respond(401, json=error(401, "authError", "Invalid Credentials"))
    router.post(TOKEN_URL).respond(
        400,
        json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )

    with pytest.raises(AuthError) as caught:
        YouTubeConnector(make_channel(acme)).publish(part(video))

    assert caught.value.needs_reconnect is True


def test_delete_accepts_a_video_already_gone(router: respx.MockRouter, acme: Workspace) -> None:
    route = router.delete(f"{API}/videos", params={"id": VIDEO_ID}).respond(204)
    connector = YouTubeConnector(make_channel(acme))

    connector.delete(PublishedRef(VIDEO_ID, data={"id": VIDEO_ID}))
    route.respond(404, json=error(404, "videoNotFound", "Video not found."))
    connector.delete(PublishedRef(VIDEO_ID, data={"id": VIDEO_ID}))

    assert route.call_count == 2


def test_validation_takes_one_video_and_a_5000_byte_description(
    acme: Workspace, video: MediaFile, tmp_path: Path
) -> None:
    channel = make_channel(acme)
    with_video = [(0, video)]

    assert check_variant(channel, ["é" * 2500], media=with_video) == []  # 5,000 bytes
    over = check_variant(channel, ["é" * 2500 + "!"], media=with_video)
    assert [p.field for p in over] == ["parts.0"] and "5001" in over[0].message
    # "<" becomes a three-byte lookalike in the description, and is counted so.
    assert check_variant(channel, ["<" * 1667], media=with_video)
    alone = check_variant(channel, ["Just words"])
    assert [p.field for p in alone] == ["media"] and "video/mp4" in alone[0].message
    second = MediaFile(tmp_path / "b.mov", "video/quicktime", 10)
    assert check_variant(channel, ["Two"], media=[(0, video), (0, second)])
