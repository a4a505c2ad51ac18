"""TikTok API v2 answers shaped like the examples of TikTok's documentation: the token
endpoint (Manage User Access Tokens), /v2/user/info/ (Get User Info), Query Creator Info,
Direct Post's video/init, Get Post Status, Query Videos, and the v2 error object; with our
test channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import respx

from hubbub.core.models import Workspace
from hubbub.networks.models import Channel
from hubbub.networks.outgoing import MediaFile
from tests.conftest import PUBLIC_TEST_ADDRESS

API = "https://open.tiktokapis.com/v2"
TOKEN_URL = f"{API}/oauth/token/"
USER_INFO = f"{API}/user/info/"
CREATOR_INFO = f"{API}/post/publish/creator_info/query/"
VIDEO_INIT = f"{API}/post/publish/video/init/"
CONTENT_INIT = f"{API}/post/publish/content/init/"
STATUS = f"{API}/post/publish/status/fetch/"
VIDEO_QUERY = f"{API}/video/query/"
UPLOAD_URL = "https://open-upload.tiktokapis.com/video/?upload_id=67890&upload_token=Xza123"
HOSTS = ("open.tiktokapis.com", "open-upload.tiktokapis.com")

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLIENT_KEY = "aw1n3xexample"
CLIENT_SECRET = "tiktok-client-secret"
ACCESS_TOKEN = "act.example12345Example12345Example"
NEW_ACCESS_TOKEN = "act.example67890Example67890Example"
REFRESH_TOKEN = "rft.example12345Example12345Example"
NEW_REFRESH_TOKEN = "rft.example67890Example67890Example"
OPEN_ID = "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
USERNAME = "tiktok"
SCOPE = "user.info.basic,video.publish,video.list"
PUBLISH_ID = "v_pub_file~v2-1.123456789"
PHOTO_PUBLISH_ID = "p_pub_url~v2.123456789"
VIDEO_ID = "7314569872345678912"
LOG_ID = "202210112248442CB9319E1FB30C1073F3"
CLIP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 8


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": data, "error": {"code": "ok", "message": "", "log_id": LOG_ID}}


def error(code: str, message: str) -> dict[str, Any]:
    return {"data": {}, "error": {"code": code, "message": message, "log_id": LOG_ID}}


def token_answer(
    access: str = ACCESS_TOKEN, refresh: str = REFRESH_TOKEN, scope: str = SCOPE
) -> dict[str, Any]:
    return {
        "access_token": access,
        "expires_in": 86400,  # 24 hours
        "open_id": OPEN_ID,
        "refresh_expires_in": 31536000,  # 365 days
        "refresh_token": refresh,
        "scope": scope,
        "token_type": "Bearer",
    }


def user_info() -> dict[str, Any]:
    return ok(
        {
            "user": {
                "avatar_url": "https://p19-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/b17f0e4b3a4f4a50993cf72cda8b88b8~c5_168x168.jpeg",
                "open_id": OPEN_ID,
                "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
                "display_name": "TikTok Official",
            }
        }
    )


def creator_info(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "creator_avatar_url": "https://lf16-tt4d.tiktokcdn.com/obj/tiktok-open-platform/8d5740ac3844be417beeacd0df75aef1",
        "creator_username": USERNAME,
        "creator_nickname": "TikTok Official",
        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": True,
        "max_video_post_duration_sec": 300,
    }
    data.update(changes)
    return ok(data)


def init_answer() -> dict[str, Any]:
    return ok({"publish_id": PUBLISH_ID, "upload_url": UPLOAD_URL})


def status(state: str, *, post_ids: list[int] | None = None, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"status": state, **more}
    if state == "PUBLISH_COMPLETE":
        data["publicaly_available_post_id"] = [int(VIDEO_ID)] if post_ids is None else post_ids
    return ok(data)


def clip(folder: Path, content: bytes = CLIP, duration: float | None = 12) -> MediaFile:
    path = folder / "launch.mp4"
    path.write_bytes(content)
    return MediaFile(path, "video/mp4", len(content), duration_seconds=duration)


def make_channel(workspace: Workspace, **config: Any) -> Channel:
    channel = Channel(
        workspace=workspace,
        network="tiktok",
        external_id=OPEN_ID,
        handle=f"@{USERNAME}",
        name="TikTok Official",
        profile_url=f"https://www.tiktok.com/@{USERNAME}",
        config={
            "open_id": OPEN_ID,
            "username": USERNAME,
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "allow_comment": True,
            "allow_duet": False,
            "allow_stitch": False,
            "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
            "max_video_seconds": 300,
            **config,
        },
        # Refreshed two hours ago: the day-long access token has 22 hours left.
        token_expires_at=NOW + timedelta(hours=22),
    )
    channel.credentials = {
        "access_token": ACCESS_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "scope": SCOPE,
        "open_id": OPEN_ID,
        "refresh_expires_at": (NOW + timedelta(days=300)).isoformat(),
    }
    channel.save()
    return channel


@pytest.fixture
def tiktok_dns(fake_dns: dict[str, list[str]]) -> None:
    for host in HOSTS:
        fake_dns[host] = [PUBLIC_TEST_ADDRESS]


@pytest.fixture
def router(tiktok_dns: None) -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock
