"""Videos as media: sniffed from their bytes (MP4, MOV, WebM), their length and frame size
read from the container, stored without being read into memory, and checked against each
channel's own limits. The fixtures in tests/fixtures/video/ are real files made once with
ffmpeg (testsrc, a few KB each): clip.mp4 64x36 2.4 s, clip.mov 48x80 1.6 s, clip.webm
64x36 3.2 s (VP9), portrait.mp4 (clip.mp4 with a 90° rotation), long.mp4 32x18 200 s."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import httpx
import pytest
import respx
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings

from hubbub.core.access import Access, ActionError
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from hubbub.publishing import csv_io, media, video
from hubbub.publishing.models import Post
from hubbub.publishing.validation import check_variant

FIXTURES = Path(__file__).parents[1] / "fixtures" / "video"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def store(access: Access, name: str, content: bytes | None = None) -> media.StoredMedia:
    data = fixture(name) if content is None else content
    return media.store_upload(access, io.BytesIO(data), len(data), name)


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime", "size", "seconds"),
    [
        ("clip.mp4", "video/mp4", (64, 36), 2.4),
        ("clip.mov", "video/quicktime", (48, 80), 1.6),
        ("clip.webm", "video/webm", (64, 36), 3.2),
        ("portrait.mp4", "video/mp4", (36, 64), 2.4),  # a phone's rotation: shown upright
        ("long.mp4", "video/mp4", (32, 18), 200.0),
    ],
)
def test_a_real_video_is_stored_with_its_type_size_and_length(
    owner, tmp_path, name, mime, size, seconds
):
    stored = store(owner, name)
    assert (stored.mime_type, (stored.width, stored.height)) == (mime, size)
    assert stored.duration_seconds == pytest.approx(seconds)
    assert stored.path.startswith("acme/") and stored.path.endswith(
        {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}[mime]
    )
    assert (tmp_path / stored.path).read_bytes() == fixture(name)
    # Read again from disk (as a form or the API names it): the same answers.
    assert media.inspect(owner.workspace, stored.path) == stored


def test_the_name_and_content_type_are_never_believed(owner):
    renamed = SimpleUploadedFile("holiday.mp4", b"Dear diary, " * 100, content_type="video/mp4")
    with pytest.raises(ActionError) as caught:
        media.store_upload(owner, renamed, renamed.size or 0, "holiday.mp4")
    assert caught.value.message == (
        "This file is not an image or a video: upload a JPEG, PNG, WebP or GIF picture, "
        "or an MP4, MOV or WebM video."
    )
    # And a real video called .png is still a video.
    assert store(owner, "cat.png", fixture("clip.webm")).mime_type == "video/webm"


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_a_container_with_sound_only_is_refused(owner):
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, 5000) + bytes(80))
    audio = box(b"ftyp", b"M4A \x00\x00\x00\x00M4A mp42") + box(b"moov", mvhd)
    with pytest.raises(ActionError) as caught:
        store(owner, "song.m4a", audio)
    assert "song.m4a is a video file Hubbub cannot read" in caught.value.message


def test_a_matroska_file_that_is_not_webm_is_refused(owner):
    header = (
        bytes.fromhex("1a45dfa3") + bytes([0x80 | 11]) + bytes.fromhex("4282") + b"\x88matroska"
    )
    with pytest.raises(ActionError) as caught:
        store(owner, "film.mkv", header + bytes(64))
    assert "film.mkv is a video file Hubbub cannot read" in caught.value.message


class CountingReader(io.RawIOBase):
    """A file that counts the bytes read from it, to show a video is never read whole."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("rb")
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)

    def close(self) -> None:
        self.file.close()
        super().close()


def big_mp4(path: Path, media_bytes: int) -> None:
    """clip.mp4's boxes around a media data box of `media_bytes` (a sparse file: quick to
    make), with the moov box at the end, as cameras and ffmpeg write it by default."""
    clip = fixture("clip.mp4")
    boxes = {}
    offset = 0
    while offset < len(clip):
        size, kind = struct.unpack(">I4s", clip[offset : offset + 8])
        boxes[kind] = clip[offset : offset + size]
        offset += size
    with path.open("wb") as out:
        out.write(boxes[b"ftyp"])
        out.write(struct.pack(">I4sQ", 1, b"mdat", 16 + media_bytes))  # a 64-bit box size
        out.seek(media_bytes, 1)
        out.write(boxes[b"moov"])


def test_a_50_mb_video_is_probed_by_reading_a_few_kilobytes(tmp_path):
    path = tmp_path / "big.mp4"
    big_mp4(path, 50 * 1024 * 1024)
    reader = CountingReader(path)
    found = video.probe(cast(IO[bytes], reader))
    reader.close()
    assert found is not None
    assert (found.mime_type, found.width, found.height) == ("video/mp4", 64, 36)
    assert found.duration_seconds == pytest.approx(2.4)
    assert reader.read_bytes < 16 * 1024


def test_a_large_upload_on_disk_is_moved_into_place_not_read_into_memory(owner, tmp_path):
    upload = TemporaryUploadedFile("big.mp4", "video/mp4", 0, None)
    big_mp4(Path(upload.temporary_file_path()), 50 * 1024 * 1024)
    upload.size = Path(upload.temporary_file_path()).stat().st_size
    source = upload.temporary_file_path()
    inode = Path(source).stat().st_ino

    stored = media.store_upload(owner, upload, upload.size, "big.mp4")
    upload.close()

    assert not Path(source).exists()
    target = tmp_path / stored.path
    assert target.stat().st_size == upload.size
    if target.stat().st_dev == Path(media.__file__).stat().st_dev:  # same disk: a rename
        assert target.stat().st_ino == inode
    assert (stored.width, stored.height) == (64, 36)
    assert stored.duration_seconds == pytest.approx(2.4)


# --- the global caps --------------------------------------------------------------------------


@override_settings(HUBBUB_MAX_VIDEO_BYTES=2000)
def test_a_video_over_the_servers_cap_is_refused_saying_by_how_much(owner):
    with pytest.raises(ActionError) as caught:
        store(owner, "clip.mp4")  # 2,390 bytes
    assert caught.value.message == (
        "clip.mp4 is 2.3\xa0KB; videos may be up to 2.0\xa0KB here: it is over by 390\xa0bytes."
    )


def test_the_caps_are_the_most_any_registered_network_takes():
    assert media.max_images_per_part() == 35  # TikTok's photo posts
    assert media.max_videos_per_part() == 20  # Threads' carousels
    assert media.max_video_bytes() == 4 * 1024**3  # HUBBUB_MAX_VIDEO_BYTES's default
    assert media.video_formats() == ("video/mp4", "video/quicktime", "video/webm")


# --- each channel's own limits ----------------------------------------------------------------


def channel(acme, network: str, handle: str) -> Channel:
    return Channel.objects.create(
        workspace=acme, network=network, external_id=handle, handle=handle
    )


def as_file(stored: media.StoredMedia, settings) -> MediaFile:
    return MediaFile(
        Path(settings.MEDIA_ROOT) / stored.path,
        stored.mime_type,
        stored.size,
        "",
        stored.width,
        stored.height,
        stored.duration_seconds,
    )


def messages(ch: Channel, files: list[MediaFile], text: str = "Our new film") -> list[str]:
    return [p.message for p in check_variant(ch, [text], "", [(0, f) for f in files])]


def test_each_network_judges_a_video_by_its_own_limits(owner, acme, settings):
    long = as_file(store(owner, "long.mp4"), settings)
    name = Path(long.path).name
    assert messages(channel(acme, "youtube", "@acme-yt"), [long]) == []
    assert messages(channel(acme, "x", "@acme_x"), [long]) == [
        f"{name} lasts 200 seconds; X (@acme_x) takes videos up to 140 seconds: shorten it by 60."
    ]
    assert messages(channel(acme, "facebook", "Acme Page"), [long]) == [
        f"Facebook (Acme Page) does not publish videos: remove {name} from part 1."
    ]
    webm = as_file(store(owner, "clip.webm"), settings)
    bluesky = channel(acme, "bluesky", "acme.bsky.social")
    assert messages(bluesky, [webm]) == [
        f"{Path(webm.path).name} is video/webm; Bluesky (acme.bsky.social) takes video/mp4."
    ]


def test_a_video_only_network_asks_for_a_video(acme):
    youtube = channel(acme, "youtube", "@acme-yt")
    assert messages(youtube, []) == [
        "The text for YouTube (@acme-yt) has no video: add a video (that network only "
        "publishes videos: video/mp4, video/quicktime, video/webm, video/mpeg, "
        "video/x-msvideo, video/x-ms-wmv, video/x-flv, video/3gpp)."
    ]


def test_a_video_over_a_networks_size_is_refused_saying_by_how_much(owner, acme, settings):
    clip = as_file(store(owner, "clip.mp4"), settings)
    heavy = MediaFile(clip.path, clip.mime_type, 100_000_001, "", 64, 36, 2.4)
    assert messages(channel(acme, "bluesky", "acme.bsky.social"), [heavy]) == [
        f"{clip.path.name} is 100000001 bytes; Bluesky (acme.bsky.social) takes videos up to "
        "100000000 bytes: it is over by 1 bytes."
    ]


# --- the API and CSV import ------------------------------------------------------------------


def test_the_api_stores_a_video_and_answers_its_length(alice, acme, tmp_path):
    from django.test import Client

    from tests.api.conftest import make_token

    response = Client().post(
        "/api/workspaces/acme/media",
        {"file": SimpleUploadedFile("clip.webm", fixture("clip.webm"))},
        headers={"Authorization": f"Bearer {make_token(alice, acme)}"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mime_type"] == "video/webm"
    assert (body["width"], body["height"]) == (64, 36)
    assert body["duration_seconds"] == pytest.approx(3.2)
    assert (tmp_path / body["path"]).read_bytes() == fixture("clip.webm")


HEADER = "channel,time,text,media,first_comment,campaign,purpose\n"


def test_csv_import_takes_an_uploaded_video_and_one_from_an_address(
    owner, acme, clock, tmp_path, fake_network
):
    youtube = channel(acme, "youtube", "@acme-yt")
    stored = store(owner, "clip.mov")
    with respx.mock(assert_all_called=True) as mock:
        mock.get("https://videos.example/launch.mp4").mock(
            return_value=httpx.Response(200, content=fixture("clip.mp4"))
        )
        result = csv_io.import_posts(
            owner,
            HEADER
            + f"{youtube.pk},2026-06-10 09:00,Launch,{stored.path},,,\n"
            + f"{youtube.pk},2026-06-10 10:00,Launch,https://videos.example/launch.mp4,,,\n",
        )
    assert result.errors == []
    first, second = (Post.objects.get(pk=pk).media.get() for pk in result.imported)
    assert first.mime_type == "video/quicktime"
    assert first.duration_seconds == pytest.approx(1.6)
    assert (second.mime_type, second.width, second.height) == ("video/mp4", 64, 36)
    assert second.duration_seconds == pytest.approx(2.4)
    assert (tmp_path / second.path).read_bytes() == fixture("clip.mp4")


@override_settings(HUBBUB_MAX_VIDEO_BYTES=20_000_000)
def test_csv_import_stops_a_download_past_the_cap(owner, acme, clock, tmp_path, fake_network):
    youtube = channel(acme, "youtube", "@acme-yt")
    sent = []

    def endless() -> Iterator[bytes]:
        yield fixture("clip.mp4")
        while True:
            sent.append(1)
            yield bytes(1024 * 1024)

    with respx.mock() as mock:
        mock.get("https://videos.example/huge.mp4").mock(
            return_value=httpx.Response(200, content=endless())
        )
        result = csv_io.import_posts(
            owner,
            HEADER + f"{youtube.pk},2026-06-10 09:00,Launch,https://videos.example/huge.mp4,,,\n",
        )
    assert result.imported == []
    assert "huge.mp4 is larger than 19.1\xa0MB: use a smaller file." in result.errors[0].message
    assert len(sent) < 25  # cut off just past the cap, not read to the end
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# --- the composer -----------------------------------------------------------------------------


def test_the_composer_attaches_a_video_and_each_channel_judges_it(alice_client, acme):
    from tests.web.conftest import text

    youtube = channel(acme, "youtube", "@acme-yt")
    bluesky = channel(acme, "bluesky", "acme.bsky.social")
    form = {"purpose": "launch", "channels": [youtube.pk, bluesky.pk], "part": ["Our film"]}

    before = alice_client.post("/w/acme/posts/validate/", form)
    assert "The text for YouTube (@acme-yt) has no video: add a video" in text(before)

    upload = alice_client.post(
        "/w/acme/posts/media/", {"file": SimpleUploadedFile("film.mp4", fixture("long.mp4"))}
    )
    page = upload.content.decode()
    assert "<video" in page and 'data-testid="video-duration">3:20<' in page
    assert "32 × 18 px" in text(upload)  # noqa: RUF001 (a real multiplication sign)
    path = page.split('name="media-path" value="')[1].split('"')[0]

    after = alice_client.post(
        "/w/acme/posts/validate/",
        {**form, "media-path": path, "media-alt": "Our film", "media-part": "0"},
    )
    checks = after.content.decode().split('data-testid="check"')[1:]
    youtube_check, bluesky_check = checks
    assert "Ready to go on this channel." in youtube_check
    assert 'data-testid="preview-video"' in youtube_check
    name = Path(path).name
    assert (
        f"{name} lasts 200 seconds; Bluesky (acme.bsky.social) takes videos up to 180 seconds: "
        "shorten it by 20." in text(after)
    )
    assert "Ready to go" not in bluesky_check


# --- the dispatcher ---------------------------------------------------------------------------


def test_the_connector_receives_the_videos_length_and_frame_size(
    owner, channel, clock, fake_network, monkeypatch, tmp_path
):
    from datetime import timedelta

    from hubbub.networks.base import Counting, Limits, MediaLimits, TextLimits
    from hubbub.publishing.actions.posts import VariantInput, create_draft, schedule_post
    from hubbub.publishing.dispatcher import deliver
    from hubbub.publishing.models import Delivery
    from tests.publishing.conftest import NOW

    takes_video = Limits(
        text=TextLimits(max_length=300, counting=Counting.GRAPHEMES),
        media=MediaLimits(max_videos=1, max_video_bytes=10**9, video_formats=("video/mp4",)),
    )
    monkeypatch.setattr(fake_network, "default_limits", classmethod(lambda cls: takes_video))
    stored = store(owner, "portrait.mp4")
    post = create_draft(
        owner,
        purpose="launch",
        variants=[
            VariantInput(
                channel, ["Our film"], media=[media.as_input(owner.workspace, stored.path, "A")]
            )
        ],
    )
    schedule_post(owner, post, NOW + timedelta(minutes=10))
    clock.move_to(NOW + timedelta(minutes=10))
    assert deliver(Delivery.objects.get(post=post).pk, "w1") is True
    [part] = fake_network.calls
    [file] = part.media
    assert file.path == tmp_path / stored.path
    assert (file.mime_type, file.size, file.alt_text) == ("video/mp4", 2390, "A")
    assert (file.width, file.height) == (36, 64)
    assert file.duration_seconds == pytest.approx(2.4)
